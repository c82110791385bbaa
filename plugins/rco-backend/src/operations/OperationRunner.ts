import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  DeployDriver,
  DriverContext,
  DriverProgress,
  driverWording,
} from '@helix-portal/plugin-rco-node';
import {
  OperationProgress,
  OperationState,
  OperationStep,
} from '@helix-portal/plugin-rco-common';
import { OperationRecord, OperationStore } from '../database/OperationStore';
import { Environments } from './environments';
import { followAdoptedRollback, runRollback } from './followRollback';
import { RollbackOutcome } from './rollbackOutcome';
import { pinnedTarget, TargetMovedError } from './pinnedTarget';
import { TargetBindings } from './targetBinding';
import { revisionWords, versionOfRevision } from './wording';
import { databaseUnavailableReason } from '../service/unavailable';
import { CustomErrorBase } from '@backstage/errors';

/** What the runner tells the outside world: live progress, finished operations, evidence. */
export interface OperationEvents {
  /** Any change worth repainting the page for (signals). */
  changed(op: OperationRecord): Promise<void>;
  /** A terminal state (notifications to the owners). */
  finished(op: OperationRecord, entity?: Entity): Promise<void>;
  /** A rollback dry-run ended: record it as evidence for `migration-controls`. */
  dryRunRecorded(
    op: OperationRecord,
    result: DriverProgress,
    fromRevision?: string,
  ): Promise<void>;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>(resolve => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

const TERMINAL_PHASES: Record<string, OperationState | undefined> = {
  succeeded: 'succeeded',
  failed: 'failed',
  'rolled-back': 'rolled-back',
  aborted: 'aborted',
};

const view = (p: DriverProgress): OperationProgress => ({
  phase: p.phase,
  message: p.message,
  revision: p.revision,
  step: p.step,
  canaryWeight: p.canaryWeight,
  metrics: p.metrics,
});

/** A short, secret-free name of an error for reasons and logs: never its message (knex's has SQL). */
function errorName(error: unknown) {
  const e = (error ?? {}) as { name?: unknown; code?: unknown };
  const name = typeof e.name === 'string' ? e.name : 'error';
  const code =
    typeof e.code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(e.code)
      ? ` ${e.code}`
      : '';
  return `${name}${code}`;
}

/**
 * The console's own store failed under a driver's `ctx.report`: the console's trouble, not the
 * tool's, whatever the driver does with it. Its message is ours (no SQL), so a driver that quotes
 * it in its own error quotes nothing of the statement either.
 */
class ConsoleReportError extends Error {
  readonly name = 'ConsoleReportError';
  constructor(readonly reason: string) {
    super(`The console could not record the progress (${reason})`);
  }
}

/** The ConsoleReportError behind `error`: itself, or a cause a driver wrapped it in. */
function consoleReportError(error: unknown): ConsoleReportError | undefined {
  let e = error;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    if (e instanceof ConsoleReportError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Drives running operations through their driver while holding a lease with heartbeats, and
 * adopts operations whose lease ran out (a backend stopped): it asks the driver what really
 * happened (Helm history, Rollout status) and never runs a step again.
 */
export class OperationRunner {
  private readonly active = new Map<string, AbortController>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly o: {
      store: OperationStore;
      environments: Environments;
      drivers: Map<string, DeployDriver>;
      loadEntity: (entityRef: string) => Promise<Entity | undefined>;
      events: OperationEvents;
      logger: LoggerService;
      instanceId: string;
      leaseMs: number;
      pollMs: number;
      confirmationTimeoutMs: number;
      /** Which entity holds which target: re-checked before the driver runs (ADR 0007). */
      bindings: TargetBindings;
    },
  ) {}

  async published(op: OperationRecord) {
    await this.o.events
      .changed(op)
      .catch(error =>
        this.o.logger.warn(`Could not publish operation ${op.id}: ${error}`),
      );
  }

  /** A driver context bound to an operation; report() renews the lease. */
  context(op: OperationRecord, signal = this.stopping.signal): DriverContext {
    return {
      operationId: op.id,
      logger: this.o.logger.child({ operation: op.id }),
      signal,
      baselineRevision: op.baselineRevision,
      report: async progress => {
        await this.o.store.reportProgress(
          op.id,
          this.o.instanceId,
          this.o.leaseMs,
          {
            progress: view(progress),
          },
        );
        await this.published({ ...op, progress: view(progress) });
      },
    };
  }

  /** Starts driving an operation in the background (once per process). */
  start(op: OperationRecord, resume = false) {
    if (this.active.has(op.id) || this.stopping.signal.aborted) return;
    const controller = new AbortController();
    this.active.set(op.id, controller);
    this.drive(op, resume, controller)
      .catch(error =>
        this.o.logger.error(
          `Operation ${op.id} stopped unexpectedly: ${error}`,
        ),
      )
      .finally(() => this.active.delete(op.id));
  }

  /**
   * Runs `fn` (preflight) while this backend holds the operation: the lease is renewed and the
   * reconciler of this instance leaves it alone.
   */
  async hold<T>(op: OperationRecord, fn: () => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.active.set(op.id, controller);
    const heartbeat = setInterval(() => {
      this.o.store
        .claimLease(op.id, this.o.instanceId, this.o.leaseMs)
        .catch(() => {});
    }, Math.max(50, this.o.leaseMs / 3));
    heartbeat.unref?.();
    try {
      return await fn();
    } finally {
      clearInterval(heartbeat);
      this.active.delete(op.id);
    }
  }

  /** Stops following (the process is stopping); leases run out and another backend adopts. */
  async stop() {
    this.stopping.abort();
    for (const c of this.active.values()) c.abort();
  }

  get activeCount() {
    return this.active.size;
  }

  private async drive(
    op: OperationRecord,
    resume: boolean,
    controller: AbortController,
  ) {
    const { store, instanceId, leaseMs } = this.o;
    if (!(await store.claimLease(op.id, instanceId, leaseMs))) return;
    const started = Date.now();
    let driverMs = 0;
    // What the driver threw is the tool's failure, whatever its words (a driver's own socket
    // error must not read as the database's and leave the operation to be adopted forever).
    const driverErrors = new WeakSet<object>();
    const timed = async <T>(fn: () => Promise<T>) => {
      const t = Date.now();
      try {
        return await fn();
      } catch (error) {
        if (error && typeof error === 'object') driverErrors.add(error);
        throw error;
      } finally {
        driverMs += Date.now() - t;
      }
    };
    // Losing the lease (another backend adopted the operation after a long pause here) stops
    // this follower; it does not interrupt a driver call, so a running `helm upgrade` is not
    // killed half way (the adopter only observes).
    const heartbeat = setInterval(() => {
      store.claimLease(op.id, instanceId, leaseMs).then(
        ok => {
          if (!ok) controller.abort();
        },
        () => {},
      );
    }, Math.max(50, leaseMs / 3));
    heartbeat.unref?.();
    const signal = AbortSignal.any([controller.signal, this.stopping.signal]);
    const bound = this.context(op, this.stopping.signal);
    const ctx: DriverContext = {
      ...bound,
      report: async progress => {
        try {
          await bound.report(progress);
        } catch (error) {
          throw new ConsoleReportError(
            databaseUnavailableReason(error) ?? errorName(error),
          );
        }
      },
    };
    const driver = this.o.drivers.get(op.driver);
    const entity = await this.o.loadEntity(op.entityRef);
    let steps: OperationStep[] = op.steps;
    const mark = (
      id: string,
      status: OperationStep['status'],
      message?: string,
    ) => {
      const at = new Date().toISOString();
      steps = steps.map(s =>
        s.id === id
          ? {
              ...s,
              status,
              ...(status === 'running'
                ? { startedAt: at }
                : { finishedAt: at }),
              ...(message ? { message } : {}),
            }
          : s,
      );
    };
    const finish = async (
      to: OperationState,
      reasons: string[],
      progress?: DriverProgress,
    ) => {
      if (signal.aborted) return; // stopping: leave it to the next lease holder
      for (const st of steps.filter(
        x => x.irreversible && x.status === 'running',
      )) {
        mark(
          st.id,
          to === 'succeeded' ? 'done' : 'failed',
          to === 'succeeded'
            ? 'Applied with the release'
            : 'The release did not complete: check whether the migration ran',
        );
      }
      const done = await store.transition(op.id, {
        from: ['running'],
        to,
        steps,
        reasons: [...op.reasons, ...reasons],
        progress: progress ? view(progress) : undefined,
        resultRevision: progress?.revision,
        actor: `rco:${op.driver}`,
        timings: { controlPlaneMs: Date.now() - started - driverMs, driverMs },
      });
      if (!done) return;
      await this.published(done);
      await this.o.events
        .finished(done, entity)
        .catch(error =>
          this.o.logger.warn(`Could not notify about ${op.id}: ${error}`),
        );
    };
    try {
      if (!driver || !entity) {
        await finish('failed', [
          !driver
            ? `No driver "${op.driver}" in this backend`
            : `${op.entityRef} is no longer in the catalog`,
        ]);
        return;
      }
      // Only the target the operation was checked and locked for: the entity's annotations may
      // have changed since (a confirmation, a restart, another backend adopting it).
      let target;
      try {
        target = await pinnedTarget(this.o, entity, op, !!driver.simulated);
      } catch (error) {
        if (!(error instanceof TargetMovedError)) throw error;
        // Started before (adopted, or already reporting): what the tool did to the recorded
        // target is not known here, so a person looks. Not started: nothing changed.
        const driverStarted =
          op.type !== 'rollback-dry-run' && (resume || !!op.progress);
        mark(op.type, 'failed', error.message);
        await finish(driverStarted ? 'needs-attention' : 'failed', [
          driverStarted
            ? `${error.message} It was not followed further: check the release it was started on.`
            : `${error.message} Nothing was changed.`,
        ]);
        return;
      }
      const stepId = op.type;
      if (op.type === 'rollback-dry-run') {
        if (resume) {
          await finish('failed', [
            'Interrupted by a backend restart; nothing was changed. Run the dry-run again.',
          ]);
          return;
        }
        mark(stepId, 'running');
        const result = await timed(() =>
          driver.rollbackDryRun(target, op.targetRevision, ctx),
        );
        mark(
          stepId,
          result.phase === 'succeeded' ? 'done' : 'failed',
          result.message,
        );
        await this.o.events.dryRunRecorded(op, result, op.baselineRevision);
        await finish(
          result.phase === 'succeeded' ? 'succeeded' : 'failed',
          result.reasons ?? [result.message ?? ''],
          result,
        );
        return;
      }
      if (op.type === 'rollback') {
        const run = {
          driver,
          target,
          ctx,
          signal,
          timed,
          pollMs: this.o.pollMs,
          sleep,
        };
        let outcome: RollbackOutcome | undefined;
        if (resume) {
          // Adopted: never roll back twice; wait while the tool still runs it.
          outcome = await followAdoptedRollback(run, op.baselineRevision);
          if (!outcome) return;
        } else {
          mark(stepId, 'running');
          await ctx.report({ phase: 'progressing', message: 'Rolling back' });
          outcome = await runRollback(run, op.targetRevision);
        }
        mark(
          stepId,
          outcome.state === 'succeeded' ? 'done' : 'failed',
          outcome.progress?.message,
        );
        await finish(outcome.state, outcome.reasons, outcome.progress);
        return;
      }
      // deploy
      let progress: DriverProgress;
      if (resume || op.progress) {
        progress = await timed(() => driver.observe(target, ctx));
        if (progress.phase === 'unknown') {
          await finish(
            'failed',
            [
              `Reconciled after a restart: ${
                driver.label
              } shows no change since revision ${
                op.baselineRevision ?? '(none)'
              } (${progress.message ?? 'unknown'}); nothing is re-run`,
            ],
            progress,
          );
          return;
        }
      } else {
        // The migration runs with the release (chart hook or migration job): it is running while
        // the deploy runs, and ends with it.
        for (const s of steps.filter(x => x.irreversible))
          mark(
            s.id,
            'running',
            'Runs with the release (chart hook / migration job)',
          );
        mark('deploy', 'running');
        await store.reportProgress(op.id, instanceId, leaseMs, { steps });
        progress = await timed(() =>
          driver.deploy(
            target,
            {
              version: op.release.version,
              digest: op.release.digest,
              image: this.o.environments.imageFor(
                entity,
                op.environment,
                op.release,
              ),
            },
            ctx,
          ),
        );
      }
      let last = '';
      let lastChange = Date.now();
      // A driver that reports no change for longer than the environment's timeout (a Helm lock,
      // a Rollouts controller that is down) ends the operation for a person to look at, instead
      // of holding the environment forever. A pause for promotion waits for people.
      const stallMs = target.timeoutMs + Math.max(60_000, target.timeoutMs / 2);
      while (
        !signal.aborted &&
        (progress.phase === 'progressing' || progress.phase === 'paused')
      ) {
        const key = JSON.stringify(view(progress));
        if (
          progress.phase === 'progressing' &&
          key === last &&
          Date.now() - lastChange > stallMs
        ) {
          mark('deploy', 'failed', progress.message);
          await finish(
            'failed',
            [
              `No progress from ${driver.label} for ${Math.round(
                stallMs / 60_000,
              )} minutes (${
                progress.message ?? progress.phase
              }): needs a person to look at ${
                driverWording(driver).whereToLook
              }`,
            ],
            progress,
          );
          return;
        }
        if (key !== last) {
          lastChange = Date.now();
          last = key;
          await store.reportProgress(op.id, instanceId, leaseMs, {
            progress: view(progress),
            steps,
          });
          await this.published({
            ...op,
            steps,
            progress: view(progress),
            state: 'running',
          });
        }
        await timed(() => sleep(this.o.pollMs, signal));
        if (signal.aborted) break;
        progress = await timed(() => driver.observe(target, ctx));
      }
      if (signal.aborted) return;
      if (progress.analysisFailed) {
        // The canary failed its analysis: stop it and return to the baseline revision.
        mark('deploy', 'failed', progress.message);
        await timed(async () => driver.abort?.(target, ctx));
        const back = await timed(() =>
          driver.rollback(target, op.baselineRevision, ctx),
        );
        // The version behind the revision: "revision 3 (v1.3.1)", not a bare number.
        const baselineVersion = versionOfRevision(
          await store
            .list(op.entityRef, { environment: op.environment, limit: 100 })
            .catch(() => []),
          op.environment,
          op.baselineRevision,
        );
        await finish(
          back.phase === 'succeeded' ? 'rolled-back' : 'failed',
          [
            ...(progress.reasons ?? ['Canary analysis failed']),
            back.phase === 'succeeded'
              ? `Rolled back automatically to ${
                  op.baselineRevision
                    ? revisionWords(op.baselineRevision, baselineVersion)
                    : 'the previous revision'
                } (now revision ${back.revision})`
              : `Automatic rollback failed: ${(back.reasons ?? []).join('; ')}`,
          ],
          { ...progress, revision: back.revision },
        );
        return;
      }
      const to = TERMINAL_PHASES[progress.phase] ?? 'failed';
      mark('deploy', to === 'succeeded' ? 'done' : 'failed', progress.message);
      await finish(
        to,
        progress.reasons ?? (progress.message ? [progress.message] : []),
        progress,
      );
    } catch (error) {
      // The database, not the tool, failed: the deploy goes on without us. Let the lease run
      // out so the reconciler adopts it once the database answers, instead of recording a
      // failure that did not happen (with knex's message, which quotes the SQL).
      // The same for the console's store failing under the driver's own ctx.report (the
      // Rollouts driver reports on every poll), whatever the driver wrapped it in.
      const own = consoleReportError(error);
      const fromDriver = !own && driverErrors.has(error as object);
      const unavailable =
        own?.reason ?? (!fromDriver && databaseUnavailableReason(error));
      if (unavailable) {
        this.o.logger.warn(
          `Operation ${op.id}: ${
            own
              ? 'the console could not record its progress'
              : 'the database is unavailable'
          } (${unavailable}); left to the reconciler`,
        );
        return;
      }
      if (!signal.aborted) {
        mark(op.type, 'failed');
        // The tool's words are the tool's; the console's own errors are named, not quoted
        // (a store's error carries knex's statement and its values).
        const quoted = fromDriver || error instanceof CustomErrorBase;
        if (!quoted)
          this.o.logger.error(`Operation ${op.id}: ${errorName(error)}`);
        const reason = quoted
          ? `${driver?.label ?? op.driver} failed: ${(error as Error).message}`
          : `The console could not follow it (${errorName(error)})`;
        await finish('failed', [reason]);
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * Adopts operations whose lease ran out (never re-running a step) and ends confirmations
   * nobody gave. Called on start and then periodically by every backend instance.
   */
  async reconcile(now = new Date()) {
    const { store } = this.o;
    for (const op of await store.listOrphans(now)) {
      if (this.active.has(op.id)) continue;
      if (op.state === 'running') {
        this.o.logger.info(
          `Reconciling operation ${op.id} after its lease expired`,
        );
        this.start(op, true);
        continue;
      }
      if (!(await store.claimLease(op.id, this.o.instanceId, this.o.leaseMs)))
        continue;
      const done = await store.transition(op.id, {
        from: ['requested', 'preflight'],
        to: 'failed',
        reasons: [
          'Interrupted during preflight (a backend restart or a database outage); nothing was deployed. Request it again.',
        ],
        actor: 'rco:reconciler',
      });
      if (done) await this.published(done);
    }
    const stale = await store.listUnconfirmed(
      new Date(now.getTime() - this.o.confirmationTimeoutMs),
    );
    for (const op of stale) {
      const done = await store.transition(op.id, {
        from: ['awaiting-confirmation'],
        to: 'aborted',
        awaiting: null,
        reasons: [
          ...op.reasons,
          'Nobody confirmed it in time: nothing changed',
        ],
        actor: 'rco:reconciler',
      });
      if (done) await this.published(done);
    }
  }
}
