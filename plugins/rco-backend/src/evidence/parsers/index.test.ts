import { EVIDENCE_KINDS } from '@helix-portal/plugin-rco-common';
import fs from 'node:fs';
import { parse } from 'yaml';
import { readSample, samplesDir } from '../../__testUtils__/fixtures';
import { builtinParsers } from './index';

/** The kind each shared sample must be read as, by the registry the upload route uses. */
const expected: Record<string, string | null> = {
  'argo-rollouts-analysisrun-failed.yaml': 'argo-analysis-run',
  'argo-rollouts-rollout-aborted-canary.yaml': 'argo-rollout',
  'cosign-verify-key-based.json': 'cosign',
  'cyclonedx-1.7-trivy-pom-with-vulns.json': 'cyclonedx',
  'deployment-hardened-securitycontext-kube-prometheus.yaml': 'workload',
  'gatekeeper-constraint-with-violations.yaml': 'gatekeeper-constraint',
  'gitleaks-report-json-simple.json': 'gitleaks',
  'grype-json-image.json': 'grype',
  'helm-v3-history.json': 'helm-history',
  'helm-v3-status.json': 'helm-status',
  'kyverno-policyreport-pod-v1alpha2.yaml': 'policy-report',
  'networkpolicy-alertmanager-kube-prometheus.yaml': 'network-policy',
  // A Prometheus query result is not evidence: no reader may claim it.
  'prometheus-api-v1-query-vector-response.json': null,
  'prometheusrule-alertmanager-kube-prometheus.yaml': 'prometheus-rule',
  'trivy-image-alpine310.json': 'trivy',
  'velero-backup-completed.yaml': 'velero-backup',
};

describe('builtinParsers', () => {
  it('has exactly one reader for every evidence kind', () => {
    expect(builtinParsers.map(p => p.kind).sort()).toEqual(
      [...EVIDENCE_KINDS].sort(),
    );
  });

  it('covers every shared sample, each claimed by exactly one reader', () => {
    const files = fs
      .readdirSync(samplesDir)
      .filter(f => /\.(json|ya?ml)$/.test(f));
    expect(files.sort()).toEqual(Object.keys(expected).sort());
    for (const file of files) {
      const doc = file.endsWith('.json')
        ? JSON.parse(readSample(file))
        : parse(readSample(file));
      const claimed = builtinParsers
        .filter(p => p.detect(doc))
        .map(p => p.kind);
      expect({ file, claimed }).toEqual({
        file,
        claimed: expected[file] ? [expected[file]] : [],
      });
    }
  });
});
