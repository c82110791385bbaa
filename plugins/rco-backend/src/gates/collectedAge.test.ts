import { DAY, context, record, runbook } from './__testUtils__/context';
import { example } from './__testUtils__/examples';
import { evaluateRelease } from './evaluate';
import { inAge, observedAt } from './helpers';
import { EvidenceRecord } from '../database/EvidenceStore';
import { NOW } from './__testUtils__/context';

const MINUTE = 60_000;

/** A passing policy report the cluster collector read `firstSeen` ago and saw unchanged `lastSeen` ago. */
function collected(firstSeen: number, lastSeen: number): EvidenceRecord {
  const [r] = example('policy-report', 'policyreport-rco-prod.yaml');
  const s = r.summary as any;
  return {
    ...r,
    source: 'cluster',
    submitter: 'collector:kubernetes',
    collectedAt: new Date(NOW.getTime() - firstSeen),
    summary: { ...s, counts: { ...s.counts, fail: 0, error: 0 }, failures: [] },
    provenance: {
      collector: 'kubernetes',
      cluster: 'prod-eu',
      namespace: 'rco',
      kind: 'PolicyReport',
      name: 'rco',
      uid: 'u-1',
      resourceVersion: '42',
      firstObservedAt: new Date(NOW.getTime() - firstSeen),
      observedAt: new Date(NOW.getTime() - lastSeen),
    },
  };
}

const policyGate = (evidence: EvidenceRecord[]) =>
  evaluateRelease(
    context(evidence, {
      release: { version: '1.3.2', environment: 'production' },
      config: {
        maxAge: { 'policy-enforcement': 'P1D' },
        blockingSeverities: ['CRITICAL', 'HIGH'],
        helixCoreRepository: 'helix-core',
      },
    }),
  ).gates.find(g => g.id === 'policy-enforcement')!;

describe('collected evidence ages from its last observation (issue 13)', () => {
  it('first seen 10 days ago, seen unchanged a minute ago: fresh for a 1-day gate, with its provenance', () => {
    const gate = policyGate([collected(10 * DAY, MINUTE)]);
    expect(gate.status).toBe('pass');
    expect(gate.evidence[0].provenance).toMatchObject({
      collector: 'kubernetes',
      firstObservedAt: new Date(NOW.getTime() - 10 * DAY).toISOString(),
      observedAt: new Date(NOW.getTime() - MINUTE).toISOString(),
    });
  });

  it('last seen 2 days ago (the object is gone, or its cluster unreachable): stale', () => {
    const gate = policyGate([collected(10 * DAY, 2 * DAY)]);
    expect(gate.status).toBe('stale');
    expect(gate.reasons.join(' ')).toMatch(/stale/);
  });

  it('an upload still ages from when it was uploaded', () => {
    const upload = record(
      'gatekeeper-constraint',
      'gatekeeper-constraint-with-violations.yaml',
      { age: 2 * DAY },
    );
    expect(observedAt(upload)).toEqual(upload.collectedAt);
    const recent = collected(10 * DAY, MINUTE);
    const old = collected(10 * DAY, 2 * DAY);
    const ctx = context([recent, old], { maxAge: 'P1D' } as any);
    expect(inAge(ctx, [recent, old])).toEqual([recent]);
  });
});

describe('a runbook maxAge shorter than the observation granularity (R3 M3)', () => {
  /** The policy gate with a runbook tightening its maxAge to PT30M and a PT1H granularity. */
  const tightGate = (evidence: EvidenceRecord[]) => {
    const rb = runbook();
    const item = rb.gateChecklist.find(i => i.gate === 'policy-enforcement')!;
    return evaluateRelease(
      context(evidence, {
        runbook: {
          ...rb,
          gateChecklist: rb.gateChecklist.map(i =>
            i === item ? { ...i, maxAge: 'PT30M' } : i,
          ),
        },
        release: { version: '1.3.2', environment: 'production' },
        config: {
          maxAge: { 'policy-enforcement': 'P1D' },
          blockingSeverities: ['CRITICAL', 'HIGH'],
          helixCoreRepository: 'helix-core',
          observationGranularity: 'PT1H',
        },
      }),
    ).gates.find(g => g.id === 'policy-enforcement')!;
  };

  it('refuses: an object still listed, its observation last moved 50 minutes ago, reads stale for a PT30M gate', () => {
    const gate = tightGate([collected(10 * DAY, 50 * MINUTE)]);
    expect(gate.maxAge).toBe('PT30M');
    expect(gate.status).toBe('pass');
    // It expires once its true last observation could be older than the maximum age.
    expect(gate.expiresAt).toBe(
      new Date(NOW.getTime() - 50 * MINUTE + 90 * MINUTE).toISOString(),
    );
  });

  it('observed longer ago than maxAge plus the granularity: stale', () => {
    const gate = tightGate([collected(10 * DAY, 91 * MINUTE)]);
    expect(gate.status).toBe('stale');
  });

  it('an upload of 50 minutes ago has no such slack: stale', () => {
    const upload = {
      ...collected(50 * MINUTE, 50 * MINUTE),
      provenance: undefined,
      source: 'ci' as const,
    };
    expect(tightGate([upload]).status).toBe('stale');
  });

  it('inAge keeps a collected record within maxAge plus the granularity', () => {
    const recent = collected(10 * DAY, MINUTE);
    const lagging = collected(10 * DAY, 50 * MINUTE);
    const ctx = context([recent, lagging], {
      maxAge: 'PT30M',
      config: {
        maxAge: {},
        blockingSeverities: [],
        helixCoreRepository: 'helix-core',
        observationGranularity: 'PT1H',
      },
    });
    expect(inAge(ctx, [recent, lagging])).toEqual([recent, lagging]);
  });
});
