import {
  GATE_IDS,
  GateId,
  GateResult,
  GateStatus,
} from '@helix-portal/plugin-rco-common';
import { EvidenceRecord } from '../database/EvidenceStore';
import {
  bundleRecord,
  DAY,
  DIGEST,
  NOW,
  record,
  trivy,
  VERIFIED,
} from './__testUtils__/context';
import { example } from './__testUtils__/examples';
import {
  NextStepContext,
  groupsNamed,
  nextSteps,
  signoffSteps,
} from './nextSteps';

const BASE = 'https://portal.example/api/rco';
const EVIDENCE = `${BASE}/entities/component/default/rco/evidence`;
const AUTH = 'curl -fsS -H "Authorization: Bearer $RCO_CI_TOKEN" --data-binary';
const DANA = { ref: 'user:default/dana', name: 'Dana DPO' };
const SAM = { ref: 'user:default/sam', name: 'Sam Security' };
const ALICE = { ref: 'user:default/alice', name: 'Alice Owner' };

function ctx(
  records: EvidenceRecord[] = [],
  overrides: Partial<NextStepContext> = {},
): NextStepContext {
  return {
    baseUrl: BASE,
    entity: { kind: 'Component', namespace: 'default', name: 'rco' },
    release: { version: '1.3.2', digest: DIGEST },
    environments: ['staging', 'production'],
    requester: 'user:default/alice',
    signoffGroups: {
      po: 'group:default/product-owners',
      dpo: 'group:default/dpo',
      security: 'group:default/security',
    },
    waiverGroup: 'group:default/security',
    people: group =>
      ({
        'group:default/dpo': [ALICE, DANA],
        'group:default/security': [SAM],
      }[group]),
    records: new Map(records.map(r => [r.id, r])),
    targets: { rto: 'PT15M', rpo: 'PT5M' },
    now: NOW,
    ...overrides,
  };
}

function gate(
  id: GateId,
  status: GateStatus,
  used: EvidenceRecord[] = [],
  reasons: string[] = [],
  maxAge = 'P7D',
): GateResult {
  return {
    id,
    title: id,
    verification: '',
    status,
    reasons,
    maxAge,
    evaluatedAt: NOW.toISOString(),
    evidence: used.map(r => ({
      id: r.id,
      kind: r.kind,
      sha256: r.sha256,
      collectedAt: r.collectedAt.toISOString(),
      subject: r.subject,
    })),
  };
}

const actions = (steps: ReturnType<typeof nextSteps>) =>
  steps.map(
    s =>
      `${s.action}${s.kind ? `:${s.kind}` : ''}${
        s.environment ? `@${s.environment}` : ''
      }`,
  );

describe('nextSteps: passing and waived gates', () => {
  it.each(
    GATE_IDS.flatMap(
      id =>
        [
          [id, 'pass'],
          [id, 'waived'],
        ] as const,
    ),
  )('%s %s: nothing to do', (id, status) =>
    expect(nextSteps(gate(id, status), ctx())).toEqual([]),
  );
});

