import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  CustomErrorBase,
  InputError,
  NotAllowedError,
} from '@backstage/errors';
import { DeployDriver, driverWording } from '@helix-portal/plugin-rco-node';
import { OperationStep, OperationType } from '@helix-portal/plugin-rco-common';
import { canonicalJson, sha256 } from '../lib/canonicalJson';
import {
  ActiveOperationError,
  IdempotencyKeyTakenError,
  OperationRecord,
  OperationStore,
} from '../database/OperationStore';
import { OverrideStore } from '../database/OverrideStore';
import { ReleaseService } from '../service/ReleaseService';
import { sameActor } from '../gates/fourEyes';
import { Environments } from './environments';
import { HistoryCache } from './historyCache';
import { NOT_BOUND_MESSAGE, TargetBindings } from './targetBinding';
import { pinnedTarget } from './pinnedTarget';
import { OperationRunner } from './OperationRunner';
import type { RoadService } from '../service/road/RoadService';
import { JudgementRecorder } from '../metrics/recordJudgement';
import { judgeOperation } from './judgeOperation';

/** 422: an idempotency key reused with a different request. */
export class IdempotencyConflictError extends CustomErrorBase {
  name = 'IdempotencyConflictError';
  statusCode = 422;
}

/** 409 when preflight refuses: names the gates and sign-offs, and the recorded operation. */
export class PreflightBlockedError extends ConflictError {}

/** A create request, as validated by the router. */
export interface OperationRequest {
  type: OperationType;
  environment: string;
  release?: { version?: string; digest?: string };
  targetRevision?: string;
  /** Describes a database migration the release runs: an irreversible step. */
  databaseMigration?: string;
}

/**
 * Creates operations and moves them through preflight and confirmation; the runner drives them
 * once running. Every step is a compare-and-set state change with its ledger entry.
 */
export class OperationService {
  constructor(
    private readonly o: {
      store: OperationStore;
      overrides: OverrideStore;
      environments: Environments;
      drivers: Map<string, DeployDriver>;
      releases: ReleaseService;
      runner: OperationRunner;
      instanceId: string;
      leaseMs: number;
      /** Which entity holds which target (ADR 0007). */
      bindings: TargetBindings;
      /** Viewers' history reads, shared per target. */
      historyCache: HistoryCache;
    },
  ) {}

  /**
   * The road to production (issue 15): its blockers hold deploys like failing gates. Set once at
   * start (plugin.ts); unset, deploys are judged by gates and sign-offs alone.
   */
  road?: Pick<RoadService, 'blockers'>;

  /**
   * Where each deploy decision is recorded with its inputs (issue 17: metrics and replay). Set
   * once at start (plugin.ts); unset, nothing is recorded.
   */
  judgements?: JudgementRecorder;

  driverFor(environment: string): DeployDriver {
    const env = this.o.environments.get(environment);
    const driver = this.o.drivers.get(env.driver);
    if (!driver) {
      throw new Error(
        `Environment ${environment} names driver "${env.driver}", which no module provides`,
      );
    }
    return driver;
  }

  /**
   * A rollback needs a successful dry-run of the same revision in the same environment since
   * the serving revision went live (the page offers it first; the API holds it too), and since
   * any rollback that failed or needs attention: what the dry-run checked is no longer what a
   * repeated rollback would start from (a failed revision, a release left pending).
   */
  private async assertDryRunFirst(entity: Entity, request: OperationRequest) {
    const ops = await this.o.store.list(stringifyEntityRef(entity), {
      environment: request.environment,
      limit: 100,
    });
    const lastChange = ops.find(
      o =>
        ((o.type === 'deploy' || o.type === 'rollback') &&
          (o.state === 'succeeded' || o.state === 'rolled-back')) ||
        (o.type === 'rollback' &&
          (o.state === 'failed' || o.state === 'needs-attention')),
    );
    const dryRun = ops.find(
      o =>
        o.type === 'rollback-dry-run' &&
        o.state === 'succeeded' &&
        (o.targetRevision ?? null) === (request.targetRevision ?? null) &&
        (!lastChange?.finishedAt || o.createdAt >= lastChange.finishedAt),
    );
    if (!dryRun) {
      let since = '';
      if (
        lastChange?.state === 'failed' ||
        lastChange?.state === 'needs-attention'
      )
        since = `, since rollback ${lastChange.id} ended ${lastChange.state}`;
      else if (lastChange)
        since = `, after operation ${lastChange.id} changed what serves there`;
      throw new ConflictError(
        `Run a rollback dry-run of revision ${
          request.targetRevision ?? '(previous)'
        } in ${request.environment} first${since}`,
      );
    }
  }

