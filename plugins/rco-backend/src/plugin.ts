import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { rcoPermissions } from '@helix-portal/plugin-rco-common';
import { DatabaseRunbookStore } from './database/DatabaseRunbookStore';
import { applyMigrations } from './database/migrations';
import { watchDatabaseErrors } from './service/unavailable';
import { createRouter } from './service/router';
import { createMetrics } from './metrics/createMetrics';
import { waiverProposalNotifier } from './service/decisions/waiverProposalNotice';
import { RunbookReader } from './service/RunbookReader';
import { RunbookService } from './service/RunbookService';
import { scheduleRunbookRefresh } from './service/scheduleRunbookRefresh';
import { readRcoConfig, requireDemoEvidenceDir } from './config';
import { SigstoreVerifier } from './evidence/sigstore';
import { DatabaseEvidenceStore } from './database/DatabaseEvidenceStore';
import { DecisionStore } from './database/DecisionStore';
import { Ledger } from './database/Ledger';
import { LedgerCheckpoints } from './database/LedgerCheckpoints';
import { LedgerVerifier } from './service/LedgerVerifier';
import { EvidenceService } from './evidence/EvidenceService';
import { builtinParsers } from './evidence/parsers';
import { Access } from './service/access';
import { ReleaseService } from './service/ReleaseService';
import { VerdictStore } from './database/VerdictStore';
import { VerdictService } from './service/verdicts/VerdictService';
import { PortfolioService } from './service/verdicts/PortfolioService';
import { GateExplainer } from './service/GateExplainer';
import { startDemoPortal } from './service/demo/demoPortal';
import { ReleaseSignals } from './service/releaseSignals';
import { SignalChannels } from './operations/signalChannels';
import { DemoClock, systemClock } from './lib/clock';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  DeployDriver,
  EvidenceCollector,
  rcoDeployDriversExtensionPoint,
  rcoEvidenceCollectorsExtensionPoint,
} from '@helix-portal/plugin-rco-node';
import { createCollection } from './collectors/createCollection';
import { createOperations } from './operations/createOperations';
import { Environments, readClusters } from './operations/environments';
import { entityRepositories } from './evidence/imageIdentity';
import { describeMissingSetup, groupFacts } from './setupSummary';
import { createWindows } from './service/road/windows/createWindows';
import { ReviewService } from './service/reviews/ReviewService';
import { DatabaseReviewStore } from './service/reviews/ReviewStore';
import { RoadService } from './service/road/RoadService';
import { DossierService } from './service/dossier/DossierService';
import { ephemeralDemoKey } from './service/dossier/dsse';
import { registerRcoActions } from './actions/registerActions';

/**
 * The RCO Release Console backend plugin.
 *
 * @public
 */
