import {
  GateSnapshot,
  OperationProgress,
  OperationResponse,
  OperationState,
  OperationStep,
  OperationType,
  TERMINAL_OPERATION_STATES,
} from '@helix-portal/plugin-rco-common';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { toDate } from '../lib/canonicalJson';
import { Ledger } from './Ledger';
import { Clock, systemClock } from '../lib/clock';
import { OperationRow, Timestamp } from './tables';
import {
  assertTransitionAllowed,
  TransitionField,
} from '../operations/transitions';

/** What a caller gives to create an operation. */
export interface NewOperation {
  entityRef: string;
  environment: string;
  type: OperationType;
  driver: string;
  simulated: boolean;
  release: { version?: string; digest?: string };
  targetRevision?: string;
  steps: OperationStep[];
  requestedBy: string;
  idempotencyKey?: string;
  requestHash: string;
  /** What the operation changes (see Environments.lockKey): one active operation per key. */
  lockKey: string;
  /** The backend that will run preflight holds the lease from the start. */
  lease: { owner: string; ms: number };
}

/** Thrown when an idempotency key is reused (the caller compares the request). */
export class IdempotencyKeyTakenError extends Error {}

/**
 * A change of state, written together with its ledger entry. Which changes exist, and which
 * fields each may write, is the table of `operations/transitions.ts`.
 */
export interface OperationTransition {
  /**
   * The states the operation must be in for the change to apply (compare-and-set). Each of them
   * must be allowed to go to `to` by the table, or the change throws before reading anything.
   */
  from: OperationState[];
  to?: OperationState;
  steps?: OperationStep[];
  progress?: OperationProgress | null;
  reasons?: string[];
  confirmedBy?: string;
  awaiting?: string | null;
  gateSnapshot?: GateSnapshot;
  overrideId?: string;
  baselineRevision?: string;
  resultRevision?: string;
  /**
   * Hand the operation to this backend in the same write (no window for another to adopt it),
   * or `null` to let go of it (it waits for a person now).
   */
  lease?: { owner: string; ms: number } | null;
  /** Control-plane and driver time, recorded with the final state. */
  timings?: { controlPlaneMs: number; driverMs: number };
  /** Who made the change, for the ledger. */
  actor: string;
  /** Extra ledger payload. */
  detail?: Record<string, unknown>;
}

/** The operation plus what only the control plane reads. */
export interface OperationRecord extends OperationResponse {
  leaseOwner?: string;
  leaseExpiresAt?: Date;
  requestHash?: string;
  timings?: { controlPlaneMs: number; driverMs: number };
  /**
   * The lock key recorded at creation (`active_key`): the target the operation was checked for.
   * Later steps act only on a target with this key (pinnedTarget.ts). Absent once it ended.
   */
  lockKey?: string;
}