  /** 403 unless the entity's kind may operate (rco.operations.entityKinds). */
  assertEntityKind(entity: Entity) {
    this.o.bindings.assertKind(entity);
  }

  /**
   * An environment's revisions as its driver reports them (for the page): only of a target this
   * entity holds (NotAllowedError otherwise, the same for unclaimed and held elsewhere), and one
   * shared, cached read per target however many viewers ask.
   */
  async history(entity: Entity, environment: string) {
    this.o.bindings.assertKind(entity);
    const driver = this.driverFor(environment);
    const target = this.o.environments.target(entity, environment);
    const key = this.o.environments.lockKey(target, !!driver.simulated);
    const entityRef = stringifyEntityRef(entity);
    const decision = await this.o.bindings.decide(
      entityRef,
      key,
      !!driver.simulated,
    );
    if (decision === 'elsewhere' || decision === 'unclaimed') {
      throw new NotAllowedError(NOT_BOUND_MESSAGE);
    }
    return this.o.historyCache.read(key, { entityRef, environment }, () =>
      driver.history(
        target,
        this.o.runner.context(
          { id: `history:${environment}` } as OperationRecord,
          AbortSignal.timeout(15_000),
        ),
      ),
    );
  }

  private plan(
    request: OperationRequest,
    driver: DeployDriver,
  ): OperationStep[] {
    const step = (
      id: string,
      title: string,
      extra: Partial<OperationStep> = {},
    ): OperationStep => ({ id, title, status: 'pending', ...extra });
    const steps = [step('preflight', 'Preflight: gates and sign-offs')];
    if (request.type === 'deploy') {
      if (request.databaseMigration) {
        steps.push(
          step(
            'db-migration',
            `Database migration: ${request.databaseMigration}`,
            {
              irreversible: true,
            },
          ),
        );
      }
      steps.push(step('deploy', driverWording(driver).deployStep));
    } else if (request.type === 'rollback') {
      steps.push(
        step(
          'rollback',
          `Roll back to revision ${request.targetRevision ?? '(previous)'}`,
        ),
      );
    } else {
      steps.push(
        step('rollback-dry-run', 'Rollback dry-run (nothing changes)'),
      );
    }
    return steps;
  }

