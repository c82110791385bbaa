import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { OperationStep } from '@helix-portal/plugin-rco-common';
import { DecisionStore } from '../../../database/DecisionStore';
import type { ReviewStore } from '../../reviews/ReviewStore';
import { JudgementStore } from '../../../database/JudgementStore';
import {
  OperationRecord,
  OperationStore,
} from '../../../database/OperationStore';
import { OverrideStore } from '../../../database/OverrideStore';
import { EvidenceService } from '../../../evidence/EvidenceService';
import { canonicalJson, sha256 } from '../../../lib/canonicalJson';
import { Clock } from '../../../lib/clock';
import { judgementOf } from '../../../metrics/recordJudgement';
import { preflight } from '../../../operations/preflight';
import { ReleaseService } from '../../ReleaseService';
import { HistoryRelease } from './historyEvidence';

/** The history's clock: set as the story walks forward through the 90 days. */
export class HistoryClock implements Clock {
  private at = new Date(0);

  now() {
    return new Date(this.at);
  }

  set(t: Date | number) {
    this.at = new Date(t);
  }
}

/** Labels what the history's machinery wrote, so a reader of the ledger can tell. */
export const HISTORY_LABEL = 'demo history';
/** The simulated driver as the runner names it, labelled. */
const DRIVER_ACTOR = `rco:simulated (${HISTORY_LABEL})`;
const LEASE = { owner: `rco-${HISTORY_LABEL.replace(' ', '-')}`, ms: 60_000 };

const step = (id: string, title: string): OperationStep => ({
  id,
  title,
  status: 'pending',
});

/**
 * The operations of one service's history, through the product's own store and decision path:
 * the same calls, in the same order, that OperationService makes (create, preflight with a
 * recorded judgement, confirmation judged again, the run's end), at the history clock's times.
 */
export class HistoryOperations {
  readonly entityRef: string;
  protected revision = new Map<string, number>();

  constructor(
    protected readonly o: {
      entity: Entity;
      clock: HistoryClock;
      operations: OperationStore;
      decisions: DecisionStore;
      overrides: OverrideStore;
      judgements: JudgementStore;
      evidence: EvidenceService;
      releases: ReleaseService;
      configDigest: string;
      requiredSignoffs: (
        environment: string,
      ) => Array<'po' | 'dpo' | 'security'>;
      submitter: string;
      /**
       * Where the owners' reviews of production deploys and rollbacks go (issue 15): the team
       * wrote them, as teams do, so the portal opens with no review owed for the history.
       */
      reviews?: ReviewStore;
    },
  ) {
    this.entityRef = stringifyEntityRef(o.entity);
  }

  at(t: Date | number) {
    this.o.clock.set(t);
  }

  now() {
    return this.o.clock.now().getTime();
  }

  /** OperationService.judge, with no road (the history keeps to working days and soaks). */
  private async judge(
    op: OperationRecord,
    occasion: 'preflight' | 'confirm',
    confirmer = op.requestedBy,
  ) {
    const now = this.o.clock.now();
    const [judged, override] = await Promise.all([
      this.o.releases.judge(
        this.o.entity,
        { ...op.release, environment: op.environment },
        now,
      ),
      this.o.overrides.findActive(
        op.entityRef,
        op.environment,
        op.release,
        now,
      ),
    ]);
    const result = preflight({
      status: judged.status,
      signoffs: judged.signoffs,
      requester: judged.requester,
      confirmer,
      groups: judged.groups,
      requiredSignoffs: this.o.requiredSignoffs(op.environment),
      override,
      road: [],
      now,
    });
    await this.o.judgements.record({
      ...judgementOf({ op, occasion, judged, result, now }),
      configDigest: this.o.configDigest,
    });
    return result;
  }

