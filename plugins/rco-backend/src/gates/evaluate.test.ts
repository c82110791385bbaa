import { GateId } from '@helix-portal/plugin-rco-common';
import {
  bundleRecord,
  context,
  VERIFIED,
  DAY,
  DIGEST,
  NOW,
  record,
  runbook,
  trivy,
} from './__testUtils__/context';
import { evaluateRelease } from './evaluate';
import { GateContext, WaiverRecord } from './types';

const gate = (ctx: GateContext, id: GateId) =>
  evaluateRelease(ctx).gates.find(g => g.id === id)!;

const dryRun = (ageDays: number, source: 'ci' | 'human' = 'ci') =>
  record(
    'rollback-dry-run',
    {
      apiVersion: 'rco.helix.dev/v1',
      kind: 'RollbackDryRun',
      metadata: { name: 'dr' },
      spec: {
        release: 'rco',
        fromRevision: 2,
        toRevision: 1,
        succeeded: true,
        performedAt: new Date(NOW.getTime() - ageDays * DAY).toISOString(),
        tool: 'helm',
      },
    },
    {
      age: ageDays * DAY,
      source,
      submitter: source === 'human' ? 'user:default/x' : 'service:ci-rco',
    },
  );
const failingScan = () =>
  record('trivy', trivy([{ id: 'CVE-1', severity: 'CRITICAL' }]), {
    subject: { digest: DIGEST },
  });
const config = (maxAge: GateContext['config']['maxAge']) => ({
  maxAge,
  blockingSeverities: ['CRITICAL', 'HIGH'],
  helixCoreRepository: 'helix-core',
});

describe('evaluateRelease: maximum age', () => {
  it.each([
    {
      name: "the runbook's dry-run age tightens app-config's",
      configured: { 'migration-controls': 'P60D' },
      runbookAge: 'P30D',
      expected: 'P30D',
    },
    {
      name: 'the runbook cannot loosen app-config',
      configured: { 'migration-controls': 'P10D' },
      runbookAge: 'P30D',
      expected: 'P10D',
    },
    {
      name: "without app-config, the catalogue's default and the runbook's tighter one",
      configured: {},
      runbookAge: 'P7D',
      expected: 'P7D',
    },
  ])('$name', ({ configured, runbookAge, expected }) => {
    const rb = runbook();
    rb.targets.rollbackDryRunMaxAge = runbookAge;
    const g = gate(
      context([dryRun(1)], { runbook: rb, config: config(configured) }),
      'migration-controls',
    );
    expect(g.maxAge).toBe(expected);
  });

  it("a checklist item's maxAge tightens another gate's", () => {
    const rb = runbook();
    rb.gateChecklist.find(i => i.gate === 'image-scanning')!.maxAge = 'P1D';
    expect(
      gate(context([failingScan()], { runbook: rb }), 'image-scanning').maxAge,
    ).toBe('P1D');
  });
});

describe('evaluateRelease: stale evidence', () => {
  it.each([
    { ageDays: 29, status: 'pass' },
    { ageDays: 31, status: 'stale' },
  ])('a dry-run $ageDays days old: $status', ({ ageDays, status }) => {
    const g = gate(context([dryRun(ageDays)]), 'migration-controls');
    expect(g.status).toBe(status);
    expect(g.reasons[0] ?? '').toBe(
      status === 'stale'
        ? `Evidence is stale: rollback dry-run is ${ageDays} days old (max P30D)`
        : 'Runbook declares RTO PT15M and RPO PT5M',
    );
    expect(Date.parse(g.expiresAt!)).toBe(
      NOW.getTime() - ageDays * DAY + 30 * DAY,
    );
  });
});

describe('evaluateRelease: waivers', () => {
  const waiver = (over: Partial<WaiverRecord> = {}): WaiverRecord => ({
    id: 'w1',
    gate: 'image-scanning',
    justification: 'not reachable',
    grantedBy: 'user:default/sam',
    createdAt: new Date(NOW.getTime() - DAY),
    expiresAt: new Date(NOW.getTime() + DAY),
    ...over,
  });
  it.each([
    { name: 'an active waiver', w: waiver(), status: 'waived' },
    {
      name: 'an expired waiver',
      w: waiver({ expiresAt: new Date(NOW.getTime() - 1) }),
      status: 'fail',
    },
    {
      name: 'a revoked waiver',
      w: waiver({ revokedAt: new Date(NOW.getTime() - 1) }),
      status: 'fail',
    },
    {
      name: 'a waiver for another environment',
      w: waiver({ environment: 'staging' }),
      status: 'fail',
    },
    {
      name: 'a waiver for another version',
      w: waiver({ releaseVersion: '9.9.9' }),
      status: 'fail',
    },
  ])('$name: $status', ({ w, status }) => {
    const ctx = context([failingScan()], {
      waivers: [w],
      release: { version: '1.3.2', digest: DIGEST, environment: 'production' },
    });
    const g = gate(ctx, 'image-scanning');
    expect(g.status).toBe(status);
    expect(g.waiver?.id).toBe(status === 'waived' ? 'w1' : undefined);
    expect(g.reasons[0].startsWith('Waived by user:default/sam')).toBe(
      status === 'waived',
    );
  });
});

