import {
  DeployDriver,
  DeployTarget,
  DriverContext,
  DriverProgress,
  DriverRevision,
  driverWording,
} from '@helix-portal/plugin-rco-node';
import {
  adoptedRollbackOutcome,
  failedRollbackOutcome,
  RollbackOutcome,
  stillRunning,
} from './rollbackOutcome';

/** What following a rollback needs from the runner. */
export interface RollbackRun {
  driver: DeployDriver;
  target: DeployTarget;
  ctx: DriverContext;
  /** Aborted when this backend stops following (stopping, or the lease was lost). */
  signal: AbortSignal;
  /** Counts the wrapped time as the driver's, not the control plane's. */
  timed: <T>(fn: () => Promise<T>) => Promise<T>;
  pollMs: number;
  /** Waits `ms`, or less when the signal aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

const wordingOf = (driver: DeployDriver) => ({
  label: driver.label,
  ...driverWording(driver),
});

/** A read that failed, as an observation of a change not known to be settled. */
const unreadable = (driver: DeployDriver, error: unknown): DriverProgress => ({
  phase: 'progressing',
  message: `${driver.label} could not be read: ${(error as Error).message}`,
});

/**
 * One observation while waiting. A read that fails (the API server or helm answering badly for a
 * moment) says nothing about the rollback: it counts as not settled, never as failed.
 */
async function look(r: RollbackRun): Promise<DriverProgress> {
  try {
    return await r.timed(() => r.driver.observe(r.target, r.ctx));
  } catch (error) {
    return unreadable(r.driver, error);
  }
}

/**
 * Observes an adopted change until the tool stops running it, at most the environment's timeout
 * plus a grace (what helm itself would wait), showing what it sees meanwhile. Returns the last
 * observation: still `progressing` when the wait ran out.
 */
async function waitWhileRunning(r: RollbackRun): Promise<DriverProgress> {
  const { target, signal } = r;
  const boundMs =
    target.timeoutMs + Math.min(30_000, Math.max(1_000, target.timeoutMs / 10));
  const deadline = Date.now() + boundMs;
  let observed = await look(r);
  let last = '';
  while (stillRunning(observed) && !signal.aborted && Date.now() < deadline) {
    // The runner's heartbeat keeps the lease; the page is told only what is new.
    const key = `${observed.phase}|${observed.revision}|${observed.message}`;
    if (key !== last) {
      last = key;
      await r.ctx.report(observed);
    }
    await r.timed(() =>
      r.sleep(Math.min(r.pollMs, deadline - Date.now()), signal),
    );
    if (signal.aborted) break;
    observed = await look(r);
  }
  return observed;
}

/**
 * A rollback this backend adopted after the backend running it stopped: never run again, only
 * followed (Helm's pending-rollback, a Rollout the controller is still rolling back) and then
 * judged. Undefined when this backend stops meanwhile: the next lease holder judges it.
 */
export async function followAdoptedRollback(
  r: RollbackRun,
  baselineRevision: string | undefined,
): Promise<RollbackOutcome | undefined> {
  const waited = Date.now();
  let observed = await waitWhileRunning(r);
  if (r.signal.aborted) return undefined;
  let current: DriverRevision | undefined;
  if (!stillRunning(observed)) {
    try {
      const history = await r.timed(() => r.driver.history(r.target, r.ctx));
      current = history.find(rev => rev.current);
    } catch (error) {
      observed = unreadable(r.driver, error);
    }
  }
  return adoptedRollbackOutcome({
    observed,
    current,
    baselineRevision,
    waitedMs: Date.now() - waited,
    wording: wordingOf(r.driver),
  });
}

/**
 * Runs a rollback through the driver. A failure is checked against what the tool shows now: a
 * helm stopped for its timeout leaves the release pending-rollback, which needs a person rather
 * than another try. Best effort: if that cannot be read, the failure stands.
 */
export async function runRollback(
  r: RollbackRun,
  revision: string | undefined,
): Promise<RollbackOutcome> {
  const result = await r.timed(() =>
    r.driver.rollback(r.target, revision, r.ctx),
  );
  if (result.phase === 'succeeded') {
    return {
      state: 'succeeded',
      reasons: result.reasons ?? [],
      progress: result,
    };
  }
  const now = await r
    .timed(() => r.driver.observe(r.target, r.ctx))
    .catch(() => undefined);
  return failedRollbackOutcome(result, now, wordingOf(r.driver));
}
