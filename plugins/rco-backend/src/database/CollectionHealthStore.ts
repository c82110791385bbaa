import { Knex } from 'knex';
import { toDate } from '../lib/canonicalJson';
import { CollectionHealthTableRow } from './tables';

/** What one health row is about: '' namespace (or aboutEntity) when the collector named none. */
export interface HealthKey {
  collector: string;
  cluster: string;
  kind: string;
  environment: string;
  namespace: string;
  /** Lowercase ref of the one entity the outcome is about (its selector failed); '' for all. */
  aboutEntity: string;
}

/** What a collector last found with one cluster, kind, environment and namespace. */
export interface CollectionHealthRow extends HealthKey {
  lastAttemptAt: Date;
  lastSuccessAt?: Date;
  /** The last failure in words; absent once a run covering it succeeded. */
  lastError?: string;
  /** Who saw lastError: 'full' (a scheduled run) or the entity ref of an owner's refresh. */
  errorScope?: string;
  /** Ok, but worth knowing: a kind not served, objects attributed to none. */
  note?: string;
  objects?: number;
}

/** One outcome of a run, for one environment (and namespace). */
export interface HealthOutcome extends HealthKey {
  ok: boolean;
  error?: string;
  note?: string;
  objects?: number;
}

/** One entity's objects in an ok outcome (only counts above zero are stored). */
export interface EntityCount extends HealthKey {
  /** Lowercase entity ref. */
  entityRef: string;
  objects: number;
}

/** Everything one collector's run says about its health. */
export interface HealthRun {
  collector: string;
  at: Date;
  /** 'full' for a scheduled run over every place; the lowercase entity ref of an owner's refresh. */
  scope: string;
  /** The environments of the run's places. */
  environments: string[];
  /** Lowercase refs of the entities the run's places belong to. */
  entities: string[];
  /** The collector returned (it neither threw nor overran): its outcomes are all it saw. */
  complete: boolean;
  outcomes: HealthOutcome[];
  /** Counts of the ok outcomes; an entity of the run missing here has none. */
  counts: EntityCount[];
}

/**
 * Collection health: shown on the Release tab, never read by the gates (a failing cluster must
 * not turn a gate green or red; its evidence just goes stale). Not in the ledger for that reason.
 *
 * Rules (issue 13 review M1): a run only writes the rows it covered. An error stays until a run
 * covering the same thing succeeds: a namespace's row is cleared by any run listing that
 * namespace; a row without a namespace (a whole endpoint, a cluster-wide kind) that a scheduled
 * run saw failing is only cleared by a scheduled run, never by one owner's refresh (which reads
 * far less and may finish where the full run keeps timing out). A complete scheduled run
 * replaces the collector's rows in its environments: rows it no longer reports are gone.
 */
export interface CollectionHealthStore {
  record(run: HealthRun): Promise<number>;
  /** The rows one entity's page shows, and that entity's counts. */
  list(query: {
    entityRef: string;
    environments: string[];
    /** The cluster namespaces of the entity's places. */
    namespaces: string[];
  }): Promise<{ rows: CollectionHealthRow[]; counts: EntityCount[] }>;
}

const HEALTH = 'rco_collection_health';
const COUNTS = 'rco_collection_counts';
const KEY = [
  'collector',
  'cluster',
  'kind',
  'environment',
  'namespace',
  'about_entity',
];
const CHUNK = 100;

const tuple = (k: HealthKey) => [
  k.collector,
  k.cluster,
  k.kind,
  k.environment,
  k.namespace,
  k.aboutEntity,
];
const keyOf = (k: HealthKey) => tuple(k).join('\u0000');
/** The key as columns (row: a database row; otherwise a HealthKey). */
const columns = (k: HealthKey) => ({
  collector: k.collector,
  cluster: k.cluster,
  kind: k.kind,
  environment: k.environment,
  namespace: k.namespace,
  about_entity: k.aboutEntity,
});
const keyFields = (
  row: Pick<
    CollectionHealthTableRow,
    | 'collector'
    | 'cluster'
    | 'kind'
    | 'environment'
    | 'namespace'
    | 'about_entity'
  >,
): HealthKey => ({
  collector: row.collector,
  cluster: row.cluster,
  kind: row.kind,
  environment: row.environment,
  namespace: row.namespace ?? '',
  aboutEntity: row.about_entity ?? '',
});

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(items.slice(i, i + size));
  return out;
}

