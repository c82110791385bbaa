import { Knex } from 'knex';
import { toDate } from '../lib/canonicalJson';
import { Ledger } from './Ledger';
import { markVerdictsChanged } from './VerdictStore';
import { EvidenceRow } from './tables';

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

/** A known object version: its evidence row and whether it is the object's current state. */
export interface KnownVersion {
  id: string;
  entityRef: string;
  /** When last seen (null for rows written before observations were kept). */
  observedAt?: Date;
  /** Marked gone by a full list that did not show the object. */
  gone: boolean;
  /**
   * Whether this version is what the gates read for the object now: no other version of it was
   * observed later. A version seen again that is not current must have its observation moved
   * whatever the granularity, or the newer version it left would stay current.
   */
  current: boolean;
}

/** Where a full, successful list was made and which objects it showed (R1 M2). */
export interface ListedScope {
  entityRef: string;
  environment: string;
  /** The API kind listed (provenance kind, compared without case). */
  kind: string;
  /** Only this namespace's objects were listed (undefined: every namespace). */
  namespace?: string;
  /** Namespaces whose list failed in the run: their objects are not judged gone. */
  exceptNamespaces: string[];
  /** uids the list showed for this entity and environment (with every uid listed, if known). */
  seen: string[];
  /** When set, the scope covers stored rows of this evidence kind, whatever their API kind. */
  evidenceKind?: string;
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
  /**
   * Marks gone every row of an object of these scopes that the list did not show, once (rows
   * already gone stay as they are), with ONE `evidence-gone` ledger entry in the same
   * transaction. Returns the number of rows marked.
   */
  gone(
    collector: string,
    cluster: string,
    scopes: ListedScope[],
    at: Date,
  ): Promise<number>;
}

/**
 * A row of a collector: its provenance columns are written together (provenanceColumns), so
 * the queries below, which all name a collector, read a uid and resourceVersion on every row.
 */
type CollectedRow = Omit<
  EvidenceRow,
  'origin_uid' | 'origin_resource_version'
> & { origin_uid: string; origin_resource_version: string };

/** The columns `known` reads. */
type KnownRow = Pick<
  CollectedRow,
  | 'id'
  | 'entity_ref'
  | 'environment'
  | 'kind'
  | 'origin_uid'
  | 'origin_resource_version'
  | 'observed_at'
  | 'collected_at'
  | 'gone_at'
