import {
  AuthService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { ConflictError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  CollectionStatusResponse,
  RUNBOOK_ANNOTATION,
} from '@helix-portal/plugin-rco-common';
import {
  CollectionHealth,
  CollectionPlace,
  EvidenceCollector,
} from '@helix-portal/plugin-rco-node';
import {
  CollectionHealthRow,
  CollectionHealthStore,
  EntityCount,
} from '../database/CollectionHealthStore';
import { Clock } from '../lib/clock';
import { acceptObjects } from './accept';
import { CollectionWriter } from './CollectionWriter';
import { CollectionPlaces } from './places';
import { redactError } from './redact';
import { TooManyRequestsError } from './TooManyRequestsError';
import { healthView } from './healthView';
import { entityCounts, healthOutcomes } from './healthOutcomes';

/** Every 5 minutes, one replica at a time; a run may take 3 minutes. */
export const DEFAULT_COLLECTION_SCHEDULE: SchedulerServiceTaskScheduleDefinition =
  {
    frequency: { minutes: 5 },
    timeout: { minutes: 3 },
    initialDelay: { seconds: 30 },
  };

/** Refreshes of one entity: at most one per 30 s (rco.collection.refreshCooldown). */
export const DEFAULT_REFRESH_COOLDOWN_MS = 30_000;
/** Refreshes one instance runs at once (rco.collection.maxConcurrentRefreshes). */
export const DEFAULT_MAX_CONCURRENT_REFRESHES = 2;
/** How long a refresh reuses the governed entities' places another refresh read. */
const PLACES_CACHE_MS = 30_000;

/** What one run did, summed over its collectors (the benchmark prints it). */
export interface RunReport {
  places: number;
  objects: number;
  dropped: number;
  created: number;
  /** Objects seen again unchanged, and of those the rows whose observation moved. */
  unchanged: number;
  observed: number;
  /** Rows of objects a full list no longer showed, marked gone. */
  gone: number;
  ledgerEntries: number;
  healthRows: number;
  failures: number;
}

/**
 * Runs the registered collectors over the places of the governed entities, stores what they
 * found (CollectionWriter) and how they fared (collection health), and tells the release cache
 * about entities whose evidence changed. A collector that throws or overruns the run's timeout
 * only shows as failing health: nothing it returned is stored, nothing else changes.
 */
export class CollectionService {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly o: {
      collectors: EvidenceCollector[];
      places: CollectionPlaces;
      writer: CollectionWriter;
      health: CollectionHealthStore;
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      clock: Clock;
      /** Longest time a collector may take in one run (rco.collection.timeout). */
      timeoutMs: number;
      /** The release cache: told about entities whose evidence changed or was seen again. */
      releases: { invalidate(entityRef: string, what?: 'evidence'): void };
      /** Secrets a collector's error could echo (the clusters' tokens): never shown. */
      secrets: string[];
      /** kubernetes.clusterLocatorMethods' cluster names (a clusterless place reads none). */
      kubernetesClusters?: ReadonlySet<string>;
      /** The local portal's simulated clusters (rco.demoClusters): labelled so on the page. */
      simulatedClusters?: ReadonlySet<string>;
      /** rco.collection.refreshCooldown: shortest time between two refreshes of one entity. */
      refreshCooldownMs?: number;
      /** rco.collection.maxConcurrentRefreshes: refreshes one instance runs at once. */
      maxConcurrentRefreshes?: number;
    },
  ) {}

  /** When each entity's last refresh started (this instance), for the cooldown. */
  private readonly lastRefresh = new Map<string, number>();
  /** Every governed entity's places (no bindings), shared by refreshes for a short while. */
  private allPlaces?: { at: number; places: Promise<CollectionPlace[]> };

  get configured() {
    return this.o.collectors.length > 0;
  }

  /** On the scheduler, one replica at a time (scope global). */
  async schedule(
    scheduler: SchedulerService,
    schedule: SchedulerServiceTaskScheduleDefinition = DEFAULT_COLLECTION_SCHEDULE,
  ) {
    if (!this.configured) return;
    await scheduler.scheduleTask({
      id: 'rco-evidence-collection',
      scope: 'global',
      ...schedule,
      fn: async signal => {
        const report = await this.runAll(signal);
        this.o.logger.info(
          `Evidence collection: ${report.objects} objects at ${report.places} places; ${report.created} new rows, ${report.observed} observations moved, ${report.ledgerEntries} ledger entries, ${report.failures} failures`,
        );
      },
    });
  }

  /** Every governed entity (a runbook annotation, as the portfolio) at every place. */
  async runAll(signal?: AbortSignal): Promise<RunReport> {
    const places: CollectionPlace[] = [];
    for (const entity of await this.governed())
      places.push(...(await this.o.places.of(entity)));
    return this.run(places, 'full', signal);
  }

  private async governed(): Promise<Entity[]> {
    const { items } = await this.o.catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${RUNBOOK_ANNOTATION}`]: CATALOG_FILTER_EXISTS,
        },
      },
      { credentials: await this.o.auth.getOwnServiceCredentials() },
    );
    return items;
  }

  /**
   * Every other governed entity's places: a refresh collects none of them, but a collector that
   * attributes by selector must see them, or an entity named like another team's service would
   * take the objects both selectors match by refreshing first (a scheduled run gives them to
   * neither).
   */
  private async otherPlaces(entityRef: string): Promise<CollectionPlace[]> {
    const now = this.o.clock.now().getTime();
    if (!this.allPlaces || now - this.allPlaces.at > PLACES_CACHE_MS) {
      const places = this.governed().then(async entities => {
        const all: CollectionPlace[] = [];
        for (const entity of entities)
          all.push(
            ...(await this.o.places.of(entity, false, { bindings: false })),
          );
        return all;
      });
      this.allPlaces = { at: now, places };
      // A failed read is not kept: the next refresh tries again.
      places.catch(() => {
        if (this.allPlaces?.places === places) this.allPlaces = undefined;
      });
    }
    return (await this.allPlaces.places).filter(
      p => p.entityRef.toLowerCase() !== entityRef,
    );
  }

  /**
   * An owner's refresh: the collectors for this entity's places only. One at a time per entity
   * (a second while one runs is refused with 409: the page shows the running one's outcome),
   * none within the cooldown of the last one, and only so many at once in this instance (both
   * refused with 429 and a Retry-After): each
   * reads the clusters and the catalog, and owners of many entities must not be able to keep
   * the clusters' API servers busy.
   */
  async refresh(
    entity: Entity,
  ): Promise<{ report: RunReport; places: CollectionPlace[] }> {
    if (!this.configured) {
      throw new ConflictError(
        'No evidence collector is configured in this portal',
      );
    }
    const entityRef = stringifyEntityRef(entity).toLowerCase();
    if (this.inFlight.has(entityRef)) {
      throw new ConflictError(
        `A collection for ${entityRef} is running already; its outcome shows when it ends`,
      );
    }
    const max =
      this.o.maxConcurrentRefreshes ?? DEFAULT_MAX_CONCURRENT_REFRESHES;
    if (this.inFlight.size >= max) {
      throw new TooManyRequestsError(
        `${this.inFlight.size} collections asked for by owners are running in this portal already (rco.collection.maxConcurrentRefreshes is ${max}); try again in a minute, or wait for the scheduled run`,
        60,
      );
    }
    const now = this.o.clock.now().getTime();
    const cooldown = this.o.refreshCooldownMs ?? DEFAULT_REFRESH_COOLDOWN_MS;
    const last = this.lastRefresh.get(entityRef);
    if (last !== undefined && now - last < cooldown) {
      const wait = Math.max(1, Math.ceil((cooldown - (now - last)) / 1000));
      throw new TooManyRequestsError(
        `${entityRef} was collected less than ${Math.round(
          cooldown / 1000,
        )} s ago (rco.collection.refreshCooldown); its outcome is shown; try again in ${wait} s`,
        wait,
      );
    }
    for (const [ref, at] of this.lastRefresh)
      if (now - at >= cooldown) this.lastRefresh.delete(ref);
    this.lastRefresh.set(entityRef, now);
    const run = Promise.all([
      this.o.places.of(entity),
      this.otherPlaces(entityRef),
    ]).then(async ([places, others]) => ({
      report: await this.run(places, entityRef, undefined, others),
      places,
    }));
    this.inFlight.set(entityRef, run);
    try {
      return await run;
    } finally {
      this.inFlight.delete(entityRef);
    }
  }

  /** `known`: the entity's places when the caller has them (a refresh just worked them out). */
  async status(
    entity: Entity,
    canRefresh: boolean,
    known?: CollectionPlace[],
  ): Promise<CollectionStatusResponse> {
    const places = known ?? (await this.o.places.of(entity, false));
    const environments = [...new Set(places.map(p => p.environment))];
    const entityRef = stringifyEntityRef(entity);
    const { rows, counts } = await this.o.health.list({
      entityRef,
      environments,
      // Every namespace its places are read in: a fixed platform namespace (Velero's) too.
      namespaces: [
        ...new Set(
          places.flatMap(p => [
            p.namespace,
            ...this.o.collectors.flatMap(c => c.namespacesRead?.(p) ?? []),
          ]),
        ),
      ],
    });
    return {
      configured: this.configured,
      canRefresh: canRefresh && this.configured && places.length > 0,
      health: healthView(
        entityRef,
        this.o.collectors.map(c => c.id),
        environments,
        rows.filter(this.onItsClusters(places)),
        counts,
      ).map(v =>
        this.o.simulatedClusters?.has(v.cluster)
          ? { ...v, simulated: true }
          : v,
      ),
    };
  }

  /**
   * Which health rows are about the clusters of these places (S1 L1): a cluster collector's row
   * of another cluster in the same environment (a cluster-wide kind's failure, its notes) is not
   * this entity's business. A monitoring collector reads one endpoint per environment, so the
   * environment says it; a failure of a collector as a whole ('*') concerns everyone; a place
   * without a cluster is read through the collector's own means, never a configured cluster.
   */
  private onItsClusters(places: CollectionPlace[]) {
    const monitoring = new Set(
      this.o.collectors.filter(c => c.source === 'monitoring').map(c => c.id),
    );
    const configured = this.o.kubernetesClusters ?? new Set<string>();
    const own = places[0]?.entityRef.toLowerCase();
    return (row: CollectionHealthRow) =>
      row.cluster === '*' ||
      // About this entity alone, whatever the collector calls the cluster.
      (!!own && row.aboutEntity === own) ||
      monitoring.has(row.collector) ||
      places.some(
        p =>
          p.environment === row.environment &&
          (p.cluster
            ? p.cluster.name === row.cluster
            : !configured.has(row.cluster)),
      );
  }

  /** `scope`: 'full' (every place) or the lowercase ref of the entity an owner refreshes. */
  private async run(
    places: CollectionPlace[],
    scope: string,
    signal?: AbortSignal,
    otherPlaces?: CollectionPlace[],
  ): Promise<RunReport> {
    const report: RunReport = {
      places: places.length,
      objects: 0,
      dropped: 0,
      created: 0,
      unchanged: 0,
      observed: 0,
      gone: 0,
      ledgerEntries: 0,
      healthRows: 0,
      failures: 0,
    };
    if (!places.length) return report;
    // Collectors run side by side: a slow one must not eat the others' time.
    const outcomes = await Promise.all(
      this.o.collectors.map(c =>
        this.collectOne(c, places, signal, otherPlaces),
      ),
    );
    const at = this.o.clock.now();
    const environments = [...new Set(places.map(p => p.environment))];
    const entities = [...new Set(places.map(p => p.entityRef.toLowerCase()))];
    // Entities a note may name: those of the run and those attributed against (S1 L1).
    const known = [
      ...entities,
      ...(otherPlaces ?? []).map(p => p.entityRef.toLowerCase()),
    ];
    for (const { collector, result, error } of outcomes) {
      let health: CollectionHealth[];
      let counts: EntityCount[] = [];
      if (error || !result) {
        report.failures++;
        health = [
          {
            collector: collector.id,
            cluster: '*',
            kind: '*',
            environments,
            ok: false,
            error: error ?? 'returned nothing',
          },
        ];
      } else {
        const objects = Array.isArray(result.objects) ? result.objects : [];
        health = Array.isArray(result.health) ? result.health : [];
        const { accepted, dropped } = acceptObjects(
          collector,
          places,
          objects,
          health,
        );
        for (const why of dropped.slice(0, 20))
          this.o.logger.warn(
            `Collector ${collector.id} object dropped: ${why}`,
          );
        report.objects += accepted.length;
        report.dropped += dropped.length;
        // The places and health tell the writer which lists were full (objects not in them are gone).
        const written = await this.o.writer.write(collector, accepted, at, {
          places,
          health,
        });
        report.created += written.created;
        report.unchanged += written.unchanged;
        report.observed += written.observed;
        report.gone += written.gone;
        report.ledgerEntries += written.ledgerEntries;
        for (const ref of written.changedEntities)
          this.o.releases.invalidate(ref, 'evidence');
        for (const ref of written.refreshedEntities)
          this.o.releases.invalidate(ref);
        counts = entityCounts(collector.id, health, accepted);
      }
      report.healthRows += await this.o.health.record({
        collector: collector.id,
        at,
        scope,
        environments,
        entities,
        complete: !error && !!result,
        outcomes: healthOutcomes(collector.id, health, this.o.secrets, known),
        counts,
      });
    }
    return report;
  }

  /** One collector's run, bounded by the timeout; its error in words, never thrown. */
  private async collectOne(
    collector: EvidenceCollector,
    places: CollectionPlace[],
    outer?: AbortSignal,
    otherPlaces?: CollectionPlace[],
  ) {
    const controller = new AbortController();
    const limit =
      this.o.timeoutMs < 1000
        ? `${this.o.timeoutMs} ms`
        : `${Math.round(this.o.timeoutMs / 1000)} s`;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(
          new Error(`did not finish within ${limit} (rco.collection.timeout)`),
        );
      }, this.o.timeoutMs);
    });
    const onAbort = () => controller.abort();
    outer?.addEventListener('abort', onAbort);
    try {
      const result = await Promise.race([
        collector.collect({
          places,
          otherPlaces,
          signal: controller.signal,
          logger: this.o.logger.child({ collector: collector.id }),
        }),
        timedOut,
      ]);
      return { collector, result, error: undefined };
    } catch (e) {
      const message = redactError(
        (e as Error)?.message ?? String(e),
        this.o.secrets,
      );
      this.o.logger.warn(`Collector ${collector.id} failed: ${message}`);
      return { collector, result: undefined, error: message };
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }
}
