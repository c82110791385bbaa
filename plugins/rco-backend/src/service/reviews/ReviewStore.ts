import { ConflictError } from '@backstage/errors';
import {
  OpenReviewView,
  ReleaseReviewView,
} from '@helix-portal/plugin-rco-common';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { Ledger } from '../../database/Ledger';
import { OperationRecord } from '../../database/OperationStore';
import { ReleaseReviewRow } from '../../database/tables';
import { toDate } from '../../lib/canonicalJson';
import { ReviewInput, whereReviewable } from './reviewRules';

/** A review to store: the owner's text (secrets masked already) and the operation it is about. */
export interface NewReview extends ReviewInput {
  operation: Pick<
    OperationRecord,
    'id' | 'entityRef' | 'type' | 'environment' | 'release'
  >;
  author: string;
  createdAt: Date;
}

/** Where reviews live: the table and the entity's ledger chain, written together. */
export interface ReviewStore {
  /** Stores the review with its ledger entry in one transaction; 409 if the operation has one. */
  record(review: NewReview): Promise<ReleaseReviewView>;
  get(id: string): Promise<ReleaseReviewView | undefined>;
  byOperation(operationId: string): Promise<ReleaseReviewView | undefined>;
  list(entityRef: string): Promise<ReleaseReviewView[]>;
  /** Finished production deploys and rollbacks of the entity without a review, newest first. */
  open(
    entityRef: string,
    environments: readonly string[],
  ): Promise<OpenReviewView[]>;
  /** How many each entity has (entities without any are left out). */
  /** Open reviews per entity: of these entities, or of every entity when none are named. */
  openCounts(
    entityRefs: readonly string[] | undefined,
    environments: readonly string[],
  ): Promise<Map<string, number>>;
}

const iso = (v: unknown) => toDate(v as Date).toISOString();

const fromRow = (row: ReleaseReviewRow): ReleaseReviewView => ({
  id: row.id,
  entityRef: row.entity_ref,
  operationId: row.operation_id,
  operationType: row.operation_type,
  environment: row.environment,
  release: {
    ...(row.release_version ? { version: row.release_version } : {}),
    ...(row.release_digest ? { digest: row.release_digest } : {}),
  },
  result: row.result,
  summary: row.summary,
  deviations: row.deviations,
  lessons: row.lessons,
  author: row.author,
  createdAt: iso(row.created_at),
  ledgerSeq: Number(row.ledger_seq),
});

/** Where a unique constraint was violated, on PostgreSQL and SQLite alike. */
const duplicate = (error: unknown) => {
  const e = error as { code?: string; message?: string };
  return (
    e.code === '23505' ||
    (e.code === 'SQLITE_CONSTRAINT_UNIQUE' &&
      /operation_id/.test(e.message ?? ''))
  );
};

/** Keeps entity refs in bounded IN lists (PostgreSQL and SQLite both limit bound parameters). */
const CHUNK = 500;

export class DatabaseReviewStore implements ReviewStore {
  constructor(private readonly db: Knex, private readonly ledger: Ledger) {}

  async record(review: NewReview): Promise<ReleaseReviewView> {
    const op = review.operation;
    const id = randomUUID();
    const taken = () =>
      new ConflictError(`Operation ${op.id} has been reviewed already`);
    try {
      return await this.db.transaction(async tx => {
        // The entity's chain lock first: two reviews of one operation queue here, and the second
        // finds the first (the unique index stays the backstop).
        await this.ledger.lock(tx, op.entityRef);
        if (
          await tx('rco_release_reviews').where({ operation_id: op.id }).first()
        )
          throw taken();
        const payload = {
          id,
          operationId: op.id,
          operationType: op.type,
          environment: op.environment,
          release: {
            version: op.release.version ?? null,
            digest: op.release.digest ?? null,
          },
          result: review.result,
          summary: review.summary,
          deviations: review.deviations,
          lessons: review.lessons,
          author: review.author,
          createdAt: review.createdAt.toISOString(),
        };
        const entry = await this.ledger.append(tx, {
          entryType: 'release-review',
          entityRef: op.entityRef,
          actor: review.author,
          payload,
        });
        const row: ReleaseReviewRow = {
          id,
          entity_ref: op.entityRef,
          operation_id: op.id,
          operation_type: op.type as ReleaseReviewRow['operation_type'],
          environment: op.environment,
          release_version: op.release.version ?? null,
          release_digest: op.release.digest ?? null,
          result: review.result,
          summary: review.summary,
          deviations: review.deviations,
          lessons: review.lessons,
          author: review.author,
          created_at: review.createdAt,
          ledger_seq: entry.seq,
        };
        await tx('rco_release_reviews').insert(row);
        return fromRow(row);
      });
    } catch (error) {
      if (duplicate(error)) throw taken();
      throw error;
    }
  }

  async get(id: string) {
    const row = await this.db('rco_release_reviews').where({ id }).first();
    return row ? fromRow(row) : undefined;
  }

  async byOperation(operationId: string) {
    const row = await this.db('rco_release_reviews')
      .where({ operation_id: operationId })
      .first();
    return row ? fromRow(row) : undefined;
  }

  async list(entityRef: string) {
    const rows = await this.db('rco_release_reviews')
      .where({ entity_ref: entityRef })
      .orderBy('created_at', 'desc');
    return rows.map(fromRow);
  }

  private unreviewed(environments: readonly string[]) {
    return whereReviewable(
      this.db('rco_operations as o')
        .leftJoin('rco_release_reviews as r', 'r.operation_id', 'o.id')
        .whereNull('r.id'),
      environments,
    );
  }

  async open(entityRef: string, environments: readonly string[]) {
    const rows = await this.unreviewed(environments)
      .where('o.entity_ref', entityRef)
      .orderBy('o.finished_at', 'desc')
      .select(
        'o.id',
        'o.type',
        'o.environment',
        'o.release_version',
        'o.release_digest',
        'o.finished_at',
        'o.updated_at',
        'o.state',
      );
    return rows.map(
      (row: any): OpenReviewView => ({
        operationId: row.id,
        operationType: row.type,
        environment: row.environment,
        release: {
          ...(row.release_version ? { version: row.release_version } : {}),
          ...(row.release_digest ? { digest: row.release_digest } : {}),
        },
        finishedAt: iso(row.finished_at ?? row.updated_at),
        state: row.state,
      }),
    );
  }

  async openCounts(
    entityRefs: readonly string[] | undefined,
    environments: readonly string[],
  ) {
    const counts = new Map<string, number>();
    const chunks = entityRefs
      ? Array.from({ length: Math.ceil(entityRefs.length / CHUNK) }, (_, i) =>
          entityRefs.slice(i * CHUNK, (i + 1) * CHUNK),
        )
      : [undefined];
    for (const chunk of chunks) {
      const query = this.unreviewed(environments);
      if (chunk) query.whereIn('o.entity_ref', chunk);
      const rows = await query
        .groupBy('o.entity_ref')
        .select('o.entity_ref')
        .count({ n: '*' });
      for (const row of rows as Array<{ entity_ref: string; n: unknown }>)
        counts.set(row.entity_ref, Number(row.n));
    }
    return counts;
  }
}
