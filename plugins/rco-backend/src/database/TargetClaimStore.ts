import { Knex } from 'knex';
import { toDate } from '../lib/canonicalJson';
import { Ledger } from './Ledger';
import { TargetClaimTableRow } from './tables';

/** One claimed deploy target, as stored in `rco_target_claims`. */
export interface TargetClaimRow {
  /** The normalised target key (see targetKey in operations/targetBinding.ts). */
  targetKey: string;
  entityRef: string;
  environment: string;
  cluster?: string;
  namespace: string;
  driver: string;
  /** The Helm release or Rollout name. */
  name: string;
  claimedBy: string;
  claimedAt: Date;
}

/** Where claims live: the binding rule only needs these two questions answered. */
export interface TargetClaimStore {
  get(targetKey: string): Promise<TargetClaimRow | undefined>;
  /**
   * Every claim of a release or Rollout name in a namespace, whatever its cluster and key format
   * (compared in lowercase): the binding rule works out which of them hold one target.
   */
  listByName(namespace: string, name: string): Promise<TargetClaimRow[]>;
  /**
   * Records the claim unless the target is claimed already, and answers with whichever claim
   * holds the target afterwards (the caller's own, or the one that was there first).
   */
  claim(
    row: Omit<TargetClaimRow, 'claimedAt'>,
  ): Promise<{ claim: TargetClaimRow; won: boolean }>;
}

const fromRow = (row: TargetClaimTableRow): TargetClaimRow => ({
  targetKey: row.target_key,
  entityRef: row.entity_ref,
  environment: row.environment,
  cluster: row.cluster ?? undefined,
  namespace: row.namespace,
  driver: row.driver,
  name: row.name,
  claimedBy: row.claimed_by,
  claimedAt: toDate(row.claimed_at),
});

/** A primary key violation, on PostgreSQL and SQLite alike. */
const taken = (error: unknown) => {
  const e = error as { code?: string; constraint?: string; message?: string };
  return (
    (e.code === '23505' && e.constraint === 'rco_target_claims_pkey') ||
    (typeof e.code === 'string' &&
      e.code.startsWith('SQLITE_CONSTRAINT') &&
      /rco_target_claims/.test(e.message ?? ''))
  );
};

/**
 * Claims in the plugin's database. A claim and its `target-claim` ledger entry (with the full
 * row, so the ledger alone can tell who holds what) commit in one transaction; the primary key
 * on the target key settles concurrent first claims.
 */
export class DatabaseTargetClaimStore implements TargetClaimStore {
  constructor(private readonly db: Knex, private readonly ledger: Ledger) {}

  async get(targetKey: string) {
    const row = await this.db('rco_target_claims')
      .where({ target_key: targetKey })
      .first();
    return row ? fromRow(row) : undefined;
  }

  async listByName(namespace: string, name: string) {
    const rows = await this.db('rco_target_claims')
      .whereRaw('lower(namespace) = ? and lower(name) = ?', [
        namespace.toLowerCase(),
        name.toLowerCase(),
      ])
      .orderBy('claimed_at', 'asc');
    return rows.map(fromRow);
  }

  async claim(row: Omit<TargetClaimRow, 'claimedAt'>) {
    const claim: TargetClaimRow = { ...row, claimedAt: new Date() };
    try {
      await this.db.transaction(async tx => {
        await this.ledger.lock(tx, claim.entityRef);
        await tx('rco_target_claims').insert({
          target_key: claim.targetKey,
          entity_ref: claim.entityRef,
          environment: claim.environment,
          cluster: claim.cluster ?? null,
          namespace: claim.namespace,
          driver: claim.driver,
          name: claim.name,
          claimed_by: claim.claimedBy,
          claimed_at: claim.claimedAt,
        });
        await this.ledger.append(tx, {
          entryType: 'target-claim',
          entityRef: claim.entityRef,
          actor: claim.claimedBy,
          payload: {
            targetKey: claim.targetKey,
            entityRef: claim.entityRef,
            environment: claim.environment,
            cluster: claim.cluster ?? null,
            namespace: claim.namespace,
            driver: claim.driver,
            name: claim.name,
            claimedBy: claim.claimedBy,
            claimedAt: claim.claimedAt.toISOString(),
          },
        });
      });
      return { claim, won: true };
    } catch (error) {
      if (!taken(error)) throw error;
      const holder = await this.get(claim.targetKey);
      if (!holder) throw error;
      return { claim: holder, won: false };
    }
  }
}