describe('evaluateRelease: waivers without rco.waivers.group', () => {
  it('does not count a waiver once no waiver group is configured, and says why', () => {
    const ctx = context([failingScan()], {
      waivers: [
        {
          id: 'w1',
          gate: 'image-scanning',
          justification: 'not reachable',
          grantedBy: 'user:default/sam',
          createdAt: new Date(NOW.getTime() - DAY),
          expiresAt: new Date(NOW.getTime() + DAY),
        },
      ],
      groups: {
        signoffGroups: { po: true, dpo: true, security: true },
        waiverGroup: false,
        breakGlassGroup: true,
      },
      release: { version: '1.3.2', digest: DIGEST, environment: 'production' },
    });
    const g = gate(ctx, 'image-scanning');
    expect(g.status).toBe('fail');
    expect(g.waiver).toBeUndefined();
    expect(g.reasons).toContain(
      'Waiver w1 by user:default/sam does not count: rco.waivers.group is not configured, so nobody may waive a gate',
    );
  });
});

describe('evaluateRelease: sources', () => {
  it("judges each gate on the sources it accepts and shows each item's source", () => {
    const g = gate(context([dryRun(1, 'human')]), 'migration-controls');
    expect(g.status).toBe('missing');
    expect(g.reasons.join('\n')).toContain(
      'ignored: uploaded by a person (user:default/x); migration-controls accepts ci, cluster, monitoring, system',
    );
    const scan = gate(context([failingScan()]), 'image-scanning');
    expect(scan.evidence).toEqual([
      expect.objectContaining({ source: 'ci', submitter: 'service:ci-rco' }),
    ]);
    expect(scan.evidence[0].imageAssertedBy).toBeUndefined();
  });

  it('says whose word it is when a document names no image', () => {
    const doc = trivy([]);
    doc.Metadata = {} as any;
    doc.ArtifactName = 'app.tar';
    const g = gate(
      context([record('trivy', doc, { subject: { digest: DIGEST } })]),
      'image-scanning',
    );
    expect(g.evidence[0].imageAssertedBy).toBe('service:ci-rco');
    expect(g.reasons).toContain('trivy: image asserted by service:ci-rco');
  });
});

describe('evaluateRelease: pillars read evidence under the source policy', () => {
  it("a person's bundle does not sign the release image; CI's cosign report never does", () => {
    // Issue 13: CI's cosign report signed the image here before (the hole closed): only a
    // Sigstore bundle the console verified does, under the source policy as ever.
    const cosign = [
      {
        critical: {
          identity: { 'docker-reference': 'registry.example/rco' },
          image: { 'docker-manifest-digest': DIGEST },
          type: 'cosign container image signature',
        },
        optional: null,
      },
    ];
    const signed = (evidence: ReturnType<typeof record>[]) =>
      evaluateRelease(context(evidence))
        .pillars.find(p => p.id === 'trust-by-design')!
        .requirements.find(
          r =>
            r.requirement ===
            'Release image signed (Sigstore, verified by the console)',
        )!.met;
    expect(signed([bundleRecord(VERIFIED, { source: 'ci' })])).toBe(true);
    expect(signed([bundleRecord(VERIFIED, { source: 'human' })])).toBe(false);
    expect(signed([record('cosign', cosign, { source: 'ci' })])).toBe(false);
  });

  it('shows how each signature was judged on the evidence it used', () => {
    const g = evaluateRelease(
      context([
        bundleRecord(VERIFIED),
        record('cosign', 'cosign-verify-key-based.json', {
          subject: { digest: DIGEST },
        }),
      ]),
    ).gates.find(x => x.id === 'image-scanning')!;
    expect(
      g.evidence.find(e => e.kind === 'sigstore-bundle')!.signature,
    ).toEqual(VERIFIED);
  });
});
