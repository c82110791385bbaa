import { markedReleases, promotionRoad } from './promotion';

/**
 * A canary aborted while it ran (running → aborted, with the runner's timings) sent traffic back
 * to the stable release: the release was in the environment and was taken out of it. The road
 * must see it like a rollback (marked, trouble since it went to the environment before), not
 * as if nothing happened; an abort before anything ran (no timings) changed nothing.
 */

const D1 = `sha256:${'1'.repeat(64)}`;
const R1 = { version: '1.5.0', digest: D1 };
const NOW = new Date('2026-06-10T12:00:00Z');

let seq = 0;
function op(
  environment: string,
  state: string,
  hoursAgo: number,
  extra: object = {},
): any {
  const finished = new Date(NOW.getTime() - hoursAgo * 3_600_000);
  return {
    id: `op-${++seq}`,
    environment,
    type: 'deploy',
    release: R1,
    state,
    reasons: [],
    confirmedBy: 'user:default/alice',
    createdAt: new Date(finished.getTime() - 60_000).toISOString(),
    finishedAt: finished.toISOString(),
    progress:
      state === 'succeeded'
        ? { phase: 'succeeded', metrics: [{ name: 'sr', phase: 'Successful' }] }
        : undefined,
    ...extra,
  };
}
const ran = { timings: { controlPlaneMs: 5, driverMs: 100 } };
const abortedCanary = (env: string, hoursAgo: number, metrics = 'Running') =>
  op(env, 'aborted', hoursAgo, {
    ...ran,
    progress: { phase: 'aborted', metrics: [{ name: 'sr', phase: metrics }] },
  });

const production = (operations: any[]) =>
  promotionRoad({
    order: ['staging', 'production'],
    environments: [{ name: 'staging', soak: 'PT24H' }, { name: 'production' }],
    defaultSoak: 'PT0S',
    operations,
    release: R1,
    now: NOW,
  }).stages.find(s => s.environment === 'production')!;

describe('a canary aborted while it ran', () => {
  it.each([
    ['its analysis failing', 'Failed', 'analysis-failed'],
    ['by hand', 'Running', 'rolled-back'],
  ])(
    'in production, %s: the release is marked and not deployed there again without break-glass',
    (_, metrics, reason) => {
      const ops = [
        op('staging', 'succeeded', 48),
        abortedCanary('production', 1, metrics),
      ];
      expect(markedReleases(ops)).toEqual([
        expect.objectContaining({ environment: 'production', reason }),
      ]);
      const stage = production(ops);
      expect(stage.state).toBe('rolled-back');
      expect(stage.blockers.map(b => b.kind)).toEqual(['marked']);
    },
  );

  it('in staging since the release soaked there: it needs a new successful deploy there', () => {
    const stage = production([
      op('staging', 'succeeded', 48),
      abortedCanary('staging', 2, 'Failed'),
    ]);
    expect(stage.blockers.map(b => b.kind)).toContain('analysis');
    expect(stage.blockers.map(b => b.message).join(' ')).toMatch(
      /needs a new successful deploy there/,
    );
  });

  it('aborted before it ran (no timings): nothing changed, nothing is marked', () => {
    const ops = [
      op('staging', 'succeeded', 48),
      op('production', 'aborted', 1),
    ];
    expect(markedReleases(ops)).toEqual([]);
    expect(production(ops).blockers).toEqual([]);
  });
});