  private async create(
    environment: string,
    type: 'deploy' | 'rollback' | 'rollback-dry-run',
    requestedBy: string,
    release: { version?: string; digest?: string },
    targetRevision?: string,
  ) {
    const request = {
      type,
      environment,
      ...(type === 'deploy' ? { release } : { targetRevision }),
    };
    const action = {
      deploy: () => step('deploy', 'Deploy to the simulated cluster'),
      rollback: () =>
        step('rollback', `Roll back to revision ${targetRevision}`),
      'rollback-dry-run': () =>
        step('rollback-dry-run', 'Rollback dry-run (nothing changes)'),
    }[type]();
    return this.o.operations.create({
      entityRef: this.entityRef,
      environment,
      type,
      driver: 'simulated',
      simulated: true,
      release: type === 'deploy' ? release : {},
      targetRevision,
      steps: [step('preflight', 'Preflight: gates and sign-offs'), action],
      requestedBy,
      requestHash: sha256(
        canonicalJson({ entityRef: this.entityRef, request }),
      ),
      // Never the lock of the portal's own deploys: a history left unfinished holds nothing.
      lockKey: `${HISTORY_LABEL}:${this.entityRef}:${environment}`,
      lease: LEASE,
    });
  }

  private done(steps: OperationStep[], upTo: string) {
    const at = this.o.clock.now().toISOString();
    let reached = false;
    return steps.map(s => {
      if (reached) return s;
      if (s.id === upTo) reached = true;
      return { ...s, status: 'done' as const, finishedAt: at };
    });
  }

  /**
   * A deploy as OperationService runs it: preflight (blocked, or awaiting confirmation), the
   * requester's confirmation judged again, then the run. Returns the operation as it ended.
   */
  async deploy(
    environment: string,
    release: HistoryRelease,
    requester: string,
    minutes: { confirm: number; run: number },
    outcome: 'succeeded' | 'rolled-back' = 'succeeded',
  ) {
    const start = this.o.clock.now().getTime();
    const store = this.o.operations;
    const op = await this.create(environment, 'deploy', requester, release);
    const steps = op.steps.map(s =>
      s.id === 'preflight'
        ? {
            ...s,
            status: 'running' as const,
            startedAt: this.o.clock.now().toISOString(),
          }
        : s,
    );
    const inPreflight = (await store.transition(op.id, {
      from: ['requested'],
      to: 'preflight',
      steps,
      actor: requester,
    }))!;
    const first = await this.judge(inPreflight, 'preflight');
    if (!first.allowed) {
      return (await store.transition(op.id, {
        from: ['preflight'],
        to: 'blocked',
        reasons: first.reasons,
        steps: steps.map(s =>
          s.id === 'preflight' ? { ...s, status: 'failed' as const } : s,
        ),
        gateSnapshot: first.snapshot,
        actor: requester,
      }))!;
    }
    const baseline = this.revision.get(environment) ?? 40;
    const waiting = (await store.transition(op.id, {
      from: ['preflight'],
      to: 'awaiting-confirmation',
      awaiting: 'plan',
      steps: this.done(steps, 'preflight'),
      reasons: first.reasons,
      gateSnapshot: first.snapshot,
      overrideId: first.override?.id,
      baselineRevision: String(baseline),
      actor: requester,
      lease: null,
    }))!;
    this.at(start + minutes.confirm * 60_000);
    const again = await this.judge(waiting, 'confirm', requester);
    if (!again.allowed) {
      return (await store.transition(op.id, {
        from: ['awaiting-confirmation'],
        to: 'blocked',
        awaiting: null,
        reasons: [
          ...waiting.reasons,
          `Preflight again at confirmation: ${again.reasons.join('. ')}`,
        ],
        gateSnapshot: again.snapshot,
        actor: requester,
      }))!;
    }
    await store.transition(op.id, {
      from: ['awaiting-confirmation'],
      to: 'running',
      awaiting: null,
      confirmedBy: requester,
      steps: waiting.steps,
      gateSnapshot: again.snapshot,
      overrideId: again.override?.id,
      actor: requester,
      lease: LEASE,
      detail: { confirmed: 'plan' },
    });
    return this.finish(
      op,
      start + (minutes.confirm + minutes.run) * 60_000,
      outcome,
      baseline,
    );
  }

