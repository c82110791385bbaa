import { ConflictError, NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { toDate } from '../lib/canonicalJson';
import { Ledger } from './Ledger';
import { Clock, systemClock } from '../lib/clock';
import { OverrideRow } from './tables';

/** A break-glass override as stored. */
export interface OverrideRecord {
  id: string;
  entityRef: string;
  environment: string;
  release: { version?: string; digest?: string };
  justification: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt?: Date;
  revokedBy?: string;
}

const fromRow = (row: OverrideRow): OverrideRecord => ({
  id: row.id,
  entityRef: row.entity_ref,
  environment: row.environment,
  release: {
    version: row.release_version ?? undefined,
    digest: row.release_digest ?? undefined,
  },
  justification: row.justification,
  createdBy: row.created_by,
  createdAt: toDate(row.created_at),
  expiresAt: toDate(row.expires_at),
  revokedAt: row.revoked_at ? toDate(row.revoked_at) : undefined,
  revokedBy: row.revoked_by ?? undefined,
});

/**
 * Break-glass overrides: one release, one environment, until an expiry; each one and its
 * revocation is a ledger entry in the same transaction.
 */
export class OverrideStore {
  constructor(
    private readonly db: Knex,
    private readonly ledger: Ledger,
    /** Dates overrides (the local portal's demo clock can be ahead of the system's). */
    private readonly clock: Clock = systemClock,
  ) {}

  async add(
    o: Omit<OverrideRecord, 'id' | 'createdAt' | 'revokedAt' | 'revokedBy'>,
  ): Promise<OverrideRecord> {
    const record: OverrideRecord = {
      ...o,
      id: randomUUID(),
      createdAt: this.clock.now(),
    };
    await this.db.transaction(async tx => {
      await this.ledger.lock(tx, record.entityRef);
      await tx('rco_overrides').insert({
        id: record.id,
        entity_ref: record.entityRef,
        environment: record.environment,
        release_version: record.release.version ?? null,
        release_digest: record.release.digest ?? null,
        justification: record.justification,
        created_by: record.createdBy,
        created_at: record.createdAt,
        expires_at: record.expiresAt,
      });
      await this.ledger.append(tx, {
        entryType: 'break-glass',
        entityRef: record.entityRef,
        actor: record.createdBy,
        payload: {
          id: record.id,
          environment: record.environment,
          release: record.release,
          justification: record.justification,
          createdBy: record.createdBy,
          createdAt: record.createdAt.toISOString(),
          expiresAt: record.expiresAt.toISOString(),
        },
      });
    });
    return record;
  }

  async list(entityRef: string): Promise<OverrideRecord[]> {
    const rows = await this.db('rco_overrides')
      .where({ entity_ref: entityRef })
      .orderBy('created_at', 'desc')
      .limit(100);
    return rows.map(fromRow);
  }

  async byId(id: string): Promise<OverrideRecord | undefined> {
    const row = await this.db('rco_overrides').where({ id }).first();
    return row ? fromRow(row) : undefined;
  }

  /** The newest override that is active now for this environment and release. */
  async findActive(
    entityRef: string,
    environment: string,
    release: { version?: string; digest?: string },
    now = this.clock.now(),
  ): Promise<OverrideRecord | undefined> {
    return (await this.list(entityRef)).find(
      o =>
        o.environment === environment &&
        !o.revokedAt &&
        o.expiresAt > now &&
        (o.release.digest ?? null) === (release.digest ?? null) &&
        (o.release.version ?? null) === (release.version ?? null),
    );
  }

  async revoke(id: string, entityRef: string, actor: string) {
    return this.db.transaction(async tx => {
      await this.ledger.lock(tx, entityRef);
      const row = await tx('rco_overrides')
        .where({ id, entity_ref: entityRef })
        .first();
      if (!row) throw new NotFoundError(`No override ${id}`);
      if (row.revoked_at)
        throw new ConflictError(`Override ${id} is already revoked`);
      const now = this.clock.now();
      await tx('rco_overrides')
        .where({ id })
        .update({ revoked_at: now, revoked_by: actor });
      await this.ledger.append(tx, {
        entryType: 'break-glass-revoke',
        entityRef,
        actor,
        payload: { id, revokedAt: now.toISOString(), revokedBy: actor },
      });
      return fromRow({ ...row, revoked_at: now, revoked_by: actor });
    });
  }
}
