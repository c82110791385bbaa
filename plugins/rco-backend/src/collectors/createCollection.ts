import {
  AuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EvidenceCollector } from '@helix-portal/plugin-rco-node';
import { Knex } from 'knex';
import { RcoConfig } from '../config';
import { DatabaseCollectedEvidenceStore } from '../database/CollectedEvidenceStore';
import { DatabaseCollectionHealthStore } from '../database/CollectionHealthStore';
import { EvidenceStore } from '../database/EvidenceStore';
import { Ledger } from '../database/Ledger';
import { EvidenceService } from '../evidence/EvidenceService';
import { Clock } from '../lib/clock';
import { DeployCluster } from '@helix-portal/plugin-rco-node';
import { Environments } from '../operations/environments';
import { TargetBindings } from '../operations/targetBinding';
import { builtinCollectors } from './builtin';
import { CollectionPlaces } from './places';
import { CollectionService } from './CollectionService';
import { CollectionWriter } from './CollectionWriter';

/** The collectors, built-in first: a duplicate id stops the start (whose objects would they be?). */
export function uniqueCollectors(
  collectors: EvidenceCollector[],
): EvidenceCollector[] {
  const seen = new Set<string>();
  for (const c of collectors) {
    if (!c?.id || typeof c.collect !== 'function')
      throw new Error(
        'An evidence collector needs an id and a collect function',
      );
    if (seen.has(c.id))
      throw new Error(
        `Two evidence collectors have the id "${c.id}": collector ids must be unique`,
      );
    if (c.source !== 'cluster' && c.source !== 'monitoring')
      throw new Error(
        `Evidence collector "${c.id}" has source "${c.source}"; use cluster or monitoring`,
      );
    seen.add(c.id);
  }
  return collectors;
}

/**
 * Every configured credential a collector's error could echo: the clusters' tokens and CA data,
 * the Prometheus and Alertmanager bearer tokens and header values (rco.collectors.prometheus, as
 * config.ts read it). Cut out of every health error and note.
 */
export function collectionSecrets(
  clusters: ReadonlyMap<string, DeployCluster>,
  rco: Pick<RcoConfig, 'prometheus'>,
): string[] {
  const values = [
    ...[...clusters.values()].flatMap(c => [c.serviceAccountToken, c.caData]),
    ...rco.prometheus.environments.flatMap(e =>
      [e.prometheus, e.alertmanager].flatMap(endpoint => [
        endpoint.bearerToken,
        ...Object.values(endpoint.headers ?? {}),
      ]),
    ),
  ];
  return [...new Set(values.filter((v): v is string => !!v))];
}

/** Builds the collection side of the plugin and puts it on the scheduler. */
export async function createCollection(deps: {
  rco: RcoConfig;
  logger: LoggerService;
  scheduler: SchedulerService;
  catalog: CatalogService;
  auth: AuthService;
  db: Knex;
  ledger: Ledger;
  evidenceStore: EvidenceStore;
  evidenceService: EvidenceService;
  environments: Environments;
  bindings?: TargetBindings;
  releases: { invalidate(entityRef: string, what?: 'evidence'): void };
  clock: Clock;
  extraCollectors: EvidenceCollector[];
}) {
  const collectors = uniqueCollectors([
    ...builtinCollectors({
      rco: deps.rco,
      clusters: deps.environments.clusters,
      logger: deps.logger,
    }),
    ...deps.extraCollectors,
  ]);
  const service = new CollectionService({
    collectors,
    places: new CollectionPlaces({
      environments: deps.environments,
      bindings: deps.bindings,
      entityKinds: deps.rco.operationEntityKinds,
      logger: deps.logger,
    }),
    writer: new CollectionWriter({
      evidenceService: deps.evidenceService,
      evidenceStore: deps.evidenceStore,
      collected: new DatabaseCollectedEvidenceStore(deps.db, deps.ledger),
      logger: deps.logger,
      observationGranularityMs:
        deps.rco.collection.observationGranularity.toMillis(),
    }),
    health: new DatabaseCollectionHealthStore(deps.db),
    catalog: deps.catalog,
    auth: deps.auth,
    logger: deps.logger,
    clock: deps.clock,
    timeoutMs: deps.rco.collection.timeout.toMillis(),
    refreshCooldownMs: deps.rco.collection.refreshCooldown.toMillis(),
    maxConcurrentRefreshes: deps.rco.collection.maxConcurrentRefreshes,
    releases: deps.releases,
    secrets: collectionSecrets(deps.environments.clusters, deps.rco),
    kubernetesClusters: new Set(deps.environments.clusters.keys()),
    simulatedClusters: new Set((deps.rco.demoClusters ?? []).map(c => c.name)),
  });
  await service.schedule(deps.scheduler, deps.rco.collection.schedule);
  if (collectors.length)
    deps.logger.info(
      `Evidence collectors: ${collectors.map(c => c.id).join(', ')}`,
    );
  return service;
}
