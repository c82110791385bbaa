/**
 * The evidence-collection harness: the real plugin (startOperationsBackend) with collectors — a
 * Kubernetes API peer read by the built-in collector, or test collectors registered through the
 * extension point — and the requests the collection tests make (refresh, evidence, collection
 * health, a gate). Collection runs on an owner's refresh unless `scheduled` asks for the real
 * scheduler's run at start-up.
 */
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  CollectedObject,
  CollectionPlace,
  EvidenceCollector,
} from '@helix-portal/plugin-rco-node';
import { Knex } from 'knex';
import path from 'node:path';
import request from 'supertest';
import { collectorModule, reportObject } from './fakeCollector';
import { examplesDir, governedEntity } from './fixtures';
import {
  asUser,
  DIGEST,
  peerClusterConfig,
  RCO,
  RELEASE,
  startOperationsBackend,
} from './operationsBackend';

/** A second governed component, in its own namespace `payments`. */
export const PAYMENTS = '/api/rco/entities/component/default/payments';
export const payments = governedEntity(
  'payments',
  `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`,
  {
    'rco.helix.dev/runbook': './runbook/rco-runbook.yaml',
    'rco.helix.dev/namespace': 'payments',
  },
);

/** The peer's default service-account token (tests that look for leaks name their own). */
export const PEER_TOKEN = 'sa-token-for-the-peer-0d4b';

/** One scheduled run at start-up (with the real scheduler): every entity read in the same run. */
const RUN_AT_ONCE = {
  frequency: { hours: 1 },
  timeout: { minutes: 1 },
  initialDelay: { seconds: 0 },
};

/** Staging on the peer cluster, production simulated; both in namespace rco. */
const PEER_ENVIRONMENTS = [
  { name: 'staging', driver: 'simulated', cluster: 'peer', namespace: 'rco' },
  { name: 'production', driver: 'simulated', namespace: 'rco' },
];

/** Staging alone, on the peer cluster, where both rco and payments may deploy. */
export const SHARED_STAGING = [
  {
    name: 'staging',
    driver: 'simulated',
    cluster: 'peer',
    namespace: 'rco',
    allowedNamespaces: ['rco', 'payments'],
  },
];

export type CollectorBackendOptions = Parameters<
  typeof startOperationsBackend
>[1] & {
  /** A Kubernetes API peer, declared as cluster `peer` of the `kubernetes:` configuration. */
  peer?: { url: string };
  /** The service-account token the portal presents to the peer. */
  token?: string;
  /** Collectors registered through the extension point (a FakeCollector, say). */
  collectors?: EvidenceCollector[];
  /** rco.environments (with a peer: staging on it and production, both in namespace rco). */
  environments?: Array<Record<string, unknown>>;
  /** rco.collectors.kubernetes.kinds. */
  kinds?: Record<string, unknown>;
  /** The real scheduler with one run at start-up, instead of refreshes only. */
  scheduled?: boolean;
};

export async function startCollectorBackend(
  knex: Knex,
  options: CollectorBackendOptions = {},
) {
  const {
    peer,
    token = PEER_TOKEN,
    collectors = [],
    environments = peer ? PEER_ENVIRONMENTS : undefined,
    kinds,
    scheduled,
    ...rest
  } = options;
  const rco: Record<string, unknown> = { ...rest.rco };
  if (environments) rco.environments = environments;
  if (kinds) {
    const configured = (rco.collectors ?? {}) as Record<string, any>;
    rco.collectors = {
      ...configured,
      kubernetes: { ...configured.kubernetes, kinds },
    };
  }
  // Without `scheduled`, startOperationsBackend's NO_SCHEDULED_RUN: runs on refresh only.
  if (scheduled)
    rco.collection = {
      schedule: RUN_AT_ONCE,
      ...(rco.collection as object | undefined),
    };
  return startOperationsBackend(knex, {
    logLevel: 'error',
    ...rest,
    rco,
    config: {
      ...(peer ? peerClusterConfig(peer.url, token) : {}),
      ...rest.config,
    },
    features: [
      ...(scheduled ? [schedulerServiceFactory] : []),
      ...(collectors.length ? [collectorModule(...collectors)] : []),
      ...(rest.features ?? []),
    ],
  });
}

/** An owner (alice, unless told) asks for a collection run of the entity at `at`. */
export const refresh = (app: any, at = RCO, as = asUser('alice')) =>
  request(app).post(`${at}/collection/refresh`).set('Authorization', as);

/** The entity's evidence items, as alice sees them. */
export const evidence = async (app: any, at = RCO) =>
  (
    await request(app)
      .get(`${at}/evidence`)
      .set('Authorization', asUser('alice'))
      .expect(200)
  ).body.items as any[];

/** The entity's collection status (health per collector, cluster and kind), as alice sees it. */
export const collection = async (app: any, at = RCO) =>
  (
    await request(app)
      .get(`${at}/collection`)
      .set('Authorization', asUser('alice'))
      .expect(200)
  ).body;

/** One gate of the release RELEASE (or another digest) in an environment, as alice sees it. */
export async function gate(
  app: any,
  id: string,
  options: { digest?: string; environment?: string; at?: string } = {},
) {
  const { digest = DIGEST, environment = 'staging', at = RCO } = options;
  const res = await request(app)
    .get(
      `${at}/status?version=${RELEASE.version}&digest=${digest}&environment=${environment}`,
    )
    .set('Authorization', asUser('alice'))
    .expect(200);
  return res.body.gates.find((g: any) => g.id === id);
}

/** A policy report object whose results all pass, or whose first one fails. */
export function passOrFail(
  place: Pick<CollectionPlace, 'entityRef' | 'environment'>,
  name: string,
  v: { uid: string; rv: string; fail?: boolean },
): CollectedObject {
  const object = reportObject(place, name, {
    uid: v.uid,
    resourceVersion: v.rv,
  });
  const doc = object.document as any;
  doc.results = doc.results.map((r: any, i: number) => ({
    ...r,
    result: v.fail && i === 0 ? 'fail' : 'pass',
  }));
  const fail = v.fail ? 1 : 0;
  doc.summary = {
    pass: doc.results.length - fail,
    fail,
    warn: 0,
    error: 0,
    skip: 0,
  };
  return object;
}
