import { DriverProgress } from '@helix-portal/plugin-rco-node';
import { HelmHistoryEntry } from './helmOutput';

const PENDING = new Set([
  'pending-install',
  'pending-upgrade',
  'pending-rollback',
]);

/** Helm's description of the revision a rollback creates: `Rollback to 4`. */
const ROLLBACK_DESCRIPTION = /^Rollback to (\d+)/i;

/**
 * Where an operation stands, judged only from the release history (newest first) and the revision
 * that was current before the operation began. Used by `observe` after a restart: it reads, it
 * never re-runs anything.
 *
 * - no revision newer than the baseline → `unknown` (helm recorded no change: nothing changed);
 * - newest newer revision `pending-*` → `progressing` (or an interrupted helm holding the lock);
 * - newest newer revision `deployed`, `Rollback to N`, with a `failed` one between → `rolled-back`
 *   (what `--atomic` leaves behind);
 * - newest newer revision `deployed` otherwise → `succeeded`;
 * - newest newer revision `failed` → `failed`.
 *
 * @param baselineRevision - the revision current before the operation; absent for a first install.
 * @param mask - applied to every text taken from helm.
 */
export function reconcileHistory(
  release: string,
  entries: HelmHistoryEntry[],
  baselineRevision: string | undefined,
  mask: (text: string) => string,
): DriverProgress {
  if (baselineRevision !== undefined && !/^\d+$/.test(baselineRevision)) {
    return {
      phase: 'unknown',
      message: `Baseline revision '${baselineRevision}' is not a Helm revision number; cannot compare it with the history of ${release}.`,
    };
  }
  if (entries.length === 0) {
    return {
      phase: 'unknown',
      message: `Release ${release} does not exist: no history to compare with (it was never installed, or was uninstalled).`,
    };
  }
  const baseline =
    baselineRevision === undefined ? 0 : Number(baselineRevision);
  const newer = entries.filter(e => e.revision > baseline);
  const latest = entries[0];
  if (newer.length === 0) {
    return {
      phase: 'unknown',
      revision: String(latest.revision),
      message: `No revision of ${release} is newer than the baseline ${baseline} (latest is ${latest.revision}, ${latest.status}): helm recorded no change, so nothing was changed.`,
    };
  }

  const newest = newer[0];
  const revision = String(newest.revision);
  const said = newest.description ? `: ${mask(newest.description)}` : '';

  if (PENDING.has(newest.status)) {
    return {
      phase: 'progressing',
      revision,
      message:
        `Revision ${revision} of ${release} is ${newest.status}: a helm operation is still running. ` +
        `If it stays ${newest.status}, the helm process was interrupted and the release is locked; ` +
        `'helm rollback ${release}' to the last deployed revision clears it.`,
    };
  }

  if (newest.status === 'deployed') {
    const rollbackTo = ROLLBACK_DESCRIPTION.exec(newest.description ?? '');
    const failed = newer.find(
      e => e.status === 'failed' && e.revision < newest.revision,
    );
    if (rollbackTo && failed) {
      const why = failed.description
        ? mask(failed.description)
        : 'no description recorded';
      return {
        phase: 'rolled-back',
        revision,
        message: `Revision ${failed.revision} failed and helm rolled ${release} back to revision ${rollbackTo[1]} (now revision ${revision}).`,
        reasons: [`Revision ${failed.revision} failed: ${why}`],
      };
    }
    if (rollbackTo) {
      // A rollback with no failed upgrade before it: someone rolled back by hand (for example
      // to clear a pending-upgrade lock). What this operation deployed is not what serves now.
      return {
        phase: 'rolled-back',
        revision,
        message: `${release} was rolled back to revision ${rollbackTo[1]} (now revision ${revision}), not by this operation.`,
        reasons: [
          `Revision ${revision} is a rollback to revision ${rollbackTo[1]}${said}: the deploy did not stay`,
        ],
      };
    }
    return {
      phase: 'succeeded',
      revision,
      message: `Revision ${revision} of ${release} is deployed${said}.`,
    };
  }

  if (newest.status === 'failed') {
    return {
      phase: 'failed',
      revision,
      message: `Revision ${revision} of ${release} failed and nothing rolled it back.`,
      reasons: [
        newest.description
          ? `Revision ${revision} failed: ${mask(newest.description)}`
          : `Revision ${revision} failed (helm recorded no description).`,
      ],
    };
  }

  return {
    phase: 'unknown',
    revision,
    message: `Newest revision ${revision} of ${release} is ${newest.status}${said}.`,
  };
}