export const rcoPlugin = createBackendPlugin({
  pluginId: 'rco',
  register(env) {
    const extraDrivers: DeployDriver[] = [];
    env.registerExtensionPoint(rcoDeployDriversExtensionPoint, {
      addDriver(driver) {
        extraDrivers.push(driver);
      },
    });
    const extraCollectors: EvidenceCollector[] = [];
    env.registerExtensionPoint(rcoEvidenceCollectorsExtensionPoint, {
      addCollector(collector) {
        extraCollectors.push(collector);
      },
    });
    env.registerInit({
      deps: {
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        urlReader: coreServices.urlReader,
        scheduler: coreServices.scheduler,
        catalog: catalogServiceRef,
        userInfo: coreServices.userInfo,
        discovery: coreServices.discovery,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        lifecycle: coreServices.lifecycle,
        signals: signalsServiceRef,
        notifications: notificationService,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init(deps) {
        const config = readRcoConfig(deps.config);
        deps.permissionsRegistry.addPermissions(rcoPermissions);
        // The schema is brought up to date once, here, before any store is built.
        const db = await applyMigrations(deps.database);
        // Its errors are told apart from other services' (a 503 only for the database's).
        watchDatabaseErrors(db);
        const store = DatabaseRunbookStore.create({
          db,
          ledgerKey: config.ledger.checkpointKey,
        });
        // The key authenticates every entry written (ADR 0004).
        const ledger = new Ledger(db, config.ledger.checkpointKey);
        const evidenceStore = new DatabaseEvidenceStore(db, ledger);
        // The gates' time: the system's, or in the local portal a clock that can be moved on.
        const demoClock = config.demoEvidence ? new DemoClock() : undefined;
        const clock = demoClock ?? systemClock;
        const decisions = new DecisionStore(db, ledger, clock);
        const runbooks = new RunbookService(
          store,
          new RunbookReader(
            deps.urlReader,
            ScmIntegrations.fromConfig(deps.config),
          ),
          deps.logger,
        );
        // Verified on the scheduler; readers use the stored outcome (ADR 0004).
        const ledgerVerifier = new LedgerVerifier(
          db,
          ledger,
          new LedgerCheckpoints(config.ledger.checkpointKey),
          deps.logger,
          config.ledger.onDemandInterval.toMillis(),
          config.ledger.fullVerificationInterval.toMillis(),
        );
        await ledgerVerifier.schedule(
          deps.scheduler,
          config.ledger.schedule,
          // The start-up line below says it, with whatever else is missing.
          false,
        );
        // Read once: the gates' pillars need to know whether deploys go through the console.
        const environments = new Environments(
          config.environments,
          readClusters(deps.config),
        );
        const missing = describeMissingSetup({
          environments: environments.list.length,
          ciSubjects: config.ciSubjects.length,
          checkpointKey: !!config.ledger.checkpointKey,
          ...groupFacts(config),
          permissionsEnabled:
            deps.config.getOptionalBoolean('permission.enabled') === true,
        });
        if (missing) deps.logger.warn(missing);
        const releases = new ReleaseService(
          evidenceStore,
          decisions,
          ledger,
          runbooks,
          config,
          environments.list.length,
          clock,
        );
        // Every write the release cache hears of nudges open Release pages (issue 12 point 2).
        const releaseSignals = new ReleaseSignals({
          signals: deps.signals,
          channels: new SignalChannels(db),
          logger: deps.logger,
        });
        releases.onChange = (ref, what) => releaseSignals.changed(ref, what);
        // Verdicts are stored and recomputed on every write and as time passes (issue 14).
        const verdictStore = new VerdictStore(db);
        const verdicts = new VerdictService({
          store: verdictStore,
          releases,
          evidence: evidenceStore,
          catalog: deps.catalog,
          auth: deps.auth,
          logger: deps.logger,
          db,
          config,
          environments: environments.list.map(e => e.name),
        });
        releases.verdicts = verdicts;
        ledgerVerifier.onOutcome = ok => releases.ledgerOutcome(ok);
        await verdicts.schedule(deps.scheduler);
        const openReviews = {
          counts: async () => new Map<string, number>(),
        };
        const portfolio = new PortfolioService({
          store: verdictStore,
          catalog: deps.catalog,
          now: () => clock.now(),
          horizonMs: config.expiresSoonHorizon.toMillis(),
          configDigest: verdicts.digest,
          nudge: ref => verdicts.nudge(ref),
          // Asked per request, after start; the review service is made below with the routes.
          openReviews: () => openReviews.counts(),
        });
        await scheduleRunbookRefresh({
          scheduler: deps.scheduler,
          schedule: config.runbookSchedule,
          catalog: deps.catalog,
          auth: deps.auth,
          runbooks,
          logger: deps.logger,
          // A re-read runbook can change every verdict the portfolio caches.
          releases,
        });
        const evidenceService = new EvidenceService(
          evidenceStore,
          builtinParsers,
          // Documents must name the entity's own image repository (any environment's).
          entityRef =>
            entityRepositories(
              environments.list.map(e => e.imageRepository),
              entityRef.split('/').pop()!,
            ),
          clock,
          // Bundles are verified by the console, offline, against rco.sigstore (issue 13).
          new SigstoreVerifier(config.sigstore),
        );
        // Demo data must never keep the portal from starting.
        const demo = demoClock
          ? await startDemoPortal({
              clock: demoClock,
              dir: requireDemoEvidenceDir(config),
              schedule: config.demoEvidenceSchedule,
              scheduler: deps.scheduler,
              logger: deps.logger,
              db,
              ledger,
              evidenceService,
              evidenceStore,
              releases,
              clusters: config.demoClusters,
              onShutdown: hook => deps.lifecycle.addShutdownHook(hook),
              // Issue 17: the demo history is judged under the configuration verdicts use.
              history: config.demoHistory
                ? { config, configDigest: verdicts.digest }
                : undefined,
              maxAge: config.gates.maxAge,
            }).catch(error => {
              deps.logger.error(`Demo evidence not loaded: ${error}`);
              return undefined;
            })
          : undefined;
        const access = new Access(deps.userInfo, deps.permissions, config);
        // Deployment windows (issue 15): the routes and the deploy gate share them.
        const windows = createWindows({
          db,
          ledger,
          access,
          environments,
          config,
          releases,
          notifications: deps.notifications,
          logger: deps.logger,
        });
        const operations = await createOperations({
          rco: config,
          logger: deps.logger,
          lifecycle: deps.lifecycle,
          auth: deps.auth,
          catalog: deps.catalog,
          signals: deps.signals,
          notifications: deps.notifications,
          db,
          ledger,
          releases,
          evidenceService,
          environments,
          extraDrivers,
        });
        // The road to production (issue 15): promotion, soak, marks, windows and freezes; its
        // blockers hold deploys in the deploy gate like failing gates.
        const road = new RoadService({
          operations: operations.store,
          environments: environments.list,
          promotion: config.promotion,
          freezes: config.freezes,
          clock,
          latestRelease: entity => releases.latestRelease(entity),
          windows,
        });
        operations.operations.road = road;
        // Delivery metrics, gate effectiveness and the replay (issue 17): every deploy decision
        // is recorded with its inputs.
        const metrics = createMetrics({
          db,
          config,
          environments: environments.list.map(e => e.name),
          clock,
          catalog: deps.catalog,
          logger: deps.logger,
          policy: { config: config.gates, groups: releases.groups },
          configDigest: verdicts.digest,
          // The local portal (rco.demoEvidence, refused in production) is demo data, its
          // generated history included (kept across the dev server's restarts, which keep the
          // in-memory database and do not write it again).
          demo: () => !!demo,
        });
        operations.operations.judgements = metrics.recorder;
        // Evidence the console collects itself (issue 13), on the scheduler.
        const collection = await createCollection({
          rco: config,
          logger: deps.logger,
          scheduler: deps.scheduler,
          catalog: deps.catalog,
          auth: deps.auth,
          db,
          ledger,
          evidenceStore,
          evidenceService,
          environments,
          bindings: operations.bindings,
          releases,
          clock,
          extraCollectors,
        });
        // The demo clock moved: the simulated clusters are seen again at the new time.
        if (demo) demo.collect = () => collection.runAll();
        // Release dossiers and their attestation (issue 15, point 4). The local portal signs with
        // a key made at start when none is configured (rco.demoEvidence: refused in production).
        const dossiers = new DossierService({
          releases,
          evidenceStore,
          ledger,
          storedVerdicts: verdictStore,
          configDigest: verdicts.digest,
          operations: operations.store,
          environments: environments.list,
          key:
            config.attestation.key ??
            (config.demoEvidence ? ephemeralDemoKey() : undefined),
          verifierId: config.attestation.verifierId,
        });
        // Verifiers fetch the public key without a Backstage token.
        deps.httpRouter.addAuthPolicy({
          path: '/attestation/public-key',
          allow: 'unauthenticated',
        });
        // Reviews after production deploys and the release timeline (issue 15).
        const reviews = new ReviewService({
          store: new DatabaseReviewStore(db, ledger),
          ledger,
          operations: operations.store,
          runbooks,
          clock,
          environments: config.reviewEnvironments,
          externalBaseUrl: () => deps.discovery.getExternalBaseUrl('rco'),
        });
        openReviews.counts = () => reviews.openReviewCounts();
        // MCP actions (issue 16): each calls the routes below for its caller.
        registerRcoActions({
          actionsRegistry: deps.actionsRegistry,
          auth: deps.auth,
          discovery: deps.discovery,
          appBaseUrl: deps.config.getOptionalString('app.baseUrl'),
          waiverMaxDuration: config.waiverMaxDuration,
        });
        deps.httpRouter.use(
          await createRouter({
            reviews,
            dossiers,
            road,
            metrics,
            collection,
            httpAuth: deps.httpAuth,
            auth: deps.auth,
            auditor: deps.auditor,
            catalog: deps.catalog,
            runbooks,
            logger: deps.logger,
            access,
            windows,
            evidenceService,
            evidenceStore,
            decisions,
            ledger,
            ledgerVerifier,
            releases,
            verdicts,
            portfolio,
            config,
            operations,
            releaseSignals,
            demo,
            // Issue 16: waiver proposals reach the waiver group (nobody without one).
            notifyWaiverProposal: waiverProposalNotifier({
              notifications: deps.notifications,
              logger: deps.logger,
              group: config.waiverGroup,
            }),
            // Issue 12: every environment in the picker, and each gate's next steps.
            environments: environments.list.map(e => e.name),
            explainer: new GateExplainer({
              catalog: deps.catalog,
              config,
              environments: environments.list.map(e => e.name),
              externalBaseUrl: () => deps.discovery.getExternalBaseUrl('rco'),
            }),
          }),
        );
      },
    });
  },
});
