import { Knex } from 'knex';
import { toDate } from '../lib/canonicalJson';

/** What one collector last found with one cluster, kind and environment. */
export interface CollectionHealthRow {
  collector: string;
  cluster: string;
  kind: string;
  environment: string;
  lastAttemptAt: Date;
  lastSuccessAt?: Date;
  /** The last failure in words; absent while the last attempt succeeded. */
  lastError?: string;
  objects?: number;
  /** Objects per entity (lowercase ref) in the last successful run. */
  entityObjects: Record<string, number>;
}

/** One outcome of a run, for one environment. */
export interface HealthOutcome {
  collector: string;
  cluster: string;
  kind: string;
  environment: string;
  at: Date;
  ok: boolean;
  error?: string;
  objects?: number;
  /** Objects per entity seen now (ok only). */
  entityObjects?: Record<string, number>;
  /**
   * An owner's refresh covers one entity: its count replaces that entity's, the others stay.
   * A scheduled run covers every entity: its counts replace the whole map.
   */
  partial: boolean;
}

/**
 * Collection health: shown on the Release tab, never read by the gates (a failing cluster must
 * not turn a gate green or red; its evidence just goes stale). Not in the ledger for that reason.
 */
export interface CollectionHealthStore {
  record(outcomes: HealthOutcome[]): Promise<number>;
  list(environments: string[]): Promise<CollectionHealthRow[]>;
}

const fromRow = (row: any): CollectionHealthRow => ({
  collector: row.collector,
  cluster: row.cluster,
  kind: row.kind,
  environment: row.environment,
  lastAttemptAt: toDate(row.last_attempt_at),
  lastSuccessAt: row.last_success_at ? toDate(row.last_success_at) : undefined,
  lastError: row.last_error ?? undefined,
  objects: row.objects === null ? undefined : Number(row.objects),
  entityObjects: row.entity_objects ? JSON.parse(row.entity_objects) : {},
});

/** {@link CollectionHealthStore} in rco_collection_health. */
export class DatabaseCollectionHealthStore implements CollectionHealthStore {
  constructor(private readonly db: Knex) {}

  /** Upserts one row per outcome; returns the rows written. */
  async record(outcomes: HealthOutcome[]) {
    for (const o of outcomes) {
      await this.db.transaction(async tx => {
        const key = {
          collector: o.collector,
          cluster: o.cluster,
          kind: o.kind,
          environment: o.environment,
        };
        const existing = await tx('rco_collection_health').where(key).first();
        const before = existing ? fromRow(existing) : undefined;
        const entityObjects = o.ok
          ? {
              ...(o.partial ? before?.entityObjects : {}),
              ...o.entityObjects,
            }
          : before?.entityObjects ?? {};
        const row = {
          last_attempt_at: o.at,
          last_success_at: o.ok ? o.at : before?.lastSuccessAt ?? null,
          last_error: o.ok ? null : o.error ?? 'failed',
          objects: o.ok ? o.objects ?? null : before?.objects ?? null,
          entity_objects: JSON.stringify(entityObjects),
        };
        if (existing) await tx('rco_collection_health').where(key).update(row);
        else
          await tx('rco_collection_health')
            .insert({ ...key, ...row })
            .onConflict(['collector', 'cluster', 'kind', 'environment'])
            .merge(row);
      });
    }
    return outcomes.length;
  }

  async list(environments: string[]) {
    if (!environments.length) return [];
    const rows = await this.db('rco_collection_health')
      .whereIn('environment', environments)
      .orderBy(['collector', 'cluster', 'kind', 'environment']);
    return rows.map(fromRow);
  }
}
