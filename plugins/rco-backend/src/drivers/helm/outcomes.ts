import {
  DeployTarget,
  DriverProgress,
  DriverRevision,
} from '@helix-portal/plugin-rco-node';
import { timeoutSeconds } from './helmArgs';
import { HelmFailure } from './helmErrors';
import { HelmHistoryEntry } from './helmOutput';

/**
 * What a failed helm call means for the operation, in words a person can act on. The failure's
 * text is already masked; these functions only add the release, namespace and numbers.
 */

/**
 * A failed `helm upgrade --install --atomic` (other than a lock, see {@link lockedOutcome}).
 *
 * @param current - the revision serving after helm gave up, when it could be read.
 */
export function upgradeFailed(
  release: string,
  failure: HelmFailure,
  seconds: number,
  current: DriverRevision | undefined,
): DriverProgress {
  const cause = failure.cause ?? failure.error;
  switch (failure.kind) {
    case 'atomic-rolled-back':
      return {
        phase: 'rolled-back',
        revision: current?.revision,
        message: `The upgrade of ${release} failed and helm rolled it back (--atomic)${
          current ? `; revision ${current.revision} is serving` : ''
        }.`,
        reasons: [
          `helm upgrade failed and --atomic rolled the release back: ${cause}`,
        ],
      };
    case 'atomic-uninstalled':
      return {
        phase: 'failed',
        message: `The first install of ${release} failed and helm uninstalled it (--atomic): nothing is deployed.`,
        reasons: [
          `helm install failed and --atomic uninstalled the release: ${cause}`,
        ],
      };
    case 'timeout':
      return {
        phase: 'failed',
        message: `The upgrade of ${release} timed out and nothing rolled it back.`,
        reasons: [
          `Timeout: helm waited ${seconds}s for the release's resources to be ready: ${failure.error}`,
        ],
      };
    default:
      return {
        phase: 'failed',
        message: `helm upgrade of ${release} failed.`,
        reasons: [`helm upgrade failed: ${failure.error}`],
      };
  }
}

/** A failed `helm rollback --wait` (other than a lock). */
export function rollbackFailed(
  target: DeployTarget,
  failure: HelmFailure,
  to: string,
  seconds: number,
): DriverProgress {
  const release = target.helm!.release;
  if (failure.kind === 'timeout') {
    return {
      phase: 'failed',
      message: `The rollback of ${release} to ${to} timed out; nothing else was rolled back.`,
      reasons: [
        `Timeout: helm waited ${seconds}s for the rolled-back resources to be ready: ${failure.error}`,
      ],
    };
  }
  return {
    phase: 'failed',
    message: `helm rollback of ${release} failed.`,
    reasons: [
      failure.kind === 'not-found'
        ? `Release ${release} does not exist in namespace ${target.namespace}.`
        : `helm rollback failed: ${failure.error}`,
    ],
  };
}

/** A `helm rollback --dry-run` that says the rollback would fail. */
export function dryRunFailed(
  target: DeployTarget,
  failure: HelmFailure,
  to: string,
): DriverProgress {
  const release = target.helm!.release;
  let reason = `helm rollback --dry-run failed: ${failure.error}`;
  if (failure.kind === 'not-found') {
    reason = `Release ${release} does not exist in namespace ${target.namespace}.`;
  } else if (failure.kind === 'locked') {
    reason = `Release ${release} is locked by another operation (install/upgrade/rollback in progress).`;
  }
  return {
    phase: 'failed',
    message: `A rollback of ${release} to ${to} would fail (dry run, nothing changed).`,
    reasons: [reason],
  };
}

/**
 * Helm refused because a `pending-*` revision holds the release. Either another helm is running,
 * or one was interrupted and the lock stays until someone rolls back.
 *
 * @param entries - the release history (newest first), possibly empty when it could not be read.
 */
export function lockedOutcome(
  target: DeployTarget,
  failure: HelmFailure,
  entries: HelmHistoryEntry[],
): DriverProgress {
  const release = target.helm!.release;
  const pending = entries.find(e => e.status.startsWith('pending-'));
  const deployed = entries.find(e => e.status === 'deployed');
  const state = pending
    ? `revision ${pending.revision} is ${pending.status}`
    : 'a revision is pending';
  const rollback = `helm rollback ${release}${
    deployed ? ` ${deployed.revision}` : ''
  } -n ${target.namespace}`;
  return {
    phase: 'failed',
    revision: pending ? String(pending.revision) : undefined,
    message: `Release ${release} is locked by another operation; nothing was changed.`,
    reasons: [
      `Release ${release} is locked by another operation (${state}): ${failure.error}. ` +
        `Wait for the running install/upgrade/rollback to finish; if no helm process is running ` +
        `(it was interrupted), clear the lock with '${rollback}' and deploy again.`,
    ],
  };
}

/** The driver stopped a helm that ran past its deadline. */
export function killedForTimeout(
  target: DeployTarget,
  verb: 'upgrade' | 'rollback',
  deadlineMs: number,
): DriverProgress {
  const release = target.helm!.release;
  const within = Math.round(deadlineMs / 1000);
  const timeout = timeoutSeconds(target.timeoutMs);
  return {
    phase: 'failed',
    message: `helm ${verb} of ${release} ran too long and was stopped.`,
    reasons: [
      `Timeout: helm ${verb} did not finish within ${within}s (timeout ${timeout}s plus grace) ` +
        `and was stopped. The release may be left pending (locked): check its history; ` +
        `'helm rollback ${release} -n ${target.namespace}' clears a stuck pending revision.`,
    ],
  };
}
