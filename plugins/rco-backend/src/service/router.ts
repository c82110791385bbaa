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
export interface RouterOptions extends Omit<ReleaseRouteOptions, 'loadEntity'> {
  /** The deploy side; absent in tests of the runbook and evidence routes alone. */
  operations?: Omit<
    OperationRouteOptions,
    | 'loadEntity'
    | 'loadEntityByRef'
    | 'httpAuth'
    | 'auditor'
    | 'access'
    | 'config'
  >;
  httpAuth: HttpAuthService;
  auth: AuthService;
  auditor: AuditorService;
  catalog: CatalogService;
  runbooks: RunbookService;
  logger: LoggerService;
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
        if (
          !(
            req.method === 'POST' &&
            /^\/entities\/[^/]+\/[^/]+\/[^/]+\/evidence\/?$/.test(req.path)
          )
        ) {
          json(req, res, next);
          return;
        }
        raw(req, res, (error?: any) => {
          // Answered here: the OpenAPI validator would turn any error passed on into a 400.
          if (error?.type === 'entity.too.large') {
            res.status(413).json({
              error: {
                name: 'PayloadTooLargeError',
                message: `The upload is larger than the limit of ${options.config.maxUploadBytes} bytes (rco.evidence.maxUploadBytes)`,
              },
              request: { method: req.method, url: req.originalUrl },
              response: { statusCode: 413 },
            });
            return;
          }
          next(error);
        });
      },
    ],
  });

  // Reads follow catalog visibility: an entity the caller cannot see does not exist for them.
  // A CI token is restricted to this plugin, so the catalog is asked with the plugin's own
  // credentials for it; what the token may touch is limited by rco.ci.subjects instead.
  async function loadEntityByRef(
    ref: string | { kind: string; namespace: string; name: string },
    req: Request<any>,
  ): Promise<Entity> {
    const caller = await httpAuth.credentials(req);
    const credentials = auth.isPrincipal(caller, 'service')
      ? await auth.getOwnServiceCredentials()
      : caller;
    const entity = await catalog.getEntityByRef(ref, { credentials });
    const shown =
      typeof ref === 'string'
        ? ref
        : `${ref.kind}:${ref.namespace}/${ref.name}`;
    if (!entity) {
      throw new NotFoundError(`No entity ${shown}`);
    }
    options.access.assertServiceMayAccess(stringifyEntityRef(entity), caller);
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
      res.json({ ...outcome, lastError: errorView(outcome.lastError) });
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

  const releaseOptions: ReleaseRouteOptions = { ...options, loadEntity };
  registerReleaseRoutes(router, releaseOptions);
  if (options.operations) {
    registerOperationRoutes(router, {
      ...options.operations,
      httpAuth,
      auditor,
      access: options.access,
      config: options.config,
      loadEntity,
      loadEntityByRef,
    });
  }
  return router;
}
