import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CollectionStatusResponse } from '@helix-portal/plugin-rco-common';
import { CollectionService } from '../collectors/CollectionService';
import { TooManyRequestsError } from '../collectors/TooManyRequestsError';
import { Access } from './access';
import { audited } from './audited';
import { TypedRouter } from './releaseRoutes';

/** Dependencies of the collection routes (issue 13). */
export interface CollectionRouteOptions {
  collection: CollectionService;
  access: Access;
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  /** The entity as the caller may see it (404 otherwise). */
  loadEntity: (req: any) => Promise<Entity>;
}

/** The response as the typed router wants it (plain object types, not interfaces). */
const json = (status: CollectionStatusResponse) => ({
  ...status,
  health: status.health.map(h => ({ ...h })),
});

/** GET …/collection (health) and POST …/collection/refresh (owners). */
export function registerCollectionRoutes(
  router: TypedRouter,
  o: CollectionRouteOptions,
) {
  const credentials = (req: any) =>
    o.httpAuth.credentials(req, { allow: ['user', 'service'] });
  const canRefresh = (entity: Entity, creds: any) =>
    o.access.assertCanRefreshCollection(entity, creds).then(
      () => true,
      () => false,
    );

  router.get(
    '/entities/:kind/:namespace/:name/collection',
    async (req, res) => {
      const entity = await o.loadEntity(req);
      const creds = await credentials(req);
      res.json(
        json(
          await o.collection.status(entity, await canRefresh(entity, creds)),
        ),
      );
    },
  );

  router.post(
    '/entities/:kind/:namespace/:name/collection/refresh',
    async (req, res) => {
      const entity = await o.loadEntity(req);
      const creds = await credentials(req);
      await o.access.assertCanRefreshCollection(entity, creds);
      const { report, places } = await audited(
        o.auditor,
        {
          eventId: 'collection-refresh',
          request: req,
          meta: { entityRef: stringifyEntityRef(entity) },
        },
        () => o.collection.refresh(entity),
        r => ({ ...r.report }),
      ).catch(e => {
        // The error handler sets the 429 from statusCode; the header says when to come back.
        if (e instanceof TooManyRequestsError)
          res.setHeader('Retry-After', String(e.retryAfterSeconds));
        throw e;
      });
      res.json({
        // The places the refresh used: not worked out a second time.
        ...json(await o.collection.status(entity, true, places)),
        run: { ...report },
      });
    },
  );
}