  /** Creates the operation and runs its preflight; same key and body give the same operation. */
  async create(
    entity: Entity,
    actor: string,
    request: OperationRequest,
    idempotencyKey?: string,
  ): Promise<{ operation: OperationRecord; created: boolean }> {
    this.o.bindings.assertKind(entity);
    this.o.environments.assertConfigured();
    const entityRef = stringifyEntityRef(entity);
    const requestHash = sha256(canonicalJson({ entityRef, request }));
    const replay = async () => {
      const existing = await this.o.store.findByIdempotencyKey(
        actor,
        idempotencyKey!,
      );
      if (!existing) return undefined;
      if (existing.requestHash !== requestHash) {
        throw new IdempotencyConflictError(
          `Idempotency-Key ${idempotencyKey} was used for a different request (operation ${existing.id})`,
        );
      }
      if (existing.state === 'blocked') {
        throw new PreflightBlockedError(
          `${existing.reasons.join('. ')}. Recorded as operation ${
            existing.id
          }.`,
        );
      }
      return { operation: existing, created: false };
    };
    if (idempotencyKey) {
      const seen = await replay();
      if (seen) return seen;
    }
    if (
      request.type === 'deploy' &&
      (!request.release?.digest || !request.release?.version)
    ) {
      throw new InputError(
        'A deploy needs the release: its version and its image digest',
      );
    }
    // The release timeline, dossier and reviews pick operations by the release they name: a
    // label on a rollback would put it into the story of a release it never touched.
    if (
      request.type !== 'deploy' &&
      (request.release?.version || request.release?.digest)
    ) {
      throw new InputError(
        `A ${request.type} returns to a revision: it names no release (give targetRevision)`,
      );
    }
    const env = this.o.environments.get(request.environment);
    const driver = this.driverFor(request.environment);
    const target = this.o.environments.target(entity, env.name);
    const lockKey = this.o.environments.lockKey(target, !!driver.simulated);
    if (request.type === 'rollback')
      await this.assertDryRunFirst(entity, request);
    // Held, or claimed now (audited); 403 without naming the holder otherwise. A first claim
    // of a release that exists with history needs a configured binding (ADR 0007). The read
    // is the viewers' shared one, so repeated first claims do not each start the tool.
    await this.o.bindings.holdOrClaim(
      entity,
      target,
      lockKey,
      actor,
      !!driver.simulated,
      async () =>
        (
          await this.o.historyCache.read(
            lockKey,
            { entityRef, environment: env.name },
            () =>
              driver.history(
                target,
                this.o.runner.context(
                  { id: `claim:${env.name}` } as OperationRecord,
                  AbortSignal.timeout(15_000),
                ),
              ),
          )
        ).length > 0,
    );
    let operation: OperationRecord;
    try {
      operation = await this.o.store.create({
        entityRef,
        environment: env.name,
        type: request.type,
        driver: driver.id,
        simulated: !!driver.simulated,
        release: request.release ?? {},
        targetRevision: request.targetRevision,
        steps: this.plan(request, driver),
        requestedBy: actor,
        idempotencyKey,
        requestHash,
        lockKey,
        lease: { owner: this.o.instanceId, ms: this.o.leaseMs },
      });
    } catch (error) {
      // Two requests with one key at once: the loser answers like a replay (PostgreSQL may
      // report either unique constraint first).
      if (error instanceof IdempotencyKeyTakenError) return (await replay())!;
      if (error instanceof ActiveOperationError && idempotencyKey) {
        const seen = await replay();
        if (seen) return seen;
      }
      throw error;
    }
    await this.o.runner.published(operation);
    return {
      operation: await this.runPreflight(entity, operation),
      created: true,
    };
  }

  /** judgeOperation.ts: the one home of the decision, at the gates' clock. */
  private async judge(
    entity: Entity,
    op: OperationRecord,
    occasion: 'preflight' | 'confirm' | 'promote',
    confirmer = op.requestedBy,
  ) {
    return judgeOperation(
      {
        releases: this.o.releases,
        overrides: this.o.overrides,
        road: this.road,
        judgements: this.judgements,
      },
      {
        entity,
        op,
        occasion,
        confirmer,
        requiredSignoffs: this.o.environments.get(op.environment)
          .requiredSignoffs,
        now: this.o.releases.clock.now(),
      },
    );
  }

  private async runPreflight(entity: Entity, op: OperationRecord) {
    // Held by this backend while it works: its lease is renewed and the reconciler leaves it be.
    return this.o.runner.hold(op, () => this.preflightHeld(entity, op));
  }

