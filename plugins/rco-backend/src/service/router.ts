import {
  AuditorService,
  AuthService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Request } from 'express';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { audited } from './audited';
import {
  registerReleaseRoutes,
  ReleaseRouteOptions,
  TypedRouter,
} from './releaseRoutes';
import {
  OperationRouteOptions,
  registerOperationRoutes,
} from './operationRoutes';
import express from 'express';
import { RunbookService } from './RunbookService';
import { RunbookReadError } from '../database/RunbookStore';
import { handleBodyParserError } from './bodyParserErrors';
import { unavailableErrorHandler } from './unavailable';
import { DemoSide, registerDemoRoutes } from './demo/demoRoutes';
import { ReleaseSignals } from './releaseSignals';
import { registerCollectionRoutes } from './collectionRoutes';
import { CollectionService } from '../collectors/CollectionService';
import { cachedForCaller, LOOKUP_TTL_MS, TtlCache } from './requestCache';
import { ReviewService } from './reviews/ReviewService';
import { registerReviewRoutes } from './reviews/reviewRoutes';
import { runbookReviewCadence } from './reviews/cadence';
import { WindowService } from './road/windows/WindowService';
import { registerWindowRoutes } from './road/windows/windowRoutes';
import { DossierService } from './dossier/DossierService';
import { registerDossierRoutes } from './dossier/dossierRoutes';
import { RoadService } from './road/RoadService';
import { registerRoadRoutes } from './road/roadRoutes';
import type { MetricsSide } from '../metrics/createMetrics';
import { registerMetricsRoutes } from '../metrics/metricsRoutes';

/** One key for every spelling of a ref (the catalog compares refs case-insensitively). */
const refKey = (
  ref: string | { kind: string; namespace: string; name: string },
) =>
  (typeof ref === 'string'
    ? ref
    : `${ref.kind}:${ref.namespace}/${ref.name}`
  ).toLowerCase();

const errorView = (error?: RunbookReadError) =>
  error
    ? {
        at: error.at.toISOString(),
        source: error.source,
        problems: error.problems,
      }
    : undefined;

const dates = <T extends { firstSeenAt: Date; lastSeenAt: Date }>(v: T) => ({
  ...v,
  firstSeenAt: v.firstSeenAt.toISOString(),
  lastSeenAt: v.lastSeenAt.toISOString(),
});

/** Options of {@link createRouter}. */
export interface RouterOptions
  extends Omit<
    ReleaseRouteOptions,
    'loadEntity' | 'loadEntityByRef' | 'catalogAccess'
  > {
  /** The deploy side; absent in tests of the runbook and evidence routes alone. */
  operations?: Omit<
    OperationRouteOptions,
    | 'loadEntity'
    | 'loadEntityByRef'
    | 'httpAuth'
    | 'auditor'
    | 'access'
    | 'config'
    | 'decisions'
    | 'releases'
  >;
  httpAuth: HttpAuthService;
  auth: AuthService;
  auditor: AuditorService;
  catalog: CatalogService;
  runbooks: RunbookService;
  logger: LoggerService;
  /** The release signals channel (absent without the signals service, e.g. in some tests). */
  releaseSignals?: ReleaseSignals;
  /** The local portal's demo clock and evidence keeper (rco.demoEvidence only). */
  demo?: DemoSide;
  /** Evidence collection (issue 13); absent in tests of other routes. */
  collection?: CollectionService;
  /** Reviews after the deploy and the release timeline (issue 15); needs `operations`. */
  reviews?: ReviewService;
  /** Deployment windows (issue 15, point 2); absent in tests of other routes. */
  windows?: WindowService;
  /** Release dossiers and attestations (issue 15, point 4). */
  dossiers?: DossierService;
  /** The road to production: promotion, soak and freezes (issue 15). */
  road?: RoadService;
  /** Delivery metrics, gate effectiveness and the replay (issue 17). */
  metrics?: MetricsSide;
}