describe('nextSteps: missing evidence', () => {
  it.each<[GateId, string[]]>([
    ['acronym-clarity', ['upload:naming-report', 'waive']],
    [
      'secret-hygiene',
      ['upload:gitleaks', 'upload:vault-attestation', 'waive'],
    ],
    [
      'image-scanning',
      ['upload:trivy', 'upload:sigstore-bundle', 'upload:cyclonedx', 'waive'],
    ],
    [
      'progressive-delivery',
      [
        'upload:argo-rollout@staging',
        'upload:argo-rollout@production',
        'waive',
      ],
    ],
    [
      'policy-enforcement',
      [
        'upload:policy-report@staging',
        'upload:policy-report@production',
        'waive',
      ],
    ],
    ['monitoring-alerting', ['upload:prometheus-rule', 'waive']],
    [
      'rto-rpo-verification',
      [
        'upload:velero-backup@staging',
        'upload:velero-backup@production',
        'upload:velero-restore@staging',
        'upload:velero-restore@production',
        'waive',
      ],
    ],
    [
      'migration-controls',
      [
        'rollback-dry-run:rollback-dry-run@staging',
        'rollback-dry-run:rollback-dry-run@production',
        'waive',
      ],
    ],
    ['dpo-signoff', ['signoff']],
  ])('%s: %s', (id, expected) =>
    expect(actions(nextSteps(gate(id, 'missing'), ctx()))).toEqual(expected),
  );

  it('asks only for what is missing: a scan and SBOM stand, the signature is wanted', () => {
    const used = [
      ...example('trivy', 'trivy-rco-1.3.2.json'),
      ...example('cyclonedx', 'sbom-rco-1.3.2.cdx.json'),
    ];
    expect(
      actions(nextSteps(gate('image-scanning', 'missing', used), ctx(used))),
    ).toEqual(['upload:sigstore-bundle', 'waive']);
  });

  it("asks for the Sigstore bundle when only CI's cosign report stands (a claim, issue 13)", () => {
    const used = [
      ...example('trivy', 'trivy-rco-1.3.2.json'),
      ...example('cyclonedx', 'sbom-rco-1.3.2.cdx.json'),
      record('cosign', 'cosign-verify-key-based.json', {
        subject: { digest: DIGEST },
      }),
    ];
    const steps = nextSteps(gate('image-scanning', 'missing', used), ctx(used));
    expect(actions(steps)).toEqual(['upload:sigstore-bundle', 'waive']);
    expect(steps[0].command).toContain('--data-binary @bundle.sigstore.json');
  });

  it('a bundle the console could not verify for want of a trusted root: the operators configure it', () => {
    const failed = bundleRecord({
      verifiedBy: 'console',
      ok: false,
      reason:
        'not verified: no Sigstore trusted root is configured (rco.sigstore.trustedRootFile or rco.sigstore.trustedRoot)',
    });
    const steps = nextSteps(
      gate('image-scanning', 'missing', [failed]),
      ctx([failed]),
    );
    expect(steps.find(st => st.action === 'configure')).toMatchObject({
      setting: 'rco.sigstore.trustedRootFile',
    });
  });

  it('a bundle that did not verify: sign again as the configured identity, with the reason', () => {
    const failed = bundleRecord({
      verifiedBy: 'console',
      ok: false,
      reason: 'its signature does not verify (signature verification failed)',
    });
    const steps = nextSteps(
      gate('image-scanning', 'missing', [failed]),
      ctx([failed]),
    );
    const fix = steps.find(st => st.action === 'fix')!;
    expect(fix.kind).toBe('sigstore-bundle');
    expect(fix.text).toContain(
      'The bundle did not verify (its signature does not verify (signature verification failed))',
    );
  });

  it('fills the upload command as the kind needs: digest and version for image evidence', () => {
    const [trivyStep] = nextSteps(gate('image-scanning', 'missing'), ctx());
    expect(trivyStep).toMatchObject({
      action: 'upload',
      kind: 'trivy',
      scope: 'image',
      command: `${AUTH} @trivy.json '${EVIDENCE}?digest=${encodeURIComponent(
        DIGEST,
      )}&version=1.3.2'`,
    });
    expect(trivyStep.text).toContain('trivy image --format json');
  });

  it('forces the kind and asks for the commit of a secret scan', () => {
    const [scan] = nextSteps(gate('secret-hygiene', 'missing'), ctx());
    expect(scan).toMatchObject({ scope: 'commit', kind: 'gitleaks' });
    expect(scan.command).toBe(
      `${AUTH} @gitleaks.json '${EVIDENCE}?kind=gitleaks&version=1.3.2&commit='"$GIT_SHA"`,
    );
  });

  it('uploads cluster state for the environment judged only', () => {
    const steps = nextSteps(
      gate('policy-enforcement', 'missing'),
      ctx([], {
        release: { version: '1.3.2', digest: DIGEST, environment: 'staging' },
      }),
    );
    expect(steps[0]).toMatchObject({
      environment: 'staging',
      scope: 'environment',
      command: `${AUTH} @policyreports.json '${EVIDENCE}?environment=staging'`,
    });
    expect(actions(steps)).toEqual(['upload:policy-report@staging', 'waive']);
  });

  it('service evidence names no release or environment (it counts for all)', () => {
    const [rule] = nextSteps(gate('monitoring-alerting', 'missing'), ctx());
    expect(rule).toMatchObject({
      scope: 'service',
      command: `${AUTH} @prometheusrule.json '${EVIDENCE}'`,
    });
  });

  it('asks for a runbook when none is valid', () => {
    for (const id of [
      'migration-controls',
      'rto-rpo-verification',
      'documentation-completeness',
    ] as const) {
      const [first] = nextSteps(
        gate(id, 'missing', [], ['No valid runbook declares RTO and RPO']),
        ctx(),
      );
      expect(first).toMatchObject({ action: 'fix' });
      expect(first.text).toMatch(/runbook/);
    }
  });

  it('asks for a digest before image evidence', () => {
    const steps = nextSteps(
      gate('image-scanning', 'missing'),
      ctx([], { release: { version: '1.3.2' } }),
    );
    expect(steps[0]).toMatchObject({ action: 'fix' });
    expect(steps[0].text).toMatch(/digest/);
  });
});

