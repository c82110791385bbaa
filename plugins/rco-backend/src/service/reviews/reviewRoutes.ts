import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { OperationStore } from '../../database/OperationStore';
import { Access } from '../access';
import { audited } from '../audited';
import { TypedRouter } from '../releaseRoutes';
import { ReviewService } from './ReviewService';

/** Dependencies of the review and timeline routes. */
export interface ReviewRouteOptions {
  reviews: ReviewService;
  operations: Pick<OperationStore, 'get'>;
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  access: Access;
  loadEntity: (req: any) => Promise<Entity>;
  /** The entity of a stored record, as the caller may see it (404 naming only the record). */
  loadEntityByRef: (
    entityRef: string,
    req: any,
    notFound?: string,
  ) => Promise<Entity>;
}

const isUser = (c: BackstageCredentials) =>
  (c.principal as { type?: string }).type === 'user';

/** Registers the routes of issue 15's reviews and release timeline on the plugin's router. */
export function registerReviewRoutes(
  router: TypedRouter,
  o: ReviewRouteOptions,
) {
  router.get('/entities/:kind/:namespace/:name/reviews', async (req, res) => {
    const entity = await o.loadEntity(req);
    res.json(await o.reviews.list(entity));
  });

  router.post('/operations/:id/review', async (req, res) => {
    const notFound = `No operation ${req.params.id}`;
    const op = await o.operations.get(req.params.id);
    if (!op) throw new NotFoundError(notFound);
    // Visibility first: an operation of an entity the caller cannot see does not exist for them.
    const entity = await o.loadEntityByRef(op.entityRef, req, notFound);
    const credentials = await o.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    // A review is a person's account of what happened: a CI token may deploy, not review.
    if (!isUser(credentials))
      throw new NotAllowedError('Reviews are written by people');
    // Whoever may deploy (or roll back) the entity may review its operations: the owners.
    const author = await o.access.assertCanOperate(
      entity,
      credentials,
      op.type === 'rollback' ? 'rollback' : 'deploy',
    );
    const review = await audited(
      o.auditor,
      {
        eventId: 'release-review',
        request: req,
        meta: { entityRef: op.entityRef, operation: op.id },
      },
      () => o.reviews.record(op, author, req.body),
      r => ({ review: r.id, result: r.result }),
    );
    res.status(201).json(review);
  });

  /** The review and its entity, as the caller may see them (404 naming only the review). */
  const reviewFor = async (req: any) => {
    const notFound = `No review ${req.params.id}`;
    const review = await o.reviews.get(req.params.id).catch(() => {
      throw new NotFoundError(notFound);
    });
    const entity = await o.loadEntityByRef(review.entityRef, req, notFound);
    return { review, entity };
  };

  router.get('/reviews/:id', async (req, res) => {
    res.json((await reviewFor(req)).review);
  });

  router.get('/reviews/:id/runbook-proposal', async (req, res) => {
    const { review, entity } = await reviewFor(req);
    res.json(await o.reviews.proposal(entity, review));
  });

  router.get(
    '/entities/:kind/:namespace/:name/releases/timeline',
    async (req, res) => {
      const entity = await o.loadEntity(req);
      res.json(
        await o.reviews.timeline(entity, {
          version: req.query.version,
          digest: req.query.digest,
        }),
      );
    },
  );
}
