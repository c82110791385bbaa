import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { GatePolicyResponse } from '@helix-portal/plugin-rco-common';
import { Request } from 'express';
import { normalizeEntityRef } from '../lib/entityRefs';
import { callerKey } from '../service/requestCache';
import type { TypedRouter } from '../service/releaseRoutes';
import { MetricsService } from './MetricsService';
import { parseChange } from './replay';
import { ReplayService } from './ReplayService';

/** Dependencies of the metrics routes (issue 17). */
export interface MetricsRouteOptions {
  metrics: MetricsService;
  replay: ReplayService;
  /** The thresholds in force (GET /gates/policy). */
  policy: GatePolicyResponse;
  /** rco.waivers.maxDuration: a replayed waiver lasts no longer than one could be granted. */
  waiverMaxMs: number;
  /** The entity as the caller may see it (catalog visibility, a CI token's own entities). */
  loadEntity: (req: Request<any>) => Promise<Entity>;
  /** The caller's catalog credentials and, for a CI token, the entities it may reach. */
  catalogAccess: (req: Request<any>) => Promise<{
    credentials: BackstageCredentials;
    scope?: string[];
    /** Who asked (a service principal is read with the plugin's credentials). */
    caller?: BackstageCredentials;
  }>;
  /** The governed services these credentials can see. */
  visibleServices: (
    credentials: BackstageCredentials,
  ) => Promise<Array<{ entityRef: string }>>;
}

/**
 * Reads only: an entity's figures need what its status needs (it must be visible to the caller);
 * the portfolio's and a catalog replay cover exactly the services the caller can see, so no
 * figure or replayed decision of a service they cannot see reaches them.
 */
export function registerMetricsRoutes(
  router: TypedRouter,
  o: MetricsRouteOptions,
) {
  async function visibleRefs(req: Request<any>) {
    const { credentials, scope } = await o.catalogAccess(req);
    const refs = (await o.visibleServices(credentials)).map(s => s.entityRef);
    if (!scope) return refs;
    const reach = new Set(scope.map(r => normalizeEntityRef(r)));
    return refs.filter(r => reach.has(normalizeEntityRef(r)));
  }

  /**
   * A service principal without an rco.ci.subjects entry reads nothing (Access.serviceScope is
   * empty): not the thresholds, nor the environments an invalid query's error would list.
   */
  async function assertReadsSomething(req: Request<any>) {
    const { scope } = await o.catalogAccess(req);
    if (scope && scope.length === 0)
      throw new NotAllowedError(
        'This service principal has no rco.ci.subjects entry: it may read nothing',
      );
  }

  /** Who asks, for the per-caller limits of the metrics and the replay. */
  async function callerOf(req: Request<any>) {
    const { caller } = await o.catalogAccess(req);
    return (caller && callerKey(caller)) ?? 'anonymous';
  }

  router.get('/entities/:kind/:namespace/:name/metrics', async (req, res) => {
    const entityRef = stringifyEntityRef(await o.loadEntity(req));
    const response = await o.metrics.metrics(req.query, {
      entityRef,
      entityRefs: [entityRef],
      caller: await callerOf(req),
    });
    // The generated types want an index signature the rco-common interfaces do not declare.
    res.json(response as any);
  });

  router.get('/metrics', async (req, res) => {
    await assertReadsSomething(req);
    const response = await o.metrics.metrics(req.query, {
      entityRefs: await visibleRefs(req),
      caller: await callerOf(req),
    });
    res.json(response as any);
  });

  router.post('/entities/:kind/:namespace/:name/replay', async (req, res) => {
    const entityRef = stringifyEntityRef(await o.loadEntity(req));
    const change = parseChange(req.body, {
      entityScope: true,
      waiverMaxMs: o.waiverMaxMs,
    });
    const period = o.metrics.period(req.body);
    const response = await o.replay.replay(change, period, {
      entityRef,
      entityRefs: [entityRef],
      caller: await callerOf(req),
    });
    res.json(response as any);
  });

  router.post('/replay', async (req, res) => {
    await assertReadsSomething(req);
    const change = parseChange(req.body, {
      entityScope: false,
      waiverMaxMs: o.waiverMaxMs,
    });
    const period = o.metrics.period(req.body);
    const response = await o.replay.replay(change, period, {
      entityRefs: await visibleRefs(req),
      caller: await callerOf(req),
    });
    res.json(response as any);
  });

  router.get('/gates/policy', async (req, res) => {
    await assertReadsSomething(req);
    res.json(o.policy as any);
  });
}