  private async preflightHeld(entity: Entity, op: OperationRecord) {
    const { store } = this.o;
    const steps = op.steps.map(s =>
      s.id === 'preflight'
        ? {
            ...s,
            status: 'running' as const,
            startedAt: new Date().toISOString(),
          }
        : s,
    );
    this.changed(
      await store.transition(op.id, {
        from: ['requested'],
        to: 'preflight',
        steps,
        actor: op.requestedBy,
      }),
      op,
    );
    const fail = async (
      reasons: string[],
      to: 'failed' | 'blocked',
      extra = {},
    ) => {
      const done = this.changed(
        await store.transition(op.id, {
          from: ['preflight'],
          to,
          reasons,
          steps: steps.map(s =>
            s.id === 'preflight' ? { ...s, status: 'failed' as const } : s,
          ),
          actor: op.requestedBy,
          ...extra,
        }),
        op,
      );
      await this.o.runner.published(done);
      return done;
    };
    const driver = this.driverFor(op.environment);
    const target = this.o.environments.target(entity, op.environment);
    let baselineRevision: string | undefined;
    try {
      const history = await driver.history(target, this.o.runner.context(op));
      baselineRevision = history.find(r => r.current)?.revision;
    } catch (error) {
      return fail(
        [
          `Could not read the current revision from ${driver.label}: ${
            (error as Error).message
          }`,
        ],
        'failed',
      );
    }
    let gateSnapshot;
    let overrideId: string | undefined;
    const reasons: string[] = [];
    if (op.type === 'deploy') {
      const result = await this.judge(entity, op, 'preflight');
      gateSnapshot = result.snapshot;
      if (!result.allowed) {
        const blocked = await fail(result.reasons, 'blocked', { gateSnapshot });
        throw new PreflightBlockedError(
          `${result.reasons.join('. ')}. Recorded as operation ${blocked.id}.`,
        );
      }
      overrideId = result.override?.id;
      reasons.push(...result.reasons);
    } else {
      reasons.push(
        'Rollbacks and dry-runs are not held by the gates: they return to a known revision',
      );
    }
    const doneSteps = steps.map(s =>
      s.id === 'preflight'
        ? {
            ...s,
            status: 'done' as const,
            finishedAt: new Date().toISOString(),
          }
        : s,
    );
    if (op.type === 'rollback-dry-run') {
      const running = this.changed(
        await store.transition(op.id, {
          from: ['preflight'],
          to: 'running',
          steps: doneSteps,
          reasons,
          baselineRevision,
          actor: op.requestedBy,
          lease: { owner: this.o.instanceId, ms: this.o.leaseMs },
        }),
        op,
      );
      // Started once preflight lets go of it.
      setImmediate(() => this.o.runner.start(running));
      return running;
    }
    const waiting = this.changed(
      await store.transition(op.id, {
        from: ['preflight'],
        to: 'awaiting-confirmation',
        awaiting: 'plan',
        steps: doneSteps,
        reasons,
        gateSnapshot,
        overrideId,
        baselineRevision,
        actor: op.requestedBy,
        lease: null,
      }),
      op,
    );
    await this.o.runner.published(waiting);
    return waiting;
  }

  /**
   * The target the operation was created for, worked out again from the entity as it is now;
   * 409 when its annotations moved it or the entity no longer holds it (pinnedTarget.ts).
   */
  private pinned(entity: Entity, op: OperationRecord) {
    return pinnedTarget(
      this.o,
      entity,
      op,
      !!this.driverFor(op.environment).simulated,
    );
  }

  /** A compare-and-set that lost means someone else moved the operation on. */
  private changed(next: OperationRecord | undefined, op: OperationRecord) {
    if (!next)
      throw new ConflictError(
        `Operation ${op.id} changed meanwhile; reload it`,
      );
    return next;
  }

  /**
   * The requester confirms by typing the service name: first the plan, then, separately, each
   * irreversible step. The last confirmation starts the run.
   */
  async confirm(
    entity: Entity,
    op: OperationRecord,
    actor: string,
    body: { confirmation: string; step?: string },
  ) {
    if (op.state !== 'awaiting-confirmation') {
      throw new ConflictError(
        `Operation ${op.id} is ${op.state}, not awaiting confirmation`,
      );
    }
    if (!sameActor(actor, op.requestedBy)) {
      throw new NotAllowedError(
        `Only ${op.requestedBy}, who requested operation ${op.id}, confirms it`,
      );
    }
    if (body.confirmation !== entity.metadata.name) {
      throw new InputError(
        `Type the service name "${entity.metadata.name}" to confirm`,
      );
    }
    // What the plan was checked for is what a confirmation starts: refused before any change
    // when the entity's annotations point elsewhere now.
    await this.pinned(entity, op);
    const pendingIrreversible = op.steps.find(
      s => s.irreversible && s.status === 'pending',
    );
    if (op.awaiting !== 'plan' && actor.startsWith('service:')) {
      throw new NotAllowedError(
        `Step ${op.awaiting} is irreversible: a person confirms it, not a service`,
      );
    }
    if (op.awaiting !== 'plan') {
      if (body.step !== op.awaiting) {
        throw new InputError(
          `Step ${op.awaiting} is irreversible: confirm it separately, naming step "${op.awaiting}"`,
        );
      }
    } else if (pendingIrreversible) {
      const next = await this.o.store.transition(op.id, {
        from: ['awaiting-confirmation'],
        awaiting: pendingIrreversible.id,
        confirmedBy: actor,
        actor,
        detail: { confirmed: 'plan' },
      });
      return this.published(next, op);
    }
    const steps = op.steps.map(s =>
      s.irreversible && s.id === op.awaiting
        ? { ...s, message: `Confirmed by ${actor}` }
        : s,
    );
    // Judged again now: an override or a sign-off revoked, or new failing evidence, since the
    // plan was made must stop the deploy.
    let again: Awaited<ReturnType<OperationService['judge']>> | undefined;
    if (op.type === 'deploy') {
      again = await this.judge(entity, op, 'confirm', actor);
      if (!again.allowed) {
        const blocked = await this.o.store.transition(op.id, {
          from: ['awaiting-confirmation'],
          to: 'blocked',
          awaiting: null,
          reasons: [
            ...op.reasons,
            `Preflight again at confirmation: ${again.reasons.join('. ')}`,
          ],
          gateSnapshot: again.snapshot,
          actor,
        });
        if (blocked) await this.o.runner.published(blocked);
        throw new PreflightBlockedError(
          `Not deployed: since the plan was made, ${again.reasons.join(
            '. ',
          )}. Operation ${op.id} is blocked.`,
        );
      }
    }
    const running = await this.o.store.transition(op.id, {
      from: ['awaiting-confirmation'],
      to: 'running',
      awaiting: null,
      confirmedBy: actor,
      steps,
      actor,
      gateSnapshot: again?.snapshot,
      overrideId: again?.override?.id,
      lease: { owner: this.o.instanceId, ms: this.o.leaseMs },
      detail: { confirmed: op.awaiting },
    });
    const result = await this.published(running, op);
    this.o.runner.start(result);
    return result;
  }