/** The plugin's HTTP API, validated against `src/schema/openapi.yaml`. */
export async function createRouter(options: RouterOptions) {
  const { httpAuth, auth, auditor, catalog, runbooks } = options;
  const json = express.json({ limit: '1mb' });
  // Evidence arrives as the tool wrote it (JSON, YAML, NDJSON) whatever the Content-Type says.
  const raw = express.raw({
    type: () => true,
    limit: options.config.maxUploadBytes,
  });
  const router: TypedRouter = await createOpenApiRouter({
    middleware: [
      (req, res, next) => {
        // Case-insensitive like Express's routing: `…/Evidence` reaches the upload route too,
        // and must not go through the JSON parser (the route wants the bytes as sent).
        if (
          !(
            req.method === 'POST' &&
            /^\/entities\/[^/]+\/[^/]+\/[^/]+\/evidence\/?$/i.test(req.path)
          )
        ) {
          json(req, res, error =>
            handleBodyParserError(error, req, res, next, '1 MB'),
          );
          return;
        }
        raw(req, res, error =>
          handleBodyParserError(
            error,
            req,
            res,
            next,
            `${options.config.maxUploadBytes} bytes (rco.evidence.maxUploadBytes)`,
          ),
        );
      },
    ],
  });

  // The catalog's answers per caller and entity, a few seconds (requestCache says why).
  const entities = new TtlCache<Entity | undefined>({
    ttlMs: LOOKUP_TTL_MS,
    maxEntries: 2_000,
  });

  // Reads follow catalog visibility: an entity the caller cannot see does not exist for them.
  // A service principal (a CI token restricted to this plugin, or another plugin) is asked
  // about with the plugin's own catalog credentials, which see everything, so it reaches only
  // the entities rco.ci.subjects names for it, and that is decided before the catalog is
  // asked: another entity answers exactly like one that does not exist.
  async function loadEntityByRef(
    ref: string | { kind: string; namespace: string; name: string },
    req: Request<any>,
    /** The 404 for a record (`No operation <id>`): it must not name the record's entity. */
    notFound?: string,
  ): Promise<Entity> {
    const caller = await httpAuth.credentials(req);
    const shown =
      typeof ref === 'string'
        ? ref
        : `${ref.kind}:${ref.namespace}/${ref.name}`;
    const missing = () => new NotFoundError(notFound ?? `No entity ${shown}`);
    const scope = options.access.serviceScope(caller);
    if (scope && !options.access.scopeReaches(caller, ref)) throw missing();
    const credentials = scope ? await auth.getOwnServiceCredentials() : caller;
    // Once per request, and briefly per caller across requests (see requestCache).
    const entity = await cachedForCaller(
      entities,
      { scope: req, credentials: caller },
      `entity|${refKey(ref)}`,
      () => catalog.getEntityByRef(ref, { credentials }),
    );
    if (!entity) throw missing();
    try {
      options.access.assertServiceMayAccess(stringifyEntityRef(entity), caller);
    } catch {
      throw missing();
    }
    return entity;
  }

  async function loadEntity(
    req: Request<{ kind: string; namespace: string; name: string }>,
  ): Promise<Entity> {
    const { kind, namespace, name } = req.params;
    return loadEntityByRef({ kind, namespace, name }, req);
  }

  router.get('/entities/:kind/:namespace/:name/runbook', async (req, res) => {
    const entity = await loadEntity(req);
    const current = await runbooks.getCurrent(entity);
    res.json({
      ...dates(current),
      runbook: current.runbook,
      lastError: errorView(current.lastError),
      // When the periodic review is due, by the gates' clock (issue 15, point 5).
      review: runbookReviewCadence(
        current.runbook.metadata,
        options.releases.clock.now(),
      ),
    });
  });

  router.post(
    '/entities/:kind/:namespace/:name/runbook/refresh',
    async (req, res) => {
      const entity = await loadEntity(req);
      const outcome = await audited(
        auditor,
        {
          eventId: 'runbook-refresh',
          request: req,
          meta: { entityRef: stringifyEntityRef(entity) },
        },
        () => runbooks.refresh(entity),
        result => ({ status: result.status, versions: result.versions }),
      );
      // The gates read the current runbook: the portfolio must not keep the old verdict.
      options.releases.invalidate(outcome.entityRef, 'runbook');
      const { changed: _changed, ...shown } = outcome;
      res.json({ ...shown, lastError: errorView(outcome.lastError) });
    },
  );

  router.get(
    '/entities/:kind/:namespace/:name/runbook/versions',
    async (req, res) => {
      const entity = await loadEntity(req);
      const versions = await runbooks.listVersions(entity);
      res.json({ items: versions.map(dates) });
    },
  );

  router.get(
    '/entities/:kind/:namespace/:name/runbook/versions/:version',
    async (req, res) => {
      const entity = await loadEntity(req);
      const version = await runbooks.getVersion(entity, req.params.version);
      res.json({ ...dates(version), runbook: version.runbook });
    },
  );

  router.get(
    '/entities/:kind/:namespace/:name/runbook/diff',
    async (req, res) => {
      const entity = await loadEntity(req);
      const diff = await runbooks.diff(entity, req.query.from, req.query.to);
      res.json({ entityRef: stringifyEntityRef(entity), ...diff });
    },
  );

  // Lists (the portfolio) are asked of the catalog like loadEntityByRef asks for one entity.
  async function catalogAccess(req: Request<any>) {
    const caller = await httpAuth.credentials(req);
    const scope = options.access.serviceScope(caller);
    return {
      credentials: scope ? await auth.getOwnServiceCredentials() : caller,
      scope,
      caller,
    };
  }

  const releaseOptions: ReleaseRouteOptions = {
    ...options,
    loadEntity,
    loadEntityByRef,
    catalogAccess,
    operationsChannel: options.operations
      ? ref => options.operations!.notifier.channelFor(ref)
      : undefined,
    environmentsConfigured: !!options.operations?.environments.list.length,
    releaseChannel: options.releaseSignals
      ? ref => options.releaseSignals!.channelFor(ref)
      : undefined,
    demoClock: options.demo?.clock,
  };
  registerReleaseRoutes(router, releaseOptions);
  if (options.dossiers)
    registerDossierRoutes(router, {
      dossiers: options.dossiers,
      loadEntity,
      auditor,
    });
  if (options.road)
    registerRoadRoutes(router, { road: options.road, loadEntity, httpAuth });
  registerDemoRoutes(router, { demo: options.demo, httpAuth, auditor });
  if (options.metrics)
    registerMetricsRoutes(router, {
      ...options.metrics,
      loadEntity,
      catalogAccess,
    });
  if (options.windows)
    registerWindowRoutes(router, {
      ...releaseOptions,
      windows: options.windows,
    });
  if (options.collection) {
    registerCollectionRoutes(router, {
      collection: options.collection,
      access: options.access,
      httpAuth,
      auditor,
      loadEntity,
    });
  }
  if (options.operations) {
    registerOperationRoutes(router, {
      ...options.operations,
      httpAuth,
      auditor,
      access: options.access,
      config: options.config,
      decisions: options.decisions,
      releases: options.releases,
      loadEntity,
      loadEntityByRef,
    });
  }
  if (options.reviews && options.operations) {
    registerReviewRoutes(router, {
      reviews: options.reviews,
      operations: options.operations.store,
      httpAuth,
      auditor,
      access: options.access,
      loadEntity,
      loadEntityByRef,
    });
  }
  // Last: a database that cannot be reached answers 503, never a 500 with the driver's words.
  router.use(unavailableErrorHandler(options.logger));
  return router;
}