>;

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
    const rows: KnownRow[] = [];
    for (const part of chunks(uids)) {
      rows.push(
        ...((await this.db('rco_evidence')
          .select(
            'id',
            'entity_ref',
            'environment',
            'kind',
            'origin_uid',
            'origin_resource_version',
            'observed_at',
            'collected_at',
            'gone_at',
          )
          .where({ collector, origin_cluster: cluster })
          .whereIn('origin_uid', part)) as KnownRow[]),
      );
    }
    // The current version of each object (entity, environment, kind, uid): as listForRelease.
    const objectKey = (row: KnownRow) =>
      [row.entity_ref, row.environment ?? '', row.kind, row.origin_uid].join(
        '\u0000',
      );
    const time = (row: KnownRow) => toDate(row.observed_at ?? row.collected_at);
    const newest = new Map<string, KnownRow>();
    for (const row of rows) {
      const best = newest.get(objectKey(row));
      if (
        !best ||
        time(row) > time(best) ||
        (time(row).getTime() === time(best).getTime() &&
          toDate(row.collected_at) > toDate(best.collected_at))
      )
        newest.set(objectKey(row), row);
    }
    for (const row of rows) {
      found.set(
        versionKey({
          entityRef: row.entity_ref,
          environment: row.environment ?? '',
          evidenceKind: row.kind,
          uid: row.origin_uid,
          resourceVersion: row.origin_resource_version,
        }),
        {
          id: row.id,
          entityRef: row.entity_ref,
          observedAt: row.observed_at ? toDate(row.observed_at) : undefined,
          gone: !!row.gone_at,
          current: newest.get(objectKey(row)) === row,
        },
      );
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
        const these = rows.map(r => r.id);
        if (!these.length) continue;
        // Seen: an object marked gone exists again (the entry's split clears it alike).
        await tx('rco_evidence')
          .whereIn('id', these)
          .update({ observed_at: at, gone_at: null });
        moved.push(...these);
      }
      if (!moved.length) return 0;
      await markVerdictsChanged(tx, moved);
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

  async gone(
    collector: string,
    cluster: string,
    scopes: ListedScope[],
    at: Date,
  ) {
    if (!scopes.length) return 0;
    // One read of the cluster's rows still present (not per scope: a run has hundreds of
    // scopes), outside the ledger lock; most runs find nothing gone and take no lock at all.
    const key = (entityRef: string, environment: string, kind: string) =>
      [entityRef, environment, kind.toLowerCase()].join('\u0000');
    const byPlace = new Map<string, ListedScope[]>();
    const seen = new Map(scopes.map(scope => [scope, new Set(scope.seen)]));
    for (const scope of scopes) {
      const k = scope.evidenceKind
        ? key(scope.entityRef, scope.environment, `\u0001${scope.evidenceKind}`)
        : key(scope.entityRef, scope.environment, scope.kind);
      byPlace.set(k, [...(byPlace.get(k) ?? []), scope]);
    }
    const rows = (await this.db('rco_evidence')
      .select(
        'id',
        'entity_ref',
        'environment',
        'origin_kind',
        'origin_namespace',
        'origin_uid',
        'kind',
      )
      .where({ collector, origin_cluster: cluster })
      .whereNull('gone_at')
      .where(listedBefore(at))) as Array<
      Pick<
        CollectedRow,
        | 'id'
        | 'entity_ref'
        | 'environment'
        | 'origin_kind'
        | 'origin_namespace'
        | 'origin_uid'
        | 'kind'
      >
    >;
    const candidates = rows
      .filter(row =>
        [
          ...(byPlace.get(
            key(row.entity_ref, row.environment ?? '', row.origin_kind ?? ''),
          ) ?? []),
          ...(byPlace.get(
            key(row.entity_ref, row.environment ?? '', `\u0001${row.kind}`),
          ) ?? []),
        ].some(
          scope =>
            (scope.namespace === undefined ||
              row.origin_namespace === scope.namespace) &&
            !(
              row.origin_namespace &&
              scope.exceptNamespaces.includes(row.origin_namespace)
            ) &&
            !seen.get(scope)!.has(row.origin_uid),
        ),
      )
      .map(row => row.id);
    if (!candidates.length) return 0;
    return this.db.transaction(async tx => {
      await this.ledger.lock(tx, undefined);
      const marked: string[] = [];
      for (const part of chunks(candidates.sort())) {
        // Still present under the lock (a replica may have marked or seen it meanwhile): a row
        // stored or observed at or after this run's list time is newer than what it listed.
        const still = await tx('rco_evidence')
          .select('id')
          .whereIn('id', part)
          .whereNull('gone_at')
          .where(listedBefore(at));
        const ids = still.map(r => r.id);
        if (!ids.length) continue;
        await tx('rco_evidence').whereIn('id', ids).update({ gone_at: at });
        marked.push(...ids);
      }
      if (!marked.length) return 0;
      await markVerdictsChanged(tx, marked);
      await this.ledger.append(tx, {
        entryType: 'evidence-gone',
        actor: `collector:${collector}`,
        payload: {
          collector,
          cluster,
          goneAt: at.toISOString(),
          ids: marked.sort(),
        },
      });
      return marked.length;
    });
  }
}

/** Rows stored and last observed before `at`: a list made at `at` speaks for them. */
function listedBefore(at: Date) {
  return (q: Knex.QueryBuilder) => {
    q.where('collected_at', '<', at).andWhere(w => {
      w.whereNull('observed_at').orWhere('observed_at', '<', at);
    });
  };
}