describe('nextSteps: failing gates', () => {
  it('image-scanning: rebuild without the findings (no command for the old digest), then waive', () => {
    const scan = record(
      'trivy',
      trivy([{ id: 'CVE-2026-1', severity: 'CRITICAL' }]),
      {
        subject: { digest: DIGEST },
      },
    );
    const steps = nextSteps(
      gate('image-scanning', 'fail', [scan]),
      ctx([scan]),
    );
    expect(actions(steps)).toEqual([
      'fix:trivy',
      'upload:sigstore-bundle',
      'upload:cyclonedx',
      'waive',
    ]);
    expect(steps[0].command).toBeUndefined();
    expect(steps.at(-1)).toMatchObject({
      group: 'group:default/security',
      people: [SAM],
    });
    expect(steps.at(-1)!.text).toContain('Sam Security');
  });

  it('secret-hygiene: rotate the secrets, then scan again', () => {
    const leak = record('gitleaks', [
      {
        RuleID: 'aws-access-token',
        File: 'config/app.env',
        StartLine: 3,
        Fingerprint: 'abc:config/app.env:aws-access-token:3',
        Secret: 'AKIAXXXXXXXXXXXXXXXX',
        Match: 'AKIAXXXXXXXXXXXXXXXX',
      },
    ]);
    const steps = nextSteps(
      gate('secret-hygiene', 'fail', [leak]),
      ctx([leak]),
    );
    expect((leak.summary as any).findings).toHaveLength(1);
    expect(steps[0]).toMatchObject({ action: 'fix', kind: 'gitleaks' });
    expect(steps[0].text).toMatch(/rotate/);
    expect(actions(steps)).toEqual([
      'fix:gitleaks',
      'upload:vault-attestation',
      'waive',
    ]);
  });

  it.each<[GateId, string]>([
    ['acronym-clarity', 'fix:naming-report'],
    ['policy-enforcement', 'fix:policy-report@staging'],
    ['monitoring-alerting', 'fix:prometheus-rule'],
    ['progressive-delivery', 'fix:argo-rollout@staging'],
    ['documentation-completeness', 'fix'],
    ['migration-controls', 'fix'],
  ])('%s: fix, then upload again (%s)', (id, first) => {
    expect(actions(nextSteps(gate(id, 'fail'), ctx()))[0]).toBe(first);
  });

  it('rto-rpo-verification: back up within RPO when backups are too far apart', () => {
    const backups = example('velero-backup', 'velero-backups.yaml');
    const steps = nextSteps(
      gate('rto-rpo-verification', 'fail', backups, [
        'Backups a and b are 2 h apart, beyond RPO',
      ]),
      ctx(backups),
    );
    expect(steps[0]).toMatchObject({
      action: 'upload',
      kind: 'velero-backup',
      environment: 'staging',
    });
    expect(steps[0].text).toContain('every PT5M');
  });

  it('dpo-signoff rejected: the signers are named, the rejection must be revoked', () => {
    const [step] = nextSteps(gate('dpo-signoff', 'fail'), ctx());
    expect(step).toMatchObject({ action: 'signoff', role: 'dpo' });
    expect(step.text).toMatch(/revokes/);
  });
});

