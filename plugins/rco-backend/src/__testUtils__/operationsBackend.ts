import { userInfoFrom } from './barePortal';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { GATE_IDS } from '@helix-portal/plugin-rco-common';
import { Entity } from '@backstage/catalog-model';
import { Knex } from 'knex';
import path from 'node:path';
import request from 'supertest';
import { rcoPlugin } from '../plugin';
import { examplesDir, governedEntity } from './fixtures';

export const DIGEST = `sha256:${'c'.repeat(64)}`;
export const RELEASE = { version: '1.5.0', digest: DIGEST };
export const RCO = '/api/rco/entities/component/default/rco';

/** People of the test organisation and their groups (as the portal's policy sees them). */
export const people: Record<string, string[]> = {
  'user:default/alice': ['group:default/rco-team'],
  'user:default/bob': ['group:default/payments'],
  'user:default/paula': ['group:default/product-owners'],
  'user:default/dana': ['group:default/dpo'],
  'user:default/sam': ['group:default/security'],
  'user:default/mei': ['group:default/break-glass'],
};
export const asUser = (ref: string) =>
  `Bearer mock-user-token:${JSON.stringify({ sub: `user:default/${ref}` })}`;
export const asService = (subject: string) =>
  `Bearer mock-service-token:${JSON.stringify({ sub: subject })}`;

/**
 * The example organisation's groups, named in rco config as app-config.yaml names them: groups
 * have no defaults, so a harness that signs, waives or breaks glass configures them.
 */
export const EXAMPLE_GROUPS = {
  signoffs: {
    groups: {
      po: 'group:default/product-owners',
      dpo: 'group:default/dpo',
      security: 'group:default/security',
    },
  },
  waivers: { group: 'group:default/security' },
  breakGlass: { group: 'group:default/break-glass' },
};

/** A collection schedule whose first run comes long after any test has finished. */
export const NO_SCHEDULED_RUN = {
  frequency: { hours: 1 },
  timeout: { minutes: 1 },
  initialDelay: { hours: 1 },
};

/** Every component of this harness is owned by the RCO team. */
const OWNER = 'group:default/rco-team';

/** The groups the portal's policy grants the non-resource permissions to. */
export const PERMISSION_GROUPS: Record<string, string[]> = {
  'rco.signoff.create': [
    'group:default/dpo',
    'group:default/security',
    'group:default/product-owners',
  ],
  'rco.waiver.create': ['group:default/security'],
  'rco.override.create': ['group:default/break-glass'],
};

function decide(r: any, credentials: any) {
  const groups = people[credentials.principal.userEntityRef] ?? [];
  const name: string = r.permission.name;
  const allowed = PERMISSION_GROUPS[name]
    ? groups.some(g => PERMISSION_GROUPS[name].includes(g))
    : !!r.resourceRef && groups.includes(OWNER);
  return allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY;
}

/**
 * The catalog mock, hiding from each caller what `visible` says it may not see (the mock itself
 * ignores credentials); the plugin's own service credentials see everything.
 */
function visibleCatalog(
  entities: Entity[],
  visible?: (entity: Entity, credentials: any) => boolean,
) {
  if (!visible) return catalogServiceMock.factory({ entities });
  const sees = (e: Entity | undefined, o: any) =>
    !!e &&
    (o?.credentials?.principal?.subject === 'plugin:rco' ||
      visible(e, o?.credentials));
  return createServiceFactory({
    service: catalogServiceRef,
    deps: {},
    factory: () => {
      const all = catalogServiceMock({ entities });
      return {
        ...all,
        getEntityByRef: async (ref: any, o: any) => {
          const e = await all.getEntityByRef(ref, o);
          return sees(e, o) ? e : undefined;
        },
        getEntities: async (req: any, o: any) => {
          const res = await all.getEntities(req, o);
          return { ...res, items: res.items.filter(e => sees(e, o)) };
        },
      } as any;
    },
  });
}

/** What the fake signals and notifications services were given. */
export interface Sent {
  signals: Array<{ channel: string; message: any }>;
  notifications: Array<{ recipients: any; payload: any }>;
}

/**
 * One backend instance of the plugin on the given database, with the simulated driver fast
 * enough for tests; several instances may share one database (two replicas of the portal).
 */
