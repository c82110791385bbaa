import { HttpAuthService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Request } from 'express';
import { TypedRouter } from '../releaseRoutes';
import { RoadService } from './RoadService';

/** Dependencies of the road routes. */
export interface RoadRouteOptions {
  road: RoadService;
  /** The entity as the caller may see it (catalog visibility, a CI token's own entities). */
  loadEntity: (req: Request<any>) => Promise<Entity>;
  /** Who reads the road (the page judges it for them as the one who would deploy). */
  httpAuth?: HttpAuthService;
}

/** The caller as an actor ref, as Access.actorOf spells it; undefined when not known. */
async function viewerOf(o: RoadRouteOptions, req: Request<any>) {
  if (!o.httpAuth) return undefined;
  const { principal } = await o.httpAuth.credentials(req);
  const p = principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (p.type === 'user') return p.userEntityRef;
  if (p.type === 'service') return `service:${p.subject}`;
  return undefined;
}

/**
 * Registers the road routes (issue 15): reads only, so the entity's visibility is the whole
 * check (an entity the caller cannot see is a 404, as on every entity route).
 */
export function registerRoadRoutes(router: TypedRouter, o: RoadRouteOptions) {
  router.get('/entities/:kind/:namespace/:name/road', async (req, res) => {
    const entity = await o.loadEntity(req);
    const road = await o.road.road(
      entity,
      { version: req.query.version, digest: req.query.digest },
      await viewerOf(o, req),
    );
    // The generated types want an index signature the rco-common interfaces do not declare.
    res.json(road as any);
  });

  router.get('/entities/:kind/:namespace/:name/freezes', async (req, res) => {
    const entity = await o.loadEntity(req);
    const items = await o.road.freezes(entity, req.query.environment);
    // The generated types want an index signature the rco-common interfaces do not declare.
    res.json({ items: items as any });
  });
}
