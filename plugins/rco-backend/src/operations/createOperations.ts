import {
  AuthService,
  LoggerService,
  LifecycleService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import { DeployDriver } from '@helix-portal/plugin-rco-node';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { RcoConfig } from '../config';
import { Ledger } from '../database/Ledger';
import { OperationStore } from '../database/OperationStore';
import { OverrideStore } from '../database/OverrideStore';
import { DatabaseTargetClaimStore } from '../database/TargetClaimStore';
import { ArgoRolloutsDriver } from '../drivers/argoRollouts/ArgoRolloutsDriver';
import { HelmDriver } from '../drivers/helm/HelmDriver';
import { SimulatedDriver } from '../drivers/simulated/SimulatedDriver';
import { EvidenceService } from '../evidence/EvidenceService';
import { ReleaseService } from '../service/ReleaseService';
import { Environments } from './environments';
import { OperationNotifier } from './events';
import { SignalChannels } from './signalChannels';
import { HistoryCache } from './historyCache';
import { OperationEvents, OperationRunner } from './OperationRunner';
import { TargetBindings } from './targetBinding';
import { runClaimBackfill } from './claimBackfill';
import { OperationService } from './OperationService';

/**
 * Builds the deploy side of the plugin: drivers (built in plus modules'), environments, the
 * stores, the runner with its lease reconciliation, and the service the routes call.
 */
export async function createOperations(deps: {
  rco: RcoConfig;
  logger: LoggerService;
  lifecycle: LifecycleService;
  auth: AuthService;
  catalog: CatalogService;
  signals: SignalsService;
  notifications: NotificationService;
  db: Knex;
  ledger: Ledger;
  releases: ReleaseService;
  evidenceService: EvidenceService;
  environments: Environments;
  extraDrivers: DeployDriver[];
}) {
  const rcoConfig = deps.rco;
  const simulated = new SimulatedDriver({
    stepDelayMs: rcoConfig.simulatedStepDelay.toMillis(),
  });
  const drivers = new Map<string, DeployDriver>();
  for (const driver of [
    new HelmDriver(),
    new ArgoRolloutsDriver(),
    simulated,
    ...deps.extraDrivers,
  ]) {
    drivers.set(driver.id, driver);
  }
  const { environments } = deps;
  for (const env of environments.list) {
    if (!drivers.has(env.driver)) {
      throw new Error(
        `rco.environments[${env.name}].driver "${
          env.driver
        }" is unknown; drivers: ${[...drivers.keys()].join(', ')}`,
      );
    }
  }
  for (const env of environments.list) {
    // Without an image repository helm would re-apply the chart's default image and report
    // the release as deployed.
    if (env.driver === 'helm' && !env.imageRepository) {
      throw new Error(
        `rco.environments[${env.name}]: the helm driver needs imageRepository (the release digest is set as image.digest)`,
      );
    }
  }
  // The clock decisions and judgements are stamped with (the local portal's demo clock can be
  // ahead of the system's): an operation's times and its judgement's must be comparable.
  const store = new OperationStore(deps.db, deps.ledger, deps.releases.clock);
  const overrides = new OverrideStore(
    deps.db,
    deps.ledger,
    deps.releases.clock,
  );
  const notifier = new OperationNotifier({
    signals: deps.signals,
    notifications: deps.notifications,
    evidenceService: deps.evidenceService,
    logger: deps.logger,
    securityGroup: rcoConfig.signoffGroups.security,
    breakGlassGroup: rcoConfig.breakGlassGroup,
    channels: new SignalChannels(deps.db),
    releases: deps.releases,
    clock: deps.releases.clock,
    operations: store,
  });
  const claimStore = new DatabaseTargetClaimStore(deps.db, deps.ledger);
  const bindings = new TargetBindings({
    entityKinds: rcoConfig.operationEntityKinds,
    configured: environments.configuredBindings,
    store: claimStore,
    keyOfClaim: row => environments.claimKey(row),
  });
  const historyCache = new HistoryCache(rcoConfig.historyCacheTtl.toMillis());
  // Every change the runner or the service publishes drops the cached history of that target,
  // so the page shows a new revision as soon as the operation reports it.
  const events: OperationEvents = {
    changed: async op => {
      historyCache.invalidateFor(op.entityRef, op.environment);
      await notifier.changed(op);
    },
    finished: async (op, entity) => {
      // An ended deploy or rollback changes what the Release page says about the environment.
      deps.releases.invalidate(op.entityRef, 'operation');
      await notifier.finished(op, entity);
    },
    dryRunRecorded: (op, result, from) =>
      notifier.dryRunRecorded(op, result, from),
  };
  const instanceId = randomUUID();
  const leaseMs = rcoConfig.operations.leaseDuration.toMillis();
  const runner = new OperationRunner({
    store,
    environments,
    drivers,
    loadEntity: async ref =>
      (await deps.catalog.getEntityByRef(ref, {
        credentials: await deps.auth.getOwnServiceCredentials(),
      })) ?? undefined,
    events,
    logger: deps.logger,
    instanceId,
    leaseMs,
    pollMs: rcoConfig.operations.pollInterval.toMillis(),
    confirmationTimeoutMs: rcoConfig.operations.confirmationTimeout.toMillis(),
    bindings,
  });
  const operations = new OperationService({
    store,
    overrides,
    environments,
    drivers,
    releases: deps.releases,
    runner,
    instanceId,
    leaseMs,
    bindings,
    historyCache,
  });
  // Claims of entities that operated before targets were claimed; first claims wait for it.
  bindings.awaitBackfill(
    runClaimBackfill({
      db: deps.db,
      environments,
      drivers,
      bindings,
      store: claimStore,
      loadEntity: async ref =>
        (await deps.catalog.getEntityByRef(ref, {
          credentials: await deps.auth.getOwnServiceCredentials(),
        })) ?? undefined,
      logger: deps.logger,
    }),
  );
  // Every instance adopts orphaned operations; a plain timer rather than a scheduled task
  // because it must run on each instance, often (half a lease), and stop with the process.
  const reconcile = () =>
    runner
      .reconcile()
      .catch(error =>
        deps.logger.warn(`Reconciling operations failed: ${error}`),
      );
  const timer = setInterval(reconcile, Math.max(250, leaseMs / 2));
  timer.unref?.();
  void reconcile();
  deps.lifecycle.addShutdownHook(async () => {
    clearInterval(timer);
    await runner.stop();
  });
  return {
    operations,
    store,
    overrides,
    environments,
    notifier,
    bindings,
    simulated: environments.list.some(e => e.driver === 'simulated')
      ? simulated
      : undefined,
    runner,
  };
}
