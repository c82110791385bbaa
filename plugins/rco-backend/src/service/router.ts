import {
  AuditorService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Request } from 'express';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { audited } from './audited';
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
export interface RouterOptions {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  catalog: CatalogService;
  runbooks: RunbookService;
  logger: LoggerService;
}

/** The plugin's HTTP API, validated against `src/schema/openapi.yaml`. */
export async function createRouter(options: RouterOptions) {
  const { httpAuth, auditor, catalog, runbooks } = options;
  const router = await createOpenApiRouter();

  // Reads follow catalog visibility: an entity the caller cannot see does not exist for them.
  async function loadEntity(
    req: Request<{ kind: string; namespace: string; name: string }>,
  ): Promise<Entity> {
    const { kind, namespace, name } = req.params;
    const credentials = await httpAuth.credentials(req);
    const entity = await catalog.getEntityByRef(
      { kind, namespace, name },
      { credentials },
    );
    if (!entity) {
      throw new NotFoundError(`No entity ${kind}:${namespace}/${name}`);
    }
    return entity;
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

  router.get('/entities/:kind/:namespace/:name/runbook/diff', async (req, res) => {
    const entity = await loadEntity(req);
    const diff = await runbooks.diff(entity, req.query.from, req.query.to);
    res.json({ entityRef: stringifyEntityRef(entity), ...diff });
  });

  return router;
}
