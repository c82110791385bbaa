/**
 * Issue 13 (fixer F6): a kind read in a fixed platform namespace (Velero's backups and restores
 * in `velero`, per rco.collectors.kubernetes.kinds.<kind>.namespace) that the cluster refuses
 * must show on the Release tab of every entity whose places read it, per cluster and kind, with
 * the error in words, before the entity has any object there. Another team's own namespace
 * failing stays off this entity's page.
 */
import request from 'supertest';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import { governedEntity } from '../__testUtils__/fixtures';
import { KubeListPeer } from '../__testUtils__/kubeListPeer/KubeListPeer';
import { fromSample } from '../__testUtils__/kubeListPeer/objects';
import {
  asUser,
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const TOKEN = 'sa-token-for-the-collector-77af';
const NO_SCHEDULED_RUN = {
  frequency: { hours: 1 },
  timeout: { minutes: 1 },
  initialDelay: { hours: 1 },
};
const PAYMENTS = '/api/rco/entities/component/default/payments';
const payments = governedEntity('payments', 'url:https://example.test/p.yaml', {
  'rco.helix.dev/runbook': './runbook.md',
  'rco.helix.dev/namespace': 'payments',
});

async function start(knex: Knex, peer: KubeListPeer) {
  return startOperationsBackend(knex, {
    extraEntities: [payments],
    logLevel: 'error',
    rco: {
      collection: { schedule: NO_SCHEDULED_RUN },
      environments: [
        {
          name: 'staging',
          driver: 'simulated',
          cluster: 'peer',
          namespace: 'rco',
          allowedNamespaces: ['rco', 'payments'],
        },
      ],
      collectors: {
        kubernetes: {
          kinds: {
            'velero-backup': { namespace: 'velero' },
            'velero-restore': { namespace: 'velero' },
          },
        },
      },
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

const refresh = (a: any, at = RCO) =>
  request(a)
    .post(`${at}/collection/refresh`)
    .set('Authorization', asUser('alice'))
    .expect(200);
const status = async (a: any, at = RCO) =>
  (
    await request(a)
      .get(`${at}/collection`)
      .set('Authorization', asUser('alice'))
      .expect(200)
  ).body.health as any[];

describe('issue 13: collection health of kinds read in a fixed platform namespace', () => {
  let peer: KubeListPeer | undefined;
  afterEach(async () => {
    await peer?.close();
    peer = undefined;
  });

  it.each(databases.eachSupportedId())(
    'refuses: a 403 for Velero backups in the velero namespace stays off the Release tab of an entity with no backups yet (%s)',
    async id => {
      const knex = await databases.init(id);
      peer = await KubeListPeer.start({
        token: TOKEN,
        objects: [
          fromSample('deployment', {
            name: 'rco',
            namespace: 'rco',
            labels: { 'app.kubernetes.io/name': 'rco' },
          }),
        ],
      });
      peer.forbidden.add('backups');
      const { app: a } = await start(knex, peer);
      await refresh(a);
      const health = await status(a);
      expect(health).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            collector: 'kubernetes',
            cluster: 'peer',
            kind: 'Backup',
            state: 'failing',
            environments: ['staging'],
            error: expect.stringMatching(
              /403 Forbidden for backups\.velero\.io in namespace velero/,
            ),
          }),
          expect.objectContaining({ kind: 'Restore', state: 'ok' }),
        ]),
      );
      expect(JSON.stringify(health)).not.toContain(TOKEN);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: another team’s namespace refusing deployments shows on this entity’s Release tab (%s)',
    async id => {
      const knex = await databases.init(id);
      peer = await KubeListPeer.start({ token: TOKEN, objects: [] });
      peer.forbiddenPaths.add('/apis/apps/v1/namespaces/payments/deployments');
      const { app: a } = await start(knex, peer);
      await refresh(a, PAYMENTS);
      await refresh(a);
      // Distinct namespaces, or the scenario says nothing: payments' page shows its own failure.
      expect(await status(a, PAYMENTS)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'Deployment', state: 'failing' }),
        ]),
      );
      const mine = await status(a);
      expect(mine).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'Deployment', state: 'ok' }),
        ]),
      );
      expect(JSON.stringify(mine)).not.toMatch(/payments|403/);
    },
  );
});
