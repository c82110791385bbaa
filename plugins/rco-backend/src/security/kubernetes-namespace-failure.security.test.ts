/**
 * Issue 13 point 2 (R1 M1, collector part) through the real plugin and a scheduled run: a 403
 * listing policy reports in one team's namespace fails that namespace only. Another team's
 * reports, read fine in its own namespace in the same run, still become its evidence, and the
 * failure names the namespace.
 */
import path from 'node:path';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import request from 'supertest';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import { examplesDir, governedEntity } from '../__testUtils__/fixtures';
import { KubeListPeer } from '../__testUtils__/kubeListPeer/KubeListPeer';
import { fromSample } from '../__testUtils__/kubeListPeer/objects';
import {
  asUser,
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const TOKEN = 'sa-token-namespaces-4e2a';
const PAYMENTS = '/api/rco/entities/component/default/payments';
const payments = governedEntity(
  'payments',
  `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`,
  {
    'rco.helix.dev/runbook': './runbook/rco-runbook.yaml',
    'rco.helix.dev/namespace': 'payments',
  },
);

function objects() {
  return [
    fromSample('policyReport', {
      name: 'rco-pods',
      namespace: 'rco',
      labels: { 'app.kubernetes.io/name': 'rco' },
    }),
    fromSample('policyReport', {
      name: 'payments-pods',
      namespace: 'payments',
      labels: { 'app.kubernetes.io/name': 'payments' },
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

describe('issue 13 point 2 (R1 M1): a namespace refused fails that namespace only', () => {
  let peer: KubeListPeer | undefined;
  afterEach(async () => {
    await peer?.close();
    peer = undefined;
  });

  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it.each(databases.eachSupportedId())(
    "refuses: a 403 listing policy reports in payments' namespace costs rco the reports read fine in its own (%s)",
    async id => {
      const knex = await databases.init(id);
      peer = await KubeListPeer.start({ token: TOKEN, objects: objects() });
      peer.forbiddenPaths.add(
        '/apis/wgpolicyk8s.io/v1alpha2/namespaces/payments/policyreports',
      );
      const { app: a, backend } = await start(knex, peer);
      stop = () => backend.stop();
      // Wait for the scheduled run to have read both namespaces.
      let theirs: any[] = [];
      for (let i = 0; i < 200; i++) {
        theirs = (await get(a, `${PAYMENTS}/collection`)).health.filter(
          (h: any) => h.collector === 'kubernetes' && h.kind === 'PolicyReport',
        );
        if (theirs.some(h => h.state === 'failing')) break;
        await new Promise(r => setTimeout(r, 100));
      }
      expect(
        peer
          .lists('policyreports')
          .map(r => r.path)
          .sort(),
      ).toEqual([
        '/apis/wgpolicyk8s.io/v1alpha2/namespaces/payments/policyreports',
        '/apis/wgpolicyk8s.io/v1alpha2/namespaces/rco/policyreports',
      ]);
      expect(theirs).toEqual([
        expect.objectContaining({
          state: 'failing',
          error: expect.stringContaining(
            'the cluster answered 403 Forbidden for policyreports.wgpolicyk8s.io in namespace payments',
          ),
        }),
      ]);
      const mine = (await get(a, `${RCO}/evidence`)).items.filter(
        (i: any) => i.kind === 'policy-report',
      );
      expect(mine.map((i: any) => i.provenance?.name)).toEqual(['rco-pods']);
      expect(
        (await get(a, `${PAYMENTS}/evidence`)).items.filter(
          (i: any) => i.kind === 'policy-report',
        ),
      ).toEqual([]);
    },
  );
});
