import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { EnvironmentView } from '@helix-portal/plugin-rco-common';
import { RcoConfig } from '../config';
import { OperationRecord, OperationStore } from '../database/OperationStore';
import { OverrideRecord, OverrideStore } from '../database/OverrideStore';
import { SimulatedDriver } from '../drivers/simulated/SimulatedDriver';
import { Environments } from '../operations/environments';
import { OperationNotifier } from '../operations/events';
import { OperationService } from '../operations/OperationService';
import { Access, OperationAction } from './access';
import { audited } from './audited';
import { OverrideService } from './decisions/OverrideService';
import { DecisionStore } from '../database/DecisionStore';
import { ReleaseService } from './ReleaseService';
import { TypedRouter } from './releaseRoutes';

/** Dependencies of the deploy, rollback and break-glass routes. */
export interface OperationRouteOptions {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  access: Access;
  config: RcoConfig;
  operations: OperationService;
  store: OperationStore;
  overrides: OverrideStore;
  decisions: DecisionStore;
  releases: ReleaseService;
  environments: Environments;
  notifier: OperationNotifier;
  simulated?: SimulatedDriver;
  loadEntity: (req: any) => Promise<Entity>;
  /** The entity of a stored record, as the caller may see it (404 otherwise). */
  loadEntityByRef: (
    entityRef: string,
    req: any,
    notFound?: string,
  ) => Promise<Entity>;
}

/** Internal fields stay inside the control plane. */
const view = ({
  leaseOwner: _l,
  leaseExpiresAt: _e,
  requestHash: _h,
  timings: _t,
  lockKey: _k,
  ...op
}: OperationRecord) => op as any;

const overrideView = (o: OverrideRecord) => ({
  ...o,
  createdAt: o.createdAt.toISOString(),
  expiresAt: o.expiresAt.toISOString(),
  revokedAt: o.revokedAt?.toISOString(),
});