const fromRow = (row: CollectionHealthTableRow): CollectionHealthRow => ({
  ...keyFields(row),
  lastAttemptAt: toDate(row.last_attempt_at),
  lastSuccessAt: row.last_success_at ? toDate(row.last_success_at) : undefined,
  lastError: row.last_error ?? undefined,
  errorScope: row.error_scope ?? undefined,
  note: row.note ?? undefined,
  objects: row.objects === null ? undefined : Number(row.objects),
});

/** {@link CollectionHealthStore} in rco_collection_health and rco_collection_counts. */
export class DatabaseCollectionHealthStore implements CollectionHealthStore {
  constructor(private readonly db: Knex) {}

  async record(run: HealthRun) {
    // Runs on two replicas write overlapping rows at once; PostgreSQL may pick one as a deadlock
    // victim. Every write here is an idempotent upsert or update: write it again.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.recordOnce(run);
      } catch (e) {
        if ((e as { code?: string }).code !== '40P01' || attempt >= 5) throw e;
        await new Promise(r => setTimeout(r, 20 * attempt));
      }
    }
  }

  private async recordOnce(run: HealthRun) {
    const { at } = run;
    const full = run.scope === 'full';
    // One order for every run: fewer lock-order deadlocks between replicas.
    const sorted = [...run.outcomes].sort(
      (a, b) => Number(keyOf(a) > keyOf(b)) - Number(keyOf(a) < keyOf(b)),
    );
    const failed = sorted.filter(o => !o.ok);
    const ok = sorted.filter(o => o.ok);
    // Failures: the attempt and the error; the last success and its counts stay.
    for (const part of chunks(failed)) {
      await this.db(HEALTH)
        .insert(
          part.map(o => ({
            ...columns(o),
            last_attempt_at: at,
            last_success_at: null,
            last_error: o.error ?? 'failed',
            error_scope: run.scope,
            note: null,
            objects: null,
          })),
        )
        .onConflict(KEY)
        .merge(['last_attempt_at', 'last_error', 'error_scope']);
    }
    for (const part of chunks(ok)) {
      const upsert = this.db(HEALTH)
        .insert(
          part.map(o => ({
            ...columns(o),
            last_attempt_at: at,
            last_success_at: at,
            last_error: null,
            error_scope: null,
            note: o.note ?? null,
            objects: o.objects ?? null,
          })),
        )
        .onConflict(KEY);
      await (full
        ? upsert.merge([
            'last_attempt_at',
            'last_success_at',
            'note',
            'objects',
          ])
        : upsert.merge({
            last_attempt_at: at,
            last_success_at: at,
            objects: this.db.raw('excluded.objects'),
            // A refresh lists a namespace whole, but only some of a row about no namespace:
            // its narrower note does not replace the scheduled run's.
            note: this.db.raw(
              `CASE WHEN ${HEALTH}.namespace = '' THEN COALESCE(${HEALTH}.note, excluded.note) ELSE excluded.note END`,
            ),
          }));
      // Which errors this success clears: see the interface's rules.
      const clears = full ? part : part.filter(o => o.namespace !== '');
      if (clears.length)
        await this.db(HEALTH)
          .whereIn(KEY, clears.map(tuple))
          .update({ last_error: null, error_scope: null });
      const narrow = full ? [] : part.filter(o => o.namespace === '');
      if (narrow.length)
        await this.db(HEALTH)
          .whereIn(KEY, narrow.map(tuple))
          .where(q =>
            q.whereNull('error_scope').orWhereNot('error_scope', 'full'),
          )
          .update({ last_error: null, error_scope: null });
    }
    if (run.complete) await this.afterComplete(run, ok);
    return run.outcomes.length;
  }

  /** A collector that returned: stale rows go, counts are replaced within the run's scope. */
  private async afterComplete(run: HealthRun, ok: HealthOutcome[]) {
    const full = run.scope === 'full';
    const envs = run.environments;
    if (!envs.length) return;
    const reported = new Set(run.outcomes.map(keyOf));
    if (full) {
      const stale = (
        await this.db(HEALTH)
          .where({ collector: run.collector })
          .whereIn('environment', envs)
          .select(...KEY)
      )
        .map(keyFields)
        .filter(r => !reported.has(keyOf(r)));
      for (const part of chunks(stale.map(tuple))) {
        await this.db(HEALTH).whereIn(KEY, part).delete();
        await this.db(COUNTS).whereIn(KEY, part).delete();
      }
    } else {
      // A refresh that completed ends its own (and other refreshes') "did not finish".
      await this.db(HEALTH)
        .where({ collector: run.collector, cluster: '*', kind: '*' })
        .whereIn('environment', envs)
        .where(q =>
          q.whereNull('error_scope').orWhereNot('error_scope', 'full'),
        )
        .delete();
      // It covered its entities wholly: their own rows it did not report again are gone.
      const entities = run.entities.map(e => e.toLowerCase());
      const stale = (
        await this.db(HEALTH)
          .where({ collector: run.collector })
          .whereIn('environment', envs)
          .whereIn('about_entity', entities.length ? entities : ['\u0000'])
          .select(...KEY)
      )
        .map(keyFields)
        .filter(r => !reported.has(keyOf(r)));
      for (const part of chunks(stale.map(tuple)))
        await this.db(HEALTH).whereIn(KEY, part).delete();
    }
    // Counts of the ok outcomes: upsert what changed, delete what is now zero. Only the run's
    // entities (a refresh) or every entity (a scheduled run); each count is its own row, so a
    // refresh and a scheduled run writing at once never lose each other's counts.
    const okKeys = new Set(ok.map(keyOf));
    const existing = new Map<string, number>();
    const entityKey = (c: HealthKey & { entityRef: string }) =>
      `${keyOf(c)}\u0000${c.entityRef}`;
    const readExisting = async (entities?: string[]) => {
      const q = this.db(COUNTS)
        .where({ collector: run.collector })
        .whereIn('environment', envs);
      if (entities) q.whereIn('entity_ref', entities);
      for (const r of await q.select()) {
        const c = { ...keyFields(r), entityRef: r.entity_ref };
        if (okKeys.has(keyOf(c))) existing.set(entityKey(c), Number(r.objects));
      }
    };
    if (full) await readExisting();
    else
      for (const part of chunks(run.entities.map(e => e.toLowerCase())))
        await readExisting(part);
    const wanted = new Map<string, EntityCount>();
    for (const c of run.counts) {
      if (c.objects > 0 && okKeys.has(keyOf(c)))
        wanted.set(entityKey(c), {
          ...c,
          entityRef: c.entityRef.toLowerCase(),
        });
    }
    const upserts = [...wanted.entries()]
      .filter(([k, c]) => existing.get(k) !== c.objects)
      .map(([, c]) => ({
        ...columns(c),
        entity_ref: c.entityRef,
        objects: c.objects,
      }));
    for (const part of chunks(upserts))
      await this.db(COUNTS)
        .insert(part)
        .onConflict([...KEY, 'entity_ref'])
        .merge(['objects']);
    const gone = [...existing.keys()]
      .filter(k => !wanted.has(k))
      .map(k => k.split('\u0000'));
    for (const part of chunks(gone))
      await this.db(COUNTS)
        .whereIn([...KEY, 'entity_ref'], part)
        .delete();
  }

  async list(query: {
    entityRef: string;
    environments: string[];
    namespaces: string[];
  }) {
    if (!query.environments.length) return { rows: [], counts: [] };
    const counts: EntityCount[] = (
      await this.db(COUNTS)
        .where({ entity_ref: query.entityRef.toLowerCase() })
        .whereIn('environment', query.environments)
    ).map(r => ({
      ...keyFields(r),
      entityRef: r.entity_ref,
      objects: Number(r.objects),
    }));
    // Its own namespaces, namespaces where it has objects, and rows about no namespace: another
    // team's namespace failing is not this entity's business (nor shown to it). Likewise rows
    // about one entity only.
    const namespaces = [
      ...new Set(['', ...query.namespaces, ...counts.map(c => c.namespace)]),
    ];
    const rows = await this.db(HEALTH)
      .whereIn('environment', query.environments)
      .whereIn('namespace', namespaces)
      .whereIn('about_entity', ['', query.entityRef.toLowerCase()])
      .orderBy(KEY);
    return { rows: rows.map(fromRow), counts };
  }
}