  private async published(
    next: OperationRecord | undefined,
    op: OperationRecord,
  ) {
    if (!next)
      throw new ConflictError(
        `Operation ${op.id} changed meanwhile; reload it`,
      );
    await this.o.runner.published(next);
    return next;
  }

  /** Continues a canary paused for promotion. */
  async promote(entity: Entity, op: OperationRecord, actor: string) {
    const driver = this.driverFor(op.environment);
    if (
      op.state !== 'running' ||
      op.progress?.phase !== 'paused' ||
      !driver.promote
    ) {
      throw new ConflictError(`Operation ${op.id} is not paused for promotion`);
    }
    const target = await this.pinned(entity, op);
    // Judged again, as at confirmation: a waiver, an override or a sign-off withdrawn (or new
    // failing evidence) while the canary waited must not carry it to full traffic. The canary
    // stays paused; its owner can abort it or clear what blocks it.
    if (op.type === 'deploy') {
      const again = await this.judge(entity, op, 'promote', op.confirmedBy);
      if (!again.allowed) {
        throw new PreflightBlockedError(
          `Not promoted: since the deploy was confirmed, ${again.reasons.join(
            '. ',
          )}. Operation ${op.id} stays paused.`,
        );
      }
    }
    if (!(await this.o.store.startPromotion(op.id, actor))) {
      throw new ConflictError(
        `Operation ${op.id} is no longer paused for promotion`,
      );
    }
    await driver.promote(target, this.o.runner.context(op));
    const next = await this.o.store.transition(op.id, {
      from: ['running'],
      actor,
      detail: { action: 'promote', step: op.progress.step?.index ?? null },
    });
    return this.published(next, op);
  }

  /** Stops an operation: before it runs, by ending it; while it runs, through the driver. */
  async abort(entity: Entity, op: OperationRecord, actor: string) {
    if (op.state === 'awaiting-confirmation' || op.state === 'requested') {
      const next = await this.o.store.transition(op.id, {
        from: ['awaiting-confirmation', 'requested'],
        to: 'aborted',
        awaiting: null,
        reasons: [
          ...op.reasons,
          `Aborted by ${actor} before it ran: nothing changed`,
        ],
        actor,
      });
      return this.published(next, op);
    }
    const driver = this.driverFor(op.environment);
    if (op.state !== 'running' || op.type !== 'deploy' || !driver.abort) {
      // The driver says why in its own words (Helm: --atomic undoes a failed upgrade).
      const reason = driverWording(driver).cannotAbortReason;
      throw new ConflictError(
        op.state === 'running'
          ? `${driver.label} cannot abort this ${op.type} once it runs${
              reason ? `: ${reason}` : ''
            }`
          : `Operation ${op.id} is ${op.state}`,
      );
    }
    await driver.abort(
      await this.pinned(entity, op),
      this.o.runner.context(op),
    );
    const next = await this.o.store.transition(op.id, {
      from: ['running'],
      actor,
      detail: { action: 'abort' },
    });
    return this.published(next, op);
  }
}
