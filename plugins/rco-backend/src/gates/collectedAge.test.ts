import { DAY, context, record } from './__testUtils__/context';
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