/** Thrown when another operation is active for the entity and environment. */
export class ActiveOperationError extends ConflictError {
  constructor(readonly activeOperationId: string, environment: string) {
    super(
      `Operation ${activeOperationId} is already active in ${environment}; wait for it or abort it`,
    );
  }
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
const parse = (v: string | null) => (v ? JSON.parse(v) : undefined);
const iso = (v: Timestamp | null) => (v ? toDate(v).toISOString() : undefined);

const isTerminal = (state: OperationState) =>
  TERMINAL_OPERATION_STATES.includes(state);

const FIELDS: readonly TransitionField[] = [
  'steps',
  'progress',
  'reasons',
  'confirmedBy',
  'awaiting',
  'gateSnapshot',
  'overrideId',
  'baselineRevision',
  'resultRevision',
  'lease',
  'timings',
];

/** The optional parts of a change that it sets (null clears, so it counts). */
const fieldsOf = (change: OperationTransition) =>
  FIELDS.filter(f => change[f] !== undefined);

function fromRow(row: OperationRow): OperationRecord {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    environment: row.environment,
    type: row.type,
    driver: row.driver,
    simulated: row.driver === 'simulated',
    release: {
      version: row.release_version ?? undefined,
      digest: row.release_digest ?? undefined,
    },
    targetRevision: row.target_revision ?? undefined,
    state: row.state,
    steps: parse(row.steps) ?? [],
    progress: parse(row.progress),
    reasons: parse(row.reasons) ?? [],
    requestedBy: row.requested_by,
    confirmedBy: row.confirmed_by ?? undefined,
    awaiting: row.awaiting ?? undefined,
    gateSnapshot: parse(row.gate_snapshot),
    overrideId: row.override_id ?? undefined,
    baselineRevision: row.baseline_revision ?? undefined,
    resultRevision: row.result_revision ?? undefined,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    finishedAt: iso(row.finished_at),
    leaseOwner: row.lease_owner ?? undefined,
    leaseExpiresAt: row.lease_expires_at
      ? toDate(row.lease_expires_at)
      : undefined,
    requestHash: row.request_hash ?? undefined,
    timings: parse(row.timings),
    lockKey: row.active_key ?? undefined,
  };
}

/** Where a unique constraint was violated, on PostgreSQL and SQLite alike. */
const violated = (error: unknown, index: string) => {
  const e = error as { code?: string; constraint?: string; message?: string };
  if (e.code === '23505') return e.constraint === index;
  return (
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    (index === 'rco_operations_one_active'
      ? /active_key/.test(e.message ?? '')
      : /idempotency_key/.test(e.message ?? ''))
  );
};

/**
 * Operations as a persisted state machine. One active operation per entity and environment is a
 * unique constraint (`active_key` is null once finished), so two backends on one database cannot
 * both start one; every state change is a compare-and-set on the state and commits with its
 * ledger entry in one transaction.
 */
export class OperationStore {
  constructor(
    private readonly db: Knex,
    private readonly ledger: Ledger,
    /**
     * When an operation is recorded as created, changed and finished: the system clock, but for
     * the local portal's generated demo history (issue 17), which is written with past times.
     * Leases always run on the system clock.
     */
    private readonly clock: Clock = systemClock,
  ) {}

  /** Creates the operation in `requested`, or throws ActiveOperationError. */
  async create(op: NewOperation): Promise<OperationRecord> {
    const now = new Date();
    const at = this.clock.now();
    const id = randomUUID();
    let row: OperationRow | undefined;
    try {
      await this.db.transaction(async tx => {
        await this.ledger.lock(tx, op.entityRef);
        [row] = await tx('rco_operations')
          .insert({
            id,
            entity_ref: op.entityRef,
            environment: op.environment,
            type: op.type,
            driver: op.driver,
            release_version: op.release.version ?? null,
            release_digest: op.release.digest ?? null,
            target_revision: op.targetRevision ?? null,
            state: 'requested',
            steps: JSON.stringify(op.steps),
            reasons: '[]',
            requested_by: op.requestedBy,
            active_key: op.lockKey,
            idempotency_key: op.idempotencyKey ?? null,
            request_hash: op.requestHash,
            lease_owner: op.lease.owner,
            lease_expires_at: new Date(now.getTime() + op.lease.ms),
            created_at: at,
            updated_at: at,
          })
          .returning('*');
        await this.ledger.append(tx, {
          entryType: 'operation-requested',
          entityRef: op.entityRef,
          actor: op.requestedBy,
          payload: {
            id,
            type: op.type,
            environment: op.environment,
            driver: op.driver,
            release: op.release,
            targetRevision: op.targetRevision ?? null,
          },
        });
      });
    } catch (error) {
      if (violated(error, 'rco_operations_one_active')) {
        const active = await this.db('rco_operations')
          .where({ active_key: op.lockKey })
          .first();
        throw new ActiveOperationError(active?.id ?? 'unknown', op.environment);
      }
      if (violated(error, 'rco_operations_idempotency')) {
        throw new IdempotencyKeyTakenError();
      }
      throw error;
    }
    // Set by the transaction, which committed.
    return fromRow(row!);
  }