  private async finish(
    op: OperationRecord,
    at: number,
    outcome: 'succeeded' | 'rolled-back',
    baseline: number,
    resultRevision?: number,
  ) {
    this.at(at);
    const next = resultRevision ?? baseline + 1;
    if (outcome === 'succeeded') this.revision.set(op.environment, next);
    const last = op.steps[op.steps.length - 1].id;
    const ended = (await this.o.operations.transition(op.id, {
      from: ['running'],
      to: outcome,
      steps: this.done(op.steps, last),
      reasons: [
        outcome === 'succeeded'
          ? `Revision ${next} is live (${HISTORY_LABEL})`
          : `The canary analysis failed: revision ${baseline} serves again (${HISTORY_LABEL})`,
      ],
      resultRevision: String(outcome === 'succeeded' ? next : baseline),
      actor: DRIVER_ACTOR,
      timings: {
        controlPlaneMs: 40,
        driverMs: at - this.o.clock.now().getTime() || 1,
      },
    }))!;
    if (this.o.reviews && op.environment === 'production') {
      const smooth = outcome === 'succeeded' && op.type === 'deploy';
      await this.o.reviews.record({
        operation: ended,
        author: op.requestedBy,
        createdAt: new Date(at + 2 * 3_600_000),
        result: smooth ? 'as-planned' : 'with-deviations',
        summary: `Went ${
          smooth ? 'as the runbook says' : 'back to the last good revision'
        } (${HISTORY_LABEL})`,
        deviations: smooth
          ? ''
          : `The ${op.type} did not end as planned: ${outcome}`,
        lessons: '',
      });
    }
    return ended;
  }

  /** The revision live in an environment (the simulated cluster's, as the history left it). */
  live(environment: string) {
    return this.revision.get(environment) ?? 40;
  }

  /**
   * A rollback as the page asks for it: a dry-run of the target revision first (the API holds
   * rollbacks to one), then the rollback, confirmed by its requester. Gates do not hold either.
   */
  async rollback(environment: string, requester: string, to: number) {
    const start = this.o.clock.now().getTime();
    const reasons = [
      'Rollbacks and dry-runs are not held by the gates: they return to a known revision',
    ];
    const store = this.o.operations;
    const dry = await this.create(
      environment,
      'rollback-dry-run',
      requester,
      {},
      String(to),
    );
    await store.transition(dry.id, {
      from: ['requested'],
      to: 'preflight',
      steps: dry.steps,
      actor: requester,
    });
    await store.transition(dry.id, {
      from: ['preflight'],
      to: 'running',
      steps: this.done(dry.steps, 'preflight'),
      reasons,
      baselineRevision: String(this.live(environment)),
      actor: requester,
      lease: LEASE,
    });
    this.at(start + 60_000);
    await store.transition(dry.id, {
      from: ['running'],
      to: 'succeeded',
      steps: this.done(dry.steps, 'rollback-dry-run'),
      reasons: [
        ...reasons,
        `Dry-run: revision ${to} can be restored (${HISTORY_LABEL})`,
      ],
      actor: DRIVER_ACTOR,
      timings: { controlPlaneMs: 30, driverMs: 800 },
    });
    this.at(start + 4 * 60_000);
    const op = await this.create(
      environment,
      'rollback',
      requester,
      {},
      String(to),
    );
    await store.transition(op.id, {
      from: ['requested'],
      to: 'preflight',
      steps: op.steps,
      actor: requester,
    });
    const baseline = this.live(environment);
    await store.transition(op.id, {
      from: ['preflight'],
      to: 'awaiting-confirmation',
      awaiting: 'plan',
      steps: this.done(op.steps, 'preflight'),
      reasons,
      baselineRevision: String(baseline),
      actor: requester,
      lease: null,
    });
    this.at(start + 6 * 60_000);
    await store.transition(op.id, {
      from: ['awaiting-confirmation'],
      to: 'running',
      awaiting: null,
      confirmedBy: requester,
      steps: op.steps,
      actor: requester,
      lease: LEASE,
      detail: { confirmed: 'plan' },
    });
    const running = (await store.get(op.id))!;
    return this.finish(running, start + 12 * 60_000, 'succeeded', baseline, to);
  }
}
