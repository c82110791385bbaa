import { DriverProgress, DriverRevision } from '@helix-portal/plugin-rco-node';
import {
  adoptedRollbackOutcome,
  failedRollbackOutcome,
  stillRunning,
} from './rollbackOutcome';

const wording = {
  label: 'Helm',
  whereToLook: "the Helm history ('helm history <release>')",
};
const pending: DriverProgress = {
  phase: 'progressing',
  revision: '5',
  message:
    'Revision 5 of rco is pending-rollback: a helm operation is still running.',
};
const revision = (r: string, current = true): DriverRevision => ({
  revision: r,
  status: current ? 'deployed' : 'superseded',
  description: 'Rollback to 3',
  current,
});

describe('stillRunning', () => {
  it.each([
    ['progressing', true],
    ['paused', false],
    ['succeeded', false],
    ['failed', false],
    ['unknown', false],
  ] as const)('%s → %s', (phase, expected) => {
    expect(stillRunning({ phase })).toBe(expected);
  });
});

describe('adoptedRollbackOutcome', () => {
  const judge = (
    observed: DriverProgress,
    current?: DriverRevision,
    baselineRevision = '4',
  ) =>
    adoptedRollbackOutcome({
      observed,
      current,
      baselineRevision,
      waitedMs: 11_000,
      wording,
    });

  it('needs attention, in words, while the tool still runs it after the wait', () => {
    const out = judge(pending, revision('4'));
    expect(out.state).toBe('needs-attention');
    expect(out.reasons.join(' ')).toContain('after waiting 11s');
    expect(out.reasons.join(' ')).toContain('pending-rollback');
    expect(out.reasons.join(' ')).toContain('helm history');
  });

  it("fails with the driver's words when the tool reports the rollback failed", () => {
    const out = judge(
      {
        phase: 'failed',
        revision: '5',
        message: 'Revision 5 of rco failed and nothing rolled it back.',
        reasons: ['Revision 5 failed: timed out waiting for the condition'],
      },
      revision('4'),
    );
    expect(out.state).toBe('failed');
    expect(out.reasons).toContain(
      'Revision 5 failed: timed out waiting for the condition',
    );
  });

  it('succeeds when a revision newer than the baseline serves', () => {
    const out = judge({ phase: 'rolled-back', revision: '5' }, revision('5'));
    expect(out).toMatchObject({
      state: 'succeeded',
      progress: { phase: 'succeeded', revision: '5' },
    });
  });

  it('is never called failed when nothing newer than the baseline serves yet (the stopped backend may still run it)', () => {
    const out = judge({ phase: 'unknown', revision: '4' }, revision('4'));
    expect(out.state).toBe('needs-attention');
    expect(out.reasons[0]).toMatch(/shows no sign the rollback took effect/);
  });

  it('needs attention when the history shows nothing current', () => {
    expect(judge({ phase: 'unknown' }).state).toBe('needs-attention');
  });
});

describe('failedRollbackOutcome', () => {
  const failed: DriverProgress = {
    phase: 'failed',
    message: 'helm rollback of rco ran too long and was stopped.',
    reasons: ['Timeout: helm rollback did not finish within 11s'],
  };

  it('needs attention when the tool still shows a change in progress', () => {
    const out = failedRollbackOutcome(failed, pending, wording);
    expect(out.state).toBe('needs-attention');
    expect(out.reasons[0]).toBe(failed.reasons![0]);
    expect(out.reasons.join(' ')).toContain('pending-rollback');
  });

  it.each([
    ['unread', undefined],
    ['settled', { phase: 'failed' } as DriverProgress],
  ])('stays failed when what the tool shows is %s', (_, observed) => {
    expect(failedRollbackOutcome(failed, observed, wording)).toEqual({
      state: 'failed',
      progress: failed,
      reasons: failed.reasons,
    });
  });
});