  async get(id: string): Promise<OperationRecord | undefined> {
    const row = await this.db('rco_operations').where({ id }).first();
    return row ? fromRow(row) : undefined;
  }

  async mustGet(id: string): Promise<OperationRecord> {
    const op = await this.get(id);
    if (!op) throw new NotFoundError(`No operation ${id}`);
    return op;
  }

  async findByIdempotencyKey(requestedBy: string, key: string) {
    const row = await this.db('rco_operations')
      .where({ requested_by: requestedBy, idempotency_key: key })
      .first();
    return row ? fromRow(row) : undefined;
  }

  async activeFor(entityRef: string, environment: string) {
    const row = await this.db('rco_operations')
      .where({ entity_ref: entityRef, environment })
      .whereNotNull('active_key')
      .first();
    return row ? fromRow(row) : undefined;
  }

  async list(
    entityRef: string,
    options: { environment?: string; limit?: number } = {},
  ): Promise<OperationRecord[]> {
    const query = this.db('rco_operations')
      .where({ entity_ref: entityRef })
      .orderBy('created_at', 'desc')
      .limit(options.limit ?? 50);
    if (options.environment) query.where({ environment: options.environment });
    return (await query).map(fromRow);
  }

  /**
   * Applies a change if the operation is in one of `from`, with its ledger entry, in one
   * transaction. Returns undefined when the state had moved on (someone else won). Throws
   * ForbiddenTransitionError for a change the state machine does not have.
   */
  async transition(
    id: string,
    change: OperationTransition,
  ): Promise<OperationRecord | undefined> {
    assertTransitionAllowed(change.from, change.to, fieldsOf(change));
    const now = new Date();
    return this.db.transaction(async tx => {
      // Every writer takes the entity's ledger lock before it writes the row, so they never
      // wait for each other in opposite orders; here the read takes it (one round trip).
      let row = await this.ledger.readLocked(tx, 'rco_operations', id);
      if (!row || !change.from.includes(row.state)) return undefined;
      let written = await this.write(tx, row, change, now, this.clock.now());
      if (!written) {
        // Another change committed between the read and the lock: judge this one again on
        // the state it left (the lock keeps it still now).
        row = await tx('rco_operations').where({ id }).first();
        if (!row || !change.from.includes(row.state)) return undefined;
        written = await this.write(tx, row, change, now, this.clock.now());
        if (!written) return undefined;
      }
      await this.ledger.append(tx, {
        entryType: 'operation-state',
        entityRef: row.entity_ref,
        actor: change.actor,
        payload: {
          id,
          from: row.state,
          to: written.state,
          awaiting: change.awaiting ?? null,
          reasons: change.reasons ?? null,
          gateSnapshot: change.gateSnapshot?.hash ?? null,
          overrideId: change.overrideId ?? null,
          resultRevision: change.resultRevision ?? null,
          ...change.detail,
        },
      });
      return fromRow(written);
    });
  }