export async function startOperationsBackend(
  knex: Knex,
  options: {
    rco?: Record<string, unknown>;
    sent?: Sent;
    /** More governed components beside RCO (benchmarks). */
    extraEntities?: Entity[];
    /** Called with every signal published (the benchmark waits on them instead of polling). */
    onSignal?: (signal: { channel: string; message: any }) => void;
    /** More top-level configuration (a `kubernetes` section, say). */
    config?: Record<string, unknown>;
    /** The test backend logs at debug level unless told otherwise. */
    logLevel?: 'none' | 'error' | 'warn' | 'info' | 'debug';
    /** Catalog visibility: which entities a caller sees (all, unless told otherwise). */
    visible?: (entity: Entity, credentials: any) => boolean;
    /** More backend features (a module adding an evidence collector, say). */
    features?: any[];
  } = {},
) {
  const sent: Sent = options.sent ?? { signals: [], notifications: [] };
  const rco = governedEntity(
    'rco',
    `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`,
    { 'rco.helix.dev/runbook': './runbook/rco-runbook.yaml' },
  );
  const backend = await startTestBackend({
    features: [
      rcoPlugin,
      ...(options.features ?? []),
      mockServices.database.factory({ knex }),
      ...(options.logLevel
        ? [mockServices.rootLogger.factory({ level: options.logLevel })]
        : []),
      mockServices.rootConfig.factory({
        data: {
          ...options.config,
          // More backend keys (backend.actions for the MCP actions test) beside the base URL.
          backend: {
            ...(options.config?.backend as object | undefined),
            baseUrl: 'http://localhost:7007',
          },
          rco: {
            ...EXAMPLE_GROUPS,
            environments: [
              {
                name: 'staging',
                driver: 'simulated',
                imageRepository: 'registry.example/rco',
              },
              {
                name: 'production',
                driver: 'simulated',
                requiredSignoffs: ['po', 'dpo', 'security'],
              },
            ],
            simulated: { stepDelay: 'PT0.05S' },
            operations: { pollInterval: 'PT0.02S', leaseDuration: 'PT1S' },
            ci: {
              subjects: [
                {
                  subject: 'external:ci-rco',
                  entities: ['component:default/rco'],
                },
                {
                  subject: 'external:cd-rco',
                  entities: ['component:default/rco'],
                  operations: ['deploy', 'control'],
                },
              ],
            },
            ...options.rco,
            // A test that sets other sign-off keys (revokeGroup) keeps the role groups.
            signoffs: {
              ...EXAMPLE_GROUPS.signoffs,
              ...(options.rco?.signoffs as object | undefined),
            },
            // Tests refresh one entity several times in a row: no cooldown unless they set one.
            // No scheduled collection during a test either (with the real scheduler): tests
            // collect through an owner's refresh.
            collection: {
              refreshCooldown: 'PT0S',
              schedule: NO_SCHEDULED_RUN,
              ...(options.rco?.collection as object | undefined),
            },
          },
        },
      }),
      visibleCatalog([rco, ...(options.extraEntities ?? [])], options.visible),
      // Decides like the rco policy (rcoPolicyDecision in plugins/rco-node/src/policy.ts). Plain
      // factories rather than jest mocks, so the benchmark can use this harness too.
      createServiceFactory({
        service: coreServices.permissions,
        deps: {},
        factory: () =>
          ({
            authorize: async (requests: any[], { credentials }: any) =>
              requests.map(r => ({ result: decide(r, credentials) })),
            authorizeConditional: async (
              requests: any[],
              { credentials }: any,
            ) => requests.map(r => ({ result: decide(r, credentials) })),
          } as any),
      }),
      userInfoFrom(ref => people[ref] ?? []),
      createServiceFactory({
        service: signalsServiceRef,
        deps: {},
        factory: () => ({
          publish: async (s: any) => {
            sent.signals.push(s);
            options.onSignal?.(s);
          },
        }),
      }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({
          send: async (n: any) => {
            sent.notifications.push(n);
          },
        }),
      }),
    ],
  });
  return { app: backend.server, backend, sent };
}

/**
 * Security waives every gate of the release that a waiver may lift, and the DPO signs off the
 * sign-off gate (no waiver lifts it): alice asks for the release, dana approves it. Preflight
 * then lets alice's deploy through.
 */
export async function waiveAllGates(app: any, entityPath = RCO) {
  const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
  for (const gate of GATE_IDS.filter(g => g !== 'dpo-signoff')) {
    const res = await request(app)
      .post(`${entityPath}/waivers`)
      .set('Authorization', asUser('sam'))
      .send({
        gate,
        justification: 'Test release: evidence judged by hand',
        expiresAt,
      });
    if (res.status !== 201)
      throw new Error(`waiver ${gate}: ${res.status} ${res.text}`);
  }
  await request(app)
    .post(`${entityPath}/releases`)
    .set('Authorization', asUser('alice'))
    .send(RELEASE)
    .expect(201);
  await request(app)
    .post(`${entityPath}/signoffs`)
    .set('Authorization', asUser('dana'))
    .send({ role: 'dpo', release: RELEASE, comment: 'ok' })
    .expect(201);
}

/** Alice asks for the release; PO, DPO and Security approve it. */
export async function signOff(app: any, roles = ['po', 'dpo', 'security']) {
  await request(app)
    .post(`${RCO}/releases`)
    .set('Authorization', asUser('alice'))
    .send(RELEASE)
    .expect(201);
  const signer: Record<string, string> = {
    po: 'paula',
    dpo: 'dana',
    security: 'sam',
  };
  for (const role of roles) {
    await request(app)
      .post(`${RCO}/signoffs`)
      .set('Authorization', asUser(signer[role]))
      .send({ role, release: RELEASE, comment: 'ok' })
      .expect(201);
  }
}

/** Polls an operation until `until` holds (or gives up after `ms`). */
export async function waitFor(
  app: any,
  id: string,
  until: (op: any) => boolean,
  ms = 15_000,
) {
  const end = Date.now() + ms;
  let op: any;
  while (Date.now() < end) {
    op = (
      await request(app)
        .get(`/api/rco/operations/${id}`)
        .set('Authorization', asUser('alice'))
    ).body;
    if (until(op)) return op;
    await new Promise(r => setTimeout(r, 25));
  }
  throw new Error(`Operation ${id} never got there: ${JSON.stringify(op)}`);
}

/**
 * The `kubernetes` configuration of one cluster served by the Argo Rollouts API-server peer, as
 * the portal's Kubernetes plugin declares clusters (the drivers read the same entries).
 */
export const peerClusterConfig = (
  url: string,
  serviceAccountToken: string,
) => ({
  kubernetes: {
    clusterLocatorMethods: [
      {
        type: 'config',
        clusters: [
          {
            name: 'peer',
            url,
            authProvider: 'serviceAccount',
            serviceAccountToken,
            skipTLSVerify: true,
          },
        ],
      },
    ],
  },
});
