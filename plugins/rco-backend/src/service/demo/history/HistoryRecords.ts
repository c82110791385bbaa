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
import { judgeOperation } from '../../../operations/judgeOperation';
import { ReleaseService } from '../../ReleaseService';

/*
 * The single writes an operation of the history is made of (created, judged and recorded, its
 * steps marked done, ended by the driver with the owners' review), each as OperationService and
 * the runner write it. Apart from HistoryOperations (the deploy and rollback stories told from
 * these writes, in OperationService's order) because this file follows what the product writes
 * and that one follows the order it writes in: a change to either is read in one place.
 */

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
export const DRIVER_ACTOR = `rco:simulated (${HISTORY_LABEL})`;
export const LEASE = {
  owner: `rco-${HISTORY_LABEL.replace(' ', '-')}`,
  ms: 60_000,
};

const step = (id: string, title: string): OperationStep => ({
  id,
  title,
  status: 'pending',
});

/** The writes of one service's operations, at the history clock's times. */
export class HistoryRecords {
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

  /**
   * Judged as OperationService judges (judgeOperation), with no road: the history keeps to
   * working days and soaks.
   */
  protected async judge(
    op: OperationRecord,
    occasion: 'preflight' | 'confirm',
    confirmer = op.requestedBy,
  ) {
    const { judgements, configDigest } = this.o;
    return judgeOperation(
      {
        releases: this.o.releases,
        overrides: this.o.overrides,
        judgements: {
          record: async judgement => {
            await judgements.record({ ...judgement, configDigest });
          },
        },
      },
      {
        entity: this.o.entity,
        op,
        occasion,
        confirmer,
        requiredSignoffs: this.o.requiredSignoffs(op.environment),
        now: this.o.clock.now(),
      },
    );
  }

  protected async create(
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

  protected done(steps: OperationStep[], upTo: string) {
    const at = this.o.clock.now().toISOString();
    let reached = false;
    return steps.map(s => {
      if (reached) return s;
      if (s.id === upTo) reached = true;
      return { ...s, status: 'done' as const, finishedAt: at };
    });
  }

  protected async finish(
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
}
