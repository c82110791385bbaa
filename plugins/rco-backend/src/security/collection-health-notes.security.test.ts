/**
 * R3 low: health notes name objects (and entities) of one namespace. They are that namespace's
 * row, so another team's page does not show them. Through the real plugin and a scheduled run.
 */
import path from 'node:path';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import request from 'supertest';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import { examplesDir, governedEntity } from '../__testUtils__/fixtures';
import { KubeListPeer } from '../__testUtils__/kubeListPeer/KubeListPeer';
import {
  controlled,
  fromSample,
  kyvernoReportAbout,
} from '../__testUtils__/kubeListPeer/objects';
import {
  asUser,
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const TOKEN = 'sa-token-notes-7c1d';
const PAYMENTS = '/api/rco/entities/component/default/payments';
const payments = governedEntity(
  'payments',
  `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`,
  {
    'rco.helix.dev/runbook': './runbook/rco-runbook.yaml',
    'rco.helix.dev/namespace': 'payments',
  },
);

const RS = '22222222-2222-4222-8222-222222222222';
const POD = '11111111-1111-4111-8111-111111111111';
const DEP = '33333333-3333-4333-8333-333333333333';
const app = (name: string) => ({ 'app.kubernetes.io/name': name });

/** rco's Deployment → ReplicaSet → Pod with a Kyverno report about the Pod; payments' report. */
function objects() {
  return [
    fromSample('deployment', {
      name: 'rco',
      namespace: 'rco',
      labels: app('rco'),
    }),
    controlled('ReplicaSet', {
      name: 'rco-7d9f',
      namespace: 'rco',
      uid: RS,
      labels: app('rco'),
      owner: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'rco',
        uid: DEP,
      },
    }),
    controlled('Pod', {
      name: 'rco-secret-name-abcde',
      namespace: 'rco',
      uid: POD,
      labels: app('rco'),
      owner: {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'rco-7d9f',
        uid: RS,
      },
    }),
    kyvernoReportAbout({
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'rco-secret-name-abcde',
      namespace: 'rco',
      uid: POD,
    }),
    fromSample('policyReport', {
      name: 'payments-pods',
      namespace: 'payments',
      labels: app('payments'),
    }),
  ];
}

async function start(knex: Knex, peer: KubeListPeer) {
  return startOperationsBackend(knex, {
    extraEntities: [payments],
    // The real scheduler (the test backend's default runs nothing).
    features: [schedulerServiceFactory],
    logLevel: 'error',
    rco: {
      // One scheduled run at once: both entities' namespaces are read in the same run.
      collection: {
        schedule: {
          frequency: { hours: 1 },
          timeout: { minutes: 1 },
          initialDelay: { seconds: 0 },
        },
      },
      environments: [
        {
          name: 'staging',
          driver: 'simulated',
          cluster: 'peer',
          namespace: 'rco',
          allowedNamespaces: ['rco', 'payments'],
        },
      ],
    },
    config: {
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: 'peer',
                url: peer.url,
                authProvider: 'serviceAccount',
                serviceAccountToken: TOKEN,
                skipTLSVerify: true,
              },
            ],
          },
        ],
      },
    },
  });
}

const get = async (a: any, url: string) =>
  (await request(a).get(url).set('Authorization', asUser('alice')).expect(200))
    .body;

describe('R3 low: health notes stay with their namespace', () => {
  let peer: KubeListPeer | undefined;
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
    await peer?.close();
    peer = undefined;
  });

  it.each(databases.eachSupportedId())(
    "refuses: payments' page shows the note about a report in rco's namespace the collector could not attribute (%s)",
    async id => {
      const knex = await databases.init(id);
      peer = await KubeListPeer.start({ token: TOKEN, objects: objects() });
      // The owner lookup of rco's Pod is refused: its report is left with a note.
      peer.forbidden.add('pods');
      const { app: a, backend } = await start(knex, peer);
      stop = () => backend.stop();
      const notes = async (url: string) =>
        ((await get(a, `${url}/collection`)).health as any[])
          .filter(
            h => h.collector === 'kubernetes' && h.kind === 'PolicyReport',
          )
          .map(h => h.note ?? '')
          .join('\n');
      let mine = '';
      for (let i = 0; i < 200 && !mine.includes('403'); i++) {
        mine = await notes(RCO);
        await new Promise(r => setTimeout(r, 100));
      }
      expect(mine).toContain('could not be attributed through its resource');
      const theirs = await notes(PAYMENTS);
      expect(theirs).not.toContain('rco');
      expect(theirs).not.toContain('403');
    },
  );
});
