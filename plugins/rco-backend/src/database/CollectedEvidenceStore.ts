import { Knex } from 'knex';
import { Ledger } from './Ledger';

/** One collected object in one version, as the diff asks about it. */
export interface ObjectVersion {
  entityRef: string;
  environment: string;
  evidenceKind: string;
  uid: string;
  resourceVersion: string;
}

/** The identity of an object version: entity and environment too (the same object is one row per entity). */
export const versionKey = (o: ObjectVersion) =>
  [
    o.entityRef.toLowerCase(),
    o.environment,
    o.evidenceKind,
    o.uid,
    o.resourceVersion,
  ].join('\u0000');

/** A known object version: its evidence row. */
export interface KnownVersion {
  id: string;
  entityRef: string;
}

/**
 * What the collection needs beyond EvidenceStore.add (which stores a new version with its
 * provenance and its evidence-upload ledger entry): which versions are stored already, and
 * moving the last observation of unchanged ones.
 */
export interface CollectedEvidenceStore {
  /** The stored rows of these object versions of one collector and cluster, by versionKey. */
  known(
    collector: string,
    cluster: string,
    objects: ObjectVersion[],
  ): Promise<Map<string, KnownVersion>>;
  /**
   * Records that these rows were seen unchanged at `at`: observed_at moves forward (never back)
   * and ONE `evidence-observed` ledger entry lists the rows moved, in one transaction. Returns
   * the number of rows moved.
   */
  observed(
    collector: string,
    cluster: string,
    ids: string[],
    at: Date,
  ): Promise<number>;
}

/** SQLite allows 999 bound variables per statement; PostgreSQL many more. */
const CHUNK = 500;

const chunks = <T>(items: T[]) => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK)
    out.push(items.slice(i, i + CHUNK));
  return out;
};

/** {@link CollectedEvidenceStore} on rco_evidence's provenance columns. */
export class DatabaseCollectedEvidenceStore implements CollectedEvidenceStore {
  constructor(private readonly db: Knex, private readonly ledger: Ledger) {}

  async known(collector: string, cluster: string, objects: ObjectVersion[]) {
    const found = new Map<string, KnownVersion>();
    const uids = [...new Set(objects.map(o => o.uid))];
    for (const part of chunks(uids)) {
      const rows = await this.db('rco_evidence')
        .select(
          'id',
          'entity_ref',
          'environment',
          'kind',
          'origin_uid',
          'origin_resource_version',
        )
        .where({ collector, origin_cluster: cluster })
        .whereIn('origin_uid', part);
      for (const row of rows) {
        found.set(
          versionKey({
            entityRef: row.entity_ref,
            environment: row.environment ?? '',
            evidenceKind: row.kind,
            uid: row.origin_uid,
            resourceVersion: row.origin_resource_version,
          }),
          { id: row.id, entityRef: row.entity_ref },
        );
      }
    }
    return found;
  }

  async observed(collector: string, cluster: string, ids: string[], at: Date) {
    if (!ids.length) return 0;
    return this.db.transaction(async tx => {
      // The chain without an entity: one entry per run and cluster names rows of many entities.
      await this.ledger.lock(tx, undefined);
      const moved: string[] = [];
      for (const part of chunks([...new Set(ids)].sort())) {
        // Only rows of this collector and cluster, and only forward: a slower replica's older
        // observation must not move a newer one back.
        const rows = await tx('rco_evidence')
          .select('id')
          .where({ collector, origin_cluster: cluster })
          .whereIn('id', part)
          .andWhere(q =>
            q.whereNull('observed_at').orWhere('observed_at', '<', at),
          );
        const these = rows.map(r => r.id as string);
        if (!these.length) continue;
        await tx('rco_evidence')
          .whereIn('id', these)
          .update({ observed_at: at });
        moved.push(...these);
      }
      if (!moved.length) return 0;
      await this.ledger.append(tx, {
        entryType: 'evidence-observed',
        actor: `collector:${collector}`,
        payload: {
          collector,
          cluster,
          observedAt: at.toISOString(),
          ids: moved.sort(),
        },
      });
      return moved.length;
    });
  }
}
