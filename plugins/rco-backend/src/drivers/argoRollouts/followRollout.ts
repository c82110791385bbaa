/**
 * Waiting for the Rollouts controller: after `undo` the driver re-reads the Rollout until it is
 * Healthy on the wanted pods, stops on its own (failed, aborted, paused), or time runs out.
 */
import { setTimeout as wait } from 'node:timers/promises';
import type {
  DriverContext,
  DriverProgress,
} from '@helix-portal/plugin-rco-node';
import { parseRevision } from './rolloutPatches';
import { Rollout } from './types';

/** Waits `ms`, or less when the signal aborts. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  // Rejects with an AbortError when the signal aborts: that only ends the wait early.
  await wait(ms, undefined, { signal }).catch(() => undefined);
}

/** True once the controller has acted on the Rollout's latest spec. */
export function observed(rollout: Rollout): boolean {
  const generation = rollout.metadata.generation;
  const seen = parseRevision(
    rollout.status?.observedGeneration === undefined
      ? undefined
      : String(rollout.status.observedGeneration),
  );
  return generation === undefined || (seen !== undefined && seen >= generation);
}

/** What {@link followRollout} needs. */
export interface FollowOptions {
  /** Reads the Rollout and what it means now. */
  read(): Promise<{ rollout: Rollout; progress: DriverProgress }>;
  /** The pod template hash the Rollout must end up serving. */
  hash: string;
  /** The revision asked for, for messages. */
  revision: string;
  timeoutMs: number;
  pollIntervalMs: number;
  ctx: DriverContext;
}

/**
 * Follows the Rollout to the end of a rollback and returns the outcome. Intermediate states are
 * reported through `ctx.report` (which also keeps the operation's lease alive).
 */
export async function followRollout(o: FollowOptions): Promise<DriverProgress> {
  const deadline = Date.now() + o.timeoutMs;
  let last: DriverProgress = { phase: 'progressing' };
  for (;;) {
    if (o.ctx.signal.aborted) {
      // The backend is stopping: leave the Rollout alone, a later observe picks it up.
      return {
        ...last,
        phase: 'progressing',
        message: 'stopped following the rollback: the backend is stopping',
      };
    }
    const { rollout, progress } = await o.read();
    const settled = observed(rollout);
    if (settled && progress.phase === 'succeeded') {
      if (rollout.status?.stableRS === o.hash) {
        return {
          ...progress,
          message: `rolled back to revision ${o.revision}, now serving as revision ${progress.revision}`,
        };
      }
      return {
        ...progress,
        phase: 'failed',
        reasons: [
          `the Rollout became healthy on pod template hash ${rollout.status?.stableRS}, not ${o.hash} of revision ${o.revision}`,
        ],
      };
    }
    // A pause (a rollback to a non-stable revision walks the canary steps) needs a human, a
    // failure or an abort is final: hand those back instead of waiting for the timeout.
    if (settled && ['failed', 'aborted', 'paused'].includes(progress.phase)) {
      return progress;
    }
    if (progress.message !== last.message) await o.ctx.report(progress);
    last = progress;
    if (Date.now() >= deadline) {
      return {
        ...progress,
        phase: 'failed',
        reasons: [
          `the Rollout did not become Healthy on revision ${
            o.revision
          } within ${o.timeoutMs / 1000}s (last: ${
            progress.message ?? progress.phase
          })`,
        ],
      };
    }
    await sleep(
      Math.min(o.pollIntervalMs, Math.max(0, deadline - Date.now())),
      o.ctx.signal,
    );
  }
}
