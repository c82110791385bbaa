import type { ReleaseStatusResponse } from '@helix-portal/plugin-rco-common';
import { describeGate, formatRecord, statusTable, summarize } from './format';

describe('summarize', () => {
  it.each([
    [
      {
        type: 'vulnerability-scan',
        tool: 'trivy',
        counts: { CRITICAL: 1, HIGH: 2, MEDIUM: 3, LOW: 4, UNKNOWN: 0 },
      },
      'trivy scan: 1 critical, 2 high, 3 medium, 4 low',
    ],
    [
      { type: 'sbom', format: 'cyclonedx', specVersion: '1.7', components: 12 },
      'cyclonedx SBOM 1.7: 12 components',
    ],
    [
      { type: 'signature', tool: 'cosign', verified: false },
      'cosign signature (claimed by CI)',
    ],
    [
      { type: 'signature', tool: 'sigstore-bundle', verified: true },
      'sigstore-bundle signature, verified by the console',
    ],
    [
      { type: 'secret-scan', tool: 'gitleaks', findings: [{}, {}] },
      'gitleaks: 2 findings',
    ],
    [
      { type: 'policy-report', name: 'r', counts: { pass: 3, fail: 1 } },
      'policy report r: 3 pass, 1 fail',
    ],
    [
      {
        type: 'gatekeeper-constraint',
        constraintKind: 'K8sRequiredLabels',
        name: 'ns',
        totalViolations: 4,
      },
      'Gatekeeper K8sRequiredLabels ns: 4 violations',
    ],
    [
      { type: 'velero', object: 'Backup', name: 'b1', phase: 'Completed' },
      'Velero Backup b1: Completed',
    ],
    [
      { type: 'attestation', attestation: 'naming-report', succeeded: true },
      'naming-report: succeeded',
    ],
    [{ type: 'argo-rollout', name: 'rco' }, 'argo rollout rco'],
    [undefined, ''],
  ])('%j', (summary, text) => {
    expect(summarize(summary)).toBe(text);
  });
});

describe('formatRecord', () => {
  it('says created or existing, what it is and what it is about', () => {
    const record = {
      id: 'ev-1',
      kind: 'trivy',
      subject: { digest: 'sha256:ab', version: '1.3.2' },
      summary: { type: 'vulnerability-scan', tool: 'trivy', counts: {} },
    };
    expect(formatRecord('t.json', { ...record, created: true })).toBe(
      't.json: trivy ev-1 created – trivy scan: 0 critical, 0 high, 0 medium, 0 low (sha256:ab, version 1.3.2)',
    );
    expect(
      formatRecord('t.json', {
        ...record,
        created: false,
        subject: { environment: 'staging' },
      }),
    ).toMatch(/^t\.json: trivy ev-1 existing – .* \(in staging\)$/);
  });
});

const status: ReleaseStatusResponse = {
  entityRef: 'component:default/rco',
  release: { version: '1.3.2', digest: 'sha256:ab', environment: 'production' },
  gates: [
    {
      id: 'image-scanning',
      title: 'Image & Dependency Scanning',
      verification: 'v',
      section: 'security-baselines',
      status: 'fail',
      reasons: ['CVE-1 in openssl'],
      evidence: [],
      evaluatedAt: 'x',
    },
    {
      id: 'dpo-signoff',
      title: 'DPO Sign-off',
      verification: 'v',
      status: 'waived',
      reasons: [],
      evidence: [],
      evaluatedAt: 'x',
    },
  ],
  pillars: [],
  summary: {
    passing: 0,
    total: 2,
    blockedBy: ['image-scanning'],
    waived: ['dpo-signoff'],
    ready: false,
    text: 'Blocked by image-scanning',
  },
  evaluatedAt: 'x',
};

describe('statusTable', () => {
  it('shows each gate, its status, why and its section, then the summary', () => {
    const text = statusTable(status);
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      'component:default/rco – version 1.3.2, sha256:ab, in production',
    );
    expect(text).toMatch(
      /│ Image & Dependency Scanning\s+│ fail\s+│ CVE-1 in openssl\s+│ security-baselines\s+│/,
    );
    expect(text).toMatch(/│ DPO Sign-off\s+│ waived\s+│ –\s+│ –\s+│/);
    expect(lines[lines.length - 1]).toBe(
      'Blocked by image-scanning (0/2 passing, waived: dpo-signoff)',
    );
  });
});

describe('describeGate', () => {
  it('says when a gate has no runbook section or reason', () => {
    expect(describeGate({ ...status.gates[1], status: 'missing' })).toBe(
      'dpo-signoff (DPO Sign-off) missing: no reason given [no runbook section]',
    );
  });
});
