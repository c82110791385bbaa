// One service's writer for the metrics benchmark's history: the plugin's real stores on one
// transaction and a clock that walks through the past; uploads, and deploys judged by the real
// ReleaseService and preflight, recorded as OperationService records them.
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { EvidenceKind, Runbook } from '@helix-portal/plugin-rco-common';
import { Knex } from 'knex';
import { createHash } from 'node:crypto';
import { RcoConfig } from '../../plugins/rco-backend/src/config';
import { DatabaseEvidenceStore } from '../../plugins/rco-backend/src/database/DatabaseEvidenceStore';
import { DatabaseRunbookStore } from '../../plugins/rco-backend/src/database/DatabaseRunbookStore';
import { DecisionStore } from '../../plugins/rco-backend/src/database/DecisionStore';
import { JudgementStore } from '../../plugins/rco-backend/src/database/JudgementStore';
import { Ledger } from '../../plugins/rco-backend/src/database/Ledger';
import {
  OperationRecord,
  OperationStore,
} from '../../plugins/rco-backend/src/database/OperationStore';
import {
  OverrideRecord,
  OverrideStore,
} from '../../plugins/rco-backend/src/database/OverrideStore';
import { judgementOf } from '../../plugins/rco-backend/src/metrics/recordJudgement';
import { preflight } from '../../plugins/rco-backend/src/operations/preflight';
import { ReleaseService } from '../../plugins/rco-backend/src/service/ReleaseService';
import { Rng } from './shape';

const MIN = 60_000;
export const ALICE = 'user:default/alice';
const CI = 'external:ci-bench';

/** Time spent judging (ReleaseService.judge and preflight), summed over the writers. */
export const judging = { ms: 0 };

export class ServiceWriter {
  readonly entityRef: string;
  private time: Date;
  readonly clock = { now: () => this.time };
  readonly evidence: DatabaseEvidenceStore;
  readonly decisions: DecisionStore;
  readonly overrides: OverrideStore;
  private readonly operations: OperationStore;
  private readonly judgements: JudgementStore;
  private readonly ledger: Ledger;
  private releases?: ReleaseService;
  deploys = 0;

  constructor(
    private readonly tx: Knex.Transaction,
    private readonly entity: Entity,
    private readonly rng: Rng,
    private readonly o: { config: RcoConfig; configDigest: string },
    start: Date,
  ) {
    this.entityRef = stringifyEntityRef(entity);
    this.time = start;
    const ledger = new Ledger(tx);
    this.ledger = ledger;
    this.evidence = new DatabaseEvidenceStore(tx, ledger);
    this.decisions = new DecisionStore(tx, ledger, this.clock);
    this.overrides = new OverrideStore(tx, ledger, this.clock);
    this.operations = new OperationStore(tx, ledger, this.clock);
    this.judgements = new JudgementStore(tx);
  }

  /** Takes the entity's ledger lock for the whole transaction (every append below holds it). */
  lock() {
    return this.ledger.lock(this.tx, this.entityRef);
  }

  get now() {
    return this.time;
  }

  at(t: number) {
    this.time = new Date(t);
  }

  /** Stores the runbook version current throughout the history. */
  async useRunbook(runbook: Runbook, seenAt: Date) {
    const hash = await DatabaseRunbookStore.create({ db: this.tx }).saveVersion(
      { entityRef: this.entityRef, runbook, source: 'bench', seenAt },
    );
    this.releases = new ReleaseService(
      this.evidence,
      this.decisions,
      this.ledger,
      { getCurrent: async () => ({ runbook, hash }) } as any,
      this.o.config,
      2,
      this.clock,
    );
  }

  async upload(
    kind: EvidenceKind,
    t: number,
    subject: Record<string, string>,
    summary: unknown,
  ) {
    this.at(t);
    const raw = JSON.stringify({ bench: this.entityRef, kind, subject, t });
    await this.evidence.addIn(this.tx, [
      {
        entityRef: this.entityRef,
        kind,
        sha256: createHash('sha256').update(raw).digest('hex'),
        subject,
        source: 'ci',
        submitter: CI,
        collectedAt: new Date(t),
        summary: summary as any,
        raw,
        rawFormat: 'json',
      },
    ]);
  }

  private async judge(
    op: OperationRecord,
    occasion: 'preflight' | 'confirm',
    override?: OverrideRecord,
  ) {
    const now = this.time;
    const started = performance.now();
    const judged = await this.releases!.judge(
      this.entity,
      { ...op.release, environment: op.environment },
      now,
    );
    const result = preflight({
      status: judged.status,
      signoffs: judged.signoffs,
      requester: judged.requester,
      confirmer: op.requestedBy,
      groups: judged.groups,
      requiredSignoffs: [],
      override,
      road: [],
      now,
    });
    judging.ms += performance.now() - started;
    await this.judgements.record({
      ...judgementOf({ op, occasion, judged, result, now }),
      configDigest: this.o.configDigest,
    });
    return result;
  }

  /** One operation from request to its end; 'blocked' when preflight held it. */
  async operate(
    type: 'deploy' | 'rollback',
    environment: string,
    release: { version: string; digest: string },
    t: number,
    override?: OverrideRecord,
  ) {
    const { operations } = this;
    this.at(t);
    const op = await operations.create({
      entityRef: this.entityRef,
      environment,
      type,
      driver: 'simulated',
      simulated: true,
      release,
      steps: [],
      requestedBy: ALICE,
      requestHash: 'bench',
      lockKey: `${this.entityRef} ${environment}`,
      lease: { owner: 'bench', ms: 60_000 },
    });
    this.at(t + 2000);
    await operations.transition(op.id, {
      from: ['requested'],
      to: 'preflight',
      actor: 'plugin:rco',
    });
    // Rollbacks are judged by their dry-run, not by the gates: no deploy decision recorded.
    const first =
      type === 'deploy'
        ? await this.judge(op, 'preflight', override)
        : { allowed: true, reasons: [], override: undefined };
    if (!first.allowed) {
      await operations.transition(op.id, {
        from: ['preflight'],
        to: 'blocked',
        reasons: first.reasons,
        actor: 'plugin:rco',
      });
      return 'blocked';
    }
    await operations.transition(op.id, {
      from: ['preflight'],
      to: 'awaiting-confirmation',
      awaiting: 'confirmation',
      overrideId: first.override?.id,
      lease: null,
      actor: 'plugin:rco',
    });
    // Confirmed within minutes (the backups the gate reads are five minutes apart).
    this.at(t + (1 + this.rng.int(3)) * MIN);
    const again =
      type === 'deploy' ? await this.judge(op, 'confirm', override) : first;
    if (!again.allowed) {
      await operations.transition(op.id, {
        from: ['awaiting-confirmation'],
        to: 'blocked',
        awaiting: null,
        reasons: again.reasons,
        actor: ALICE,
      });
      return 'blocked';
    }
    await operations.transition(op.id, {
      from: ['awaiting-confirmation'],
      to: 'running',
      confirmedBy: ALICE,
      awaiting: null,
      overrideId: again.override?.id,
      actor: ALICE,
    });
    this.at(this.time.getTime() + (8 + this.rng.int(10)) * MIN);
    // A few changes fail their canary analysis and roll themselves back.
    const failed = type === 'deploy' && this.rng.chance(0.04);
    await operations.transition(op.id, {
      from: ['running'],
      to: failed ? 'rolled-back' : 'succeeded',
      actor: 'plugin:rco',
    });
    this.deploys += 1;
    return failed ? 'rolled-back' : 'succeeded';
  }
}
