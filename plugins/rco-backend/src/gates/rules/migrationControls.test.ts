import { context, DAY, NOW, record } from '../__testUtils__/context';
import { migrationControls } from './migrationControls';

const dryRun = (succeeded: boolean, performedAt = NOW) =>
  record('rollback-dry-run', {
    apiVersion: 'rco.helix.dev/v1',
    kind: 'RollbackDryRun',
    metadata: { name: 'dr' },
    spec: {
      release: 'rco',
      fromRevision: 2,
      toRevision: 1,
      succeeded,
      performedAt: performedAt.toISOString(),
      tool: 'helm',
    },
  });

describe('migration-controls', () => {
  it.each([
    {
      name: 'no runbook: missing',
      ctx: () => context([dryRun(true)], { runbook: undefined }),
      status: 'missing',
      reason: 'No valid runbook',
    },
    {
      name: 'no dry-run: missing, naming the maximum age',
      ctx: () => context([]),
      status: 'missing',
      reason: 'No rollback dry-run recorded (required within P30D)',
    },
    {
      name: 'a succeeded dry-run: pass',
      ctx: () => context([dryRun(true)]),
      status: 'pass',
      reason: 'Rollback dry-run succeeded',
    },
    {
      name: 'the newest dry-run failed: fail',
      ctx: () => context([dryRun(false)]),
      status: 'fail',
      reason: 'failed',
    },
  ])('$name', ({ ctx, status, reason }) => {
    const outcome = migrationControls(ctx());
    expect(outcome.status).toBe(status);
    expect(outcome.reasons.join('\n')).toContain(reason);
  });

  it('ages a dry-run from when it was performed, never from a future date', () => {
    const past = migrationControls(
      context([dryRun(true, new Date(NOW.getTime() - 3 * DAY))]),
    );
    expect(past.freshness![0].at).toEqual(new Date(NOW.getTime() - 3 * DAY));
    const future = migrationControls(
      context([dryRun(true, new Date(NOW.getTime() + 300 * DAY))]),
    );
    expect(future.freshness![0].at).toEqual(NOW);
  });
});