/** Registers the operation routes on the plugin's typed router. */
export function registerOperationRoutes(
  router: TypedRouter,
  o: OperationRouteOptions,
) {
  const credentials = (req: any) =>
    o.httpAuth.credentials(req, { allow: ['user', 'service'] });
  // Break-glass decisions hold their rules in a service, like the other decisions.
  const overrides = new OverrideService({
    ...o,
    notify: (record, entity) => o.notifier.breakGlass(record, entity),
  });

  /** Loads the operation's entity with the caller's visibility, then checks the action. */
  const operationFor = async (req: any, action: OperationAction) => {
    const op = await o.store.get(req.params.id);
    if (!op) throw new NotFoundError(`No operation ${req.params.id}`);
    // The 404 names the operation only, never its entity (issue 10, point 7).
    const entity = await o.loadEntityByRef(
      op.entityRef,
      req,
      `No operation ${req.params.id}`,
    );
    const actor = await o.access.assertCanOperate(
      entity,
      await credentials(req),
      action,
    );
    return { op, entity, actor };
  };

  router.get(
    '/entities/:kind/:namespace/:name/environments',
    async (req, res) => {
      const entity = await o.loadEntity(req);
      // Kinds that may not operate learn nothing about targets (ADR 0007).
      o.operations.assertEntityKind(entity);
      const entityRef = stringifyEntityRef(entity);
      const items: EnvironmentView[] = await Promise.all(
        o.environments.list.map(async env => {
          const driver = o.operations.driverFor(env.name);
          // An entity whose annotations the environment refuses still lists the environment,
          // with the reason, instead of failing the whole list.
          let namespace = env.namespace;
          let refused: string | undefined;
          try {
            namespace = o.environments.target(entity, env.name).namespace;
          } catch (error) {
            refused = (error as Error).message;
          }
          const base: EnvironmentView = {
            name: env.name,
            driver: driver.id,
            driverLabel: driver.label,
            simulated: !!driver.simulated,
            namespace,
            requiredSignoffs: env.requiredSignoffs,
            revisions: [],
            activeOperationId: (await o.store.activeFor(entityRef, env.name))
              ?.id,
          };
          if (refused) return { ...base, error: refused };
          try {
            const revisions = await o.operations.history(entity, env.name);
            const current = revisions.find(r => r.current);
            return {
              ...base,
              revisions: revisions.slice(0, 20),
              currentRevision: current,
            };
          } catch (error) {
            // A target this entity does not hold: the same words whoever holds it.
            if (error instanceof NotAllowedError)
              return { ...base, error: error.message };
            return {
              ...base,
              error: `${driver.label}: ${(error as Error).message}`,
            };
          }
        }),
      );
      res.json({ items } as any);
    },
  );

  router.get(
    '/entities/:kind/:namespace/:name/operations',
    async (req, res) => {
      const entity = await o.loadEntity(req);
      const items = await o.store.list(stringifyEntityRef(entity), {
        environment: req.query.environment,
      });
      res.json({ items: items.map(view) });
    },
  );

  router.post(
    '/entities/:kind/:namespace/:name/operations',
    async (req, res) => {
      const entity = await o.loadEntity(req);
      const body = req.body;
      const action: OperationAction =
        body.type === 'deploy' ? 'deploy' : 'rollback';
      const actor = await o.access.assertCanOperate(
        entity,
        await credentials(req),
        action,
      );
      const key = req.header('idempotency-key') ?? undefined;
      const entityRef = stringifyEntityRef(entity);
      const { operation } = await audited(
        o.auditor,
        {
          eventId: 'operation-create',
          request: req,
          meta: { entityRef, type: body.type, environment: body.environment },
        },
        () => o.operations.create(entity, actor, body, key),
        r => ({
          operation: r.operation.id,
          created: r.created,
          state: r.operation.state,
        }),
      );
      res.status(202).json(view(operation));
    },
  );

  router.get('/operations/:id', async (req, res) => {
    const op = await o.store.get(req.params.id);
    if (!op) throw new NotFoundError(`No operation ${req.params.id}`);
    await o.loadEntityByRef(op.entityRef, req, `No operation ${req.params.id}`);
    res.json(view(op));
  });

  const control = (
    path:
      | '/operations/:id/confirm'
      | '/operations/:id/promote'
      | '/operations/:id/abort',
    eventId: string,
    run: (
      entity: Entity,
      op: OperationRecord,
      actor: string,
      body: any,
    ) => Promise<OperationRecord>,
  ) =>
    router.post(path, async (req: any, res: any) => {
      const { op, entity, actor } = await operationFor(req, 'control');
      const result = await audited(
        o.auditor,
        {
          eventId,
          request: req,
          meta: { entityRef: op.entityRef, operation: op.id },
        },
        () => run(entity, op, actor, req.body),
        r => ({ state: r.state }),
      );
      res.json(view(result));
    });
  control('/operations/:id/confirm', 'operation-confirm', (e, op, a, b) =>
    o.operations.confirm(e, op, a, b),
  );
  control('/operations/:id/promote', 'operation-promote', (e, op, a) =>
    o.operations.promote(e, op, a),
  );
  control('/operations/:id/abort', 'operation-abort', (e, op, a) =>
    o.operations.abort(e, op, a),
  );

  router.get('/entities/:kind/:namespace/:name/overrides', async (req, res) => {
    const entity = await o.loadEntity(req);
    const items = await o.overrides.list(stringifyEntityRef(entity));
    res.json({ items: items.map(overrideView) });
  });

  router.post(
    '/entities/:kind/:namespace/:name/overrides',
    async (req, res) => {
      const entity = await o.loadEntity(req);
      o.operations.assertEntityKind(entity);
      const entityRef = stringifyEntityRef(entity);
      const record = await audited(
        o.auditor,
        {
          eventId: 'break-glass',
          request: req,
          meta: { entityRef, environment: req.body.environment },
        },
        async () => overrides.record(entity, await credentials(req), req.body),
        r => ({ override: r.id }),
      );
      res.status(201).json(overrideView(record) as any);
    },
  );

  router.post('/overrides/:id/revoke', async (req, res) => {
    const override = await overrides.get(req.params.id);
    await o.loadEntityByRef(
      override.entityRef,
      req,
      `No override ${req.params.id}`,
    );
    const record = await audited(
      o.auditor,
      {
        eventId: 'break-glass-revoke',
        request: req,
        meta: { entityRef: override.entityRef, override: override.id },
      },
      async () => overrides.revoke(override, await credentials(req)),
    );
    res.json(overrideView(record) as any);
  });

  router.post('/simulated/steer', async (req, res) => {
    if (!o.simulated)
      throw new NotFoundError('No environment uses the simulated driver');
    const { entityRef, environment, nextAnalysis } = req.body;
    const entity = await o.loadEntityByRef(entityRef, req);
    o.operations.assertEntityKind(entity);
    await o.access.assertCanOperate(entity, await credentials(req), 'control');
    if (o.environments.get(environment).driver !== 'simulated') {
      throw new InputError(`${environment} does not use the simulated driver`);
    }
    o.simulated.steer(o.environments.target(entity, environment), {
      nextAnalysis,
    });
    res.status(204).end();
  });
}
