import { DriverProgress, DriverRevision } from '@helix-portal/plugin-rco-node';
import { OperationState } from '@helix-portal/plugin-rco-common';

/** How a rollback ended, in the words the operation keeps. */
export interface RollbackOutcome {
  state: Extract<OperationState, 'succeeded' | 'failed' | 'needs-attention'>;
  reasons: string[];
  progress?: DriverProgress;
}

/** What the wording of a driver contributes (see driverWording in rco-node). */
export interface RollbackWording {
  label: string;
  whereToLook: string;
}

/**
 * The tool is still running a change: Helm reports a `pending-*` revision newer than the
 * baseline, or the Rollout is still progressing. A rollback in this state is neither done nor
 * failed, whatever the history's current revision says.
 */
export const stillRunning = (p: DriverProgress) => p.phase === 'progressing';

/**
 * A rollback this backend adopted (its lease ran out: the backend that started it died or
 * stalled), judged from what the driver observes once it stopped moving or the wait ran out. It
 * is never run again.
 *
 * - still running (or unreadable) after the wait → `needs-attention`, saying what the tool
 *   reports and where to look (the tool may still finish it, or an interrupted helm holds the
 *   release's lock);
 * - the driver reports the change failed → `failed`, with the driver's words;
 * - a revision newer than the baseline is current → `succeeded`;
 * - otherwise nothing shows it took effect, nor that it will not → `needs-attention`.
 */
export function adoptedRollbackOutcome(o: {
  observed: DriverProgress;
  current?: DriverRevision;
  baselineRevision?: string;
  waitedMs: number;
  wording: RollbackWording;
}): RollbackOutcome {
  const { observed, current, wording } = o;
  if (stillRunning(observed)) {
    return {
      state: 'needs-attention',
      progress: observed,
      reasons: [
        `Adopted after a backend stopped: ${
          wording.label
        } has not shown the rollback settled after waiting ${Math.round(
          o.waitedMs / 1000,
        )}s (the environment's timeout): ${observed.message ?? observed.phase}`,
        `Nothing was run again. A person needs to look at ${wording.whereToLook}: the rollback may still finish, or an interrupted one holds the release.`,
      ],
    };
  }
  if (observed.phase === 'failed') {
    return {
      state: 'failed',
      progress: observed,
      reasons: [
        `Reconciled after a backend stopped: ${
          observed.message ?? 'the rollback failed'
        }`,
        ...(observed.reasons ?? []),
      ],
    };
  }
  const happened =
    !!current && Number(current.revision) > Number(o.baselineRevision ?? 0);
  if (happened) {
    return {
      state: 'succeeded',
      progress: { phase: 'succeeded', revision: current!.revision },
      reasons: [
        `Reconciled after a restart: revision ${
          current!.revision
        } is current (${current!.description ?? current!.status})`,
      ],
    };
  }
  // Nothing shows the rollback happened, but nothing shows it will not: the stopped backend's
  // helm may not have written its pending revision yet when this one looked. Calling that failed
  // would invite a second rollback racing the first, so a person looks.
  return {
    state: 'needs-attention',
    progress: observed,
    reasons: [
      `Adopted after a backend stopped: ${wording.label} shows no sign the rollback took effect, and the stopped backend may still be running it; nothing is re-run.`,
      `A person needs to look at ${wording.whereToLook} before rolling back again.`,
    ],
  };
}

/**
 * A rollback this backend ran that the driver reports failed, checked against what the tool
 * shows now: Helm stopped for its timeout leaves the release `pending-rollback`, and that is not
 * a settled failure but a release a person has to clear.
 */
export function failedRollbackOutcome(
  result: DriverProgress,
  observed: DriverProgress | undefined,
  wording: RollbackWording,
): RollbackOutcome {
  if (observed && stillRunning(observed)) {
    return {
      state: 'needs-attention',
      progress: { ...observed, revision: observed.revision ?? result.revision },
      reasons: [
        ...(result.reasons ?? []),
        `${wording.label} still reports a change in progress: ${
          observed.message ?? observed.phase
        }`,
        `A person needs to look at ${wording.whereToLook} before anything else runs.`,
      ],
    };
  }
  return { state: 'failed', progress: result, reasons: result.reasons ?? [] };
}
