import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type { DeployWindowRole } from '@helix-portal/plugin-rco-common';
import { audited } from '../../audited';
import type { TypedRouter } from '../../releaseRoutes';
import { WindowService } from './WindowService';

/** What the window routes need from the router (createRouter hands them over). */
export interface WindowRouteOptions {
  windows: WindowService;
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  loadEntity: (req: any) => Promise<Entity>;
  loadEntityByRef: (
    ref: string,
    req: any,
    notFound?: string,
  ) => Promise<Entity>;
}

/**
 * Deployment windows (issue 15, point 2): list, propose, accept, cancel. Every route shows the
 * entity first (catalog visibility, CI scope: 404 otherwise, never naming the entity of a window
 * id); writes are audited; the rules are WindowService's.
 */
export function registerWindowRoutes(
  router: TypedRouter,
  o: WindowRouteOptions,
) {
  const credentials = (req: any) =>
    o.httpAuth.credentials(req, { allow: ['user', 'service'] });

  /** A window and its entity, as the caller may see them. */
  const windowFor = async (req: any) => {
    const notFound = `No deployment window ${req.params.id}`;
    const w = await o.windows.get(req.params.id);
    const entity = await o.loadEntityByRef(w.entityRef, req, notFound);
    return { w, entity };
  };

  router.get('/entities/:kind/:namespace/:name/windows', async (req, res) => {
    const entity = await o.loadEntity(req);
    const items = await o.windows.list(entity, req.query.environment);
    res.json({ items: items.map(v => ({ ...v })) });
  });

  router.post('/entities/:kind/:namespace/:name/windows', async (req, res) => {
    const entity = await o.loadEntity(req);
    const entityRef = stringifyEntityRef(entity);
    const view = await audited(
      o.auditor,
      {
        eventId: 'deploy-window-propose',
        request: req,
        meta: { entityRef, window: req.body },
      },
      async () => o.windows.propose(entity, await credentials(req), req.body),
      v => ({ id: v.id, requiredRoles: v.requiredRoles }),
    );
    res.status(201).json({ ...view });
  });

  router.post('/windows/:id/accept', async (req, res) => {
    const { w, entity } = await windowFor(req);
    const role = (req.body as { role?: DeployWindowRole } | undefined)?.role;
    const view = await audited(
      o.auditor,
      {
        eventId: 'deploy-window-accept',
        request: req,
        meta: {
          entityRef: w.entityRef,
          window: w.id,
          ...(role ? { role } : {}),
        },
      },
      async () => o.windows.accept(w, entity, await credentials(req), role),
      v => ({ state: v.state, acceptances: v.acceptances.length }),
    );
    res.json({ ...view });
  });

  router.post('/windows/:id/cancel', async (req, res) => {
    const { w, entity } = await windowFor(req);
    const view = await audited(
      o.auditor,
      {
        eventId: 'deploy-window-cancel',
        request: req,
        meta: { entityRef: w.entityRef, window: w.id },
      },
      async () => o.windows.cancel(w, entity, await credentials(req)),
    );
    res.json({ ...view });
  });
}