  /** The row as `change` leaves it, written only if it is still in the state `row` has. */
  private async write(
    tx: Knex.Transaction,
    row: OperationRow,
    change: OperationTransition,
    now: Date,
    /** The recorded time of the change (the clock's; `now` runs leases). */
    at: Date,
  ) {
    const to: OperationState = change.to ?? row.state;
    const update: Partial<OperationRow> = { state: to, updated_at: at };
    if (change.steps) update.steps = JSON.stringify(change.steps);
    if (change.progress !== undefined) update.progress = json(change.progress);
    if (change.reasons) update.reasons = JSON.stringify(change.reasons);
    if (change.confirmedBy) update.confirmed_by = change.confirmedBy;
    if (change.awaiting !== undefined) update.awaiting = change.awaiting;
    if (change.gateSnapshot) update.gate_snapshot = json(change.gateSnapshot);
    if (change.overrideId) update.override_id = change.overrideId;
    if (change.baselineRevision)
      update.baseline_revision = change.baselineRevision;
    if (change.resultRevision) update.result_revision = change.resultRevision;
    if (change.lease) {
      update.lease_owner = change.lease.owner;
      update.lease_expires_at = new Date(now.getTime() + change.lease.ms);
    } else if (change.lease === null) {
      update.lease_owner = null;
      update.lease_expires_at = null;
    }
    if (change.timings) update.timings = json(change.timings);
    if (isTerminal(to)) {
      update.active_key = null;
      update.finished_at = at;
      update.lease_owner = null;
      update.lease_expires_at = null;
    }
    const [written] = await tx('rco_operations')
      .where({ id: row.id, state: row.state })
      .update(update)
      .returning('*');
    return written;
  }

  /**
   * Takes or renews the lease: only when it is free, expired or already ours, so one backend
   * at a time drives an operation.
   */
  async claimLease(id: string, owner: string, leaseMs: number) {
    const now = new Date();
    const count = await this.db('rco_operations')
      .where({ id })
      .whereNotNull('active_key')
      .andWhere(q =>
        q
          .whereNull('lease_expires_at')
          .orWhere('lease_expires_at', '<', now)
          .orWhere({ lease_owner: owner }),
      )
      .update({
        lease_owner: owner,
        lease_expires_at: new Date(now.getTime() + leaseMs),
      });
    return count === 1;
  }

  /** Progress from the driver: no state change, so no ledger entry; renews our lease. */
  async reportProgress(
    id: string,
    owner: string,
    leaseMs: number,
    update: { progress?: OperationProgress; steps?: OperationStep[] },
  ) {
    const now = new Date();
    const count = await this.db('rco_operations')
      .where({ id, lease_owner: owner })
      .whereNotNull('active_key')
      .update({
        ...(update.progress ? { progress: json(update.progress) } : {}),
        ...(update.steps ? { steps: JSON.stringify(update.steps) } : {}),
        lease_expires_at: new Date(now.getTime() + leaseMs),
        updated_at: now,
      });
    return count === 1;
  }

  /**
   * Moves a canary paused for promotion to `promoting`, once: two promotes at the same time must
   * not advance two steps. True for the one caller that won.
   */
  async startPromotion(id: string, actor: string) {
    return this.db.transaction(async tx => {
      const query = tx('rco_operations').where({ id, state: 'running' });
      // SQLite transactions are serial; PostgreSQL locks the row for the check-then-write.
      if (tx.client.config.client === 'pg') query.forUpdate();
      const row = await query.first();
      const progress = row?.progress ? JSON.parse(row.progress) : undefined;
      if (progress?.phase !== 'paused') return false;
      await tx('rco_operations')
        .where({ id })
        .update({
          progress: json({
            ...progress,
            phase: 'promoting',
            message: `Promoted by ${actor}`,
          }),
          updated_at: new Date(),
        });
      return true;
    });
  }

  /** Operations left waiting for a confirmation since before `before`. */
  async listUnconfirmed(before: Date): Promise<OperationRecord[]> {
    const rows = await this.db('rco_operations')
      .where({ state: 'awaiting-confirmation' })
      .where('updated_at', '<', before)
      .limit(100);
    return rows.map(fromRow);
  }

  /** Unfinished operations nobody holds: a lease that ran out, or one never taken. */
  async listOrphans(now = new Date()): Promise<OperationRecord[]> {
    const rows = await this.db('rco_operations')
      .whereNotNull('active_key')
      .whereIn('state', ['requested', 'preflight', 'running'])
      .andWhere(q =>
        q.where('lease_expires_at', '<', now).orWhereNull('lease_expires_at'),
      )
      .limit(100);
    return rows.map(fromRow);
  }
}