describe('nextSteps: stale evidence', () => {
  it('asks for a fresh copy of what aged out only', () => {
    const old = record('trivy', trivy([]), {
      age: 8 * DAY,
      subject: { digest: DIGEST },
    });
    const sbom = example('cyclonedx', 'sbom-rco-1.3.2.cdx.json');
    const used = [old, ...sbom, bundleRecord(VERIFIED)];
    expect(
      actions(nextSteps(gate('image-scanning', 'stale', used), ctx(used))),
    ).toEqual(['upload:trivy', 'waive']);
  });

  it('migration-controls: run the dry-run again', () => {
    const steps = nextSteps(
      gate('migration-controls', 'stale', [], [], 'P30D'),
      ctx(),
    );
    expect(steps[0]).toMatchObject({
      action: 'rollback-dry-run',
      environment: 'staging',
    });
    expect(steps[0].text).toContain('older than P30D');
  });

  it('rto-rpo-verification: a document older than its upload ages out: every slot', () => {
    const backups = example('velero-backup', 'velero-backups.yaml');
    const restore = example('velero-restore', 'velero-restore-drill.yaml');
    const used = [...backups, ...restore];
    const steps = nextSteps(
      gate('rto-rpo-verification', 'stale', used, [], 'P1D'),
      ctx(used),
    );
    expect(actions(steps)).toContain('upload:velero-backup@production');
  });
});

describe('nextSteps: sign-offs and four eyes', () => {
  it('names the DPO signers, leaving out the requester', () => {
    const [step] = nextSteps(gate('dpo-signoff', 'missing'), ctx());
    expect(step).toMatchObject({
      action: 'signoff',
      role: 'dpo',
      group: 'group:default/dpo',
      people: [DANA],
    });
    expect(step.text).toContain('Dana DPO');
  });

  it('asks for a release request first when nobody asked', () => {
    const steps = nextSteps(
      gate('dpo-signoff', 'missing'),
      ctx([], { requester: undefined }),
    );
    expect(actions(steps)).toEqual(['request-release', 'signoff']);
    expect(steps[1].people).toEqual([ALICE, DANA]);
  });

  it('says what to configure when no DPO group is set', () => {
    const steps = nextSteps(
      gate('dpo-signoff', 'missing'),
      ctx([], {
        signoffGroups: { po: undefined, dpo: undefined, security: undefined },
      }),
    );
    expect(steps).toEqual([
      expect.objectContaining({
        action: 'configure',
        setting: 'rco.signoffs.groups.dpo',
      }),
    ]);
  });

  it('leaves the people out when the caller cannot see the group', () => {
    const [step] = nextSteps(
      gate('dpo-signoff', 'missing'),
      ctx([], { people: () => undefined }),
    );
    expect(step.people).toBeUndefined();
    expect(step.text).toContain('group:default/dpo');
  });

  it('offers no waiver without a waiver group', () => {
    expect(
      actions(
        nextSteps(
          gate('monitoring-alerting', 'missing'),
          ctx([], { waiverGroup: undefined }),
        ),
      ),
    ).toEqual(['upload:prometheus-rule']);
  });

  it('asks the operators for an environment before a dry-run', () => {
    const steps = nextSteps(
      gate('migration-controls', 'missing'),
      ctx([], { environments: [] }),
    );
    expect(steps[0]).toMatchObject({
      action: 'configure',
      setting: 'rco.environments',
    });
  });
});

describe('signoffSteps for the roles an environment requires', () => {
  it('names the PO signers of a release in production', () => {
    const steps = signoffSteps(
      'po',
      { status: 'missing' },
      ctx([], {
        people: g =>
          g === 'group:default/product-owners'
            ? [{ ref: 'user:default/paula', name: 'Paula' }]
            : undefined,
      }),
    );
    expect(steps).toEqual([
      expect.objectContaining({
        action: 'signoff',
        role: 'po',
        group: 'group:default/product-owners',
        people: [{ ref: 'user:default/paula', name: 'Paula' }],
      }),
    ]);
  });

  it('resolves the groups of the roles not yet approved', () => {
    expect(groupsNamed([], ctx(), ['po', 'security'])).toEqual([
      'group:default/product-owners',
      'group:default/security',
    ]);
  });
});

describe('groupsNamed', () => {
  it('resolves only the groups a step names', () => {
    const groups = ctx();
    expect(groupsNamed([gate('dpo-signoff', 'missing')], groups)).toEqual([
      'group:default/dpo',
    ]);
    expect(groupsNamed([gate('image-scanning', 'pass')], groups)).toEqual([]);
    expect(groupsNamed([gate('image-scanning', 'fail')], groups)).toEqual([
      'group:default/security',
    ]);
  });
});
