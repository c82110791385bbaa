/**
 * Issue 13 point 2 through the real plugin: the built-in Kubernetes collector reads a cluster of
 * the `kubernetes:` configuration (the HTTP API peer) on an owner's refresh. A cluster that
 * refuses a kind, is down or refuses the token shows as health in words, never with its token,
 * and never turns into evidence.
 */
import request from 'supertest';
import { Knex } from 'knex';
import { Entity } from '@backstage/catalog-model';
import { createTestDatabases } from '../__testUtils__/databases';
import { governedEntity } from '../__testUtils__/fixtures';
import { KubeListPeer } from '../__testUtils__/kubeListPeer/KubeListPeer';
import { fromSample } from '../__testUtils__/kubeListPeer/objects';
import { asUser, RCO } from '../__testUtils__/operationsBackend';
import {
  evidence,
  refresh,
  startCollectorBackend,
} from '../__testUtils__/collectorBackend';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const TOKEN = 'sa-token-for-the-collector-3c9e';
const app = { 'app.kubernetes.io/name': 'rco' };

function objects() {
  return [
    fromSample('policyReport', {
      name: 'rco-pods',
      namespace: 'rco',
      labels: app,
    }),
    fromSample('deployment', { name: 'rco', namespace: 'rco', labels: app }),
    fromSample('networkPolicy', { name: 'rco', namespace: 'rco', labels: app }),
  ];
}

const start = (
  knex: Knex,
  peer: KubeListPeer,
  token = TOKEN,
  extraEntities: Entity[] = [],
) => startCollectorBackend(knex, { peer, token, extraEntities });

describe('issue 13 point 2: the Kubernetes collector through the plugin', () => {
  let peer: KubeListPeer | undefined;
  afterEach(async () => {
    await peer?.close();
    peer = undefined;
  });

  it.each(databases.eachSupportedId())(
    'refuses: a 403 for policy reports becomes policy evidence or leaks the token (%s)',
    async id => {
      const knex = await databases.init(id);
      peer = await KubeListPeer.start({ token: TOKEN, objects: objects() });
      peer.forbidden.add('policyreports');
      const { app: a } = await start(knex, peer);
      const res = await refresh(a).expect(200);
      expect(JSON.stringify(res.body)).not.toContain(TOKEN);
      const status = await request(a)
        .get(`${RCO}/collection`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      expect(JSON.stringify(status.body)).not.toContain(TOKEN);
      expect(status.body.health).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            collector: 'kubernetes',
            cluster: 'peer',
            kind: 'PolicyReport',
            state: 'failing',
            error: expect.stringContaining(
              'the cluster answered 403 Forbidden for policyreports.wgpolicyk8s.io in namespace rco',
            ),
          }),
          expect.objectContaining({ kind: 'Deployment', state: 'ok' }),
        ]),
      );
      const items = await evidence(a);
      expect(items.map(i => i.kind).sort()).toEqual([
        'network-policy',
        'workload',
      ]);
      expect(items[0]).toMatchObject({
        source: 'cluster',
        provenance: {
          collector: 'kubernetes',
          cluster: 'peer',
          namespace: 'rco',
        },
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a cluster that is down, or refuses the token, changes evidence or shows the token (%s)',
    async id => {
      const knex = await databases.init(id);
      peer = await KubeListPeer.start({ token: TOKEN, objects: objects() });
      const { app: a } = await start(knex, peer);
      await refresh(a).expect(200);
      const before = await evidence(a);
      expect(before).toHaveLength(3);
      await peer.down();
      await refresh(a).expect(200);
      const status = await request(a)
        .get(`${RCO}/collection`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      const mine = status.body.health.filter(
        (h: any) => h.collector === 'kubernetes',
      );
      expect(mine.length).toBeGreaterThan(3);
      for (const h of mine) {
        expect(h).toMatchObject({
          state: 'failing',
          lastSuccessAt: expect.any(String),
          error: expect.stringMatching(
            /^could not reach http:\/\/127\.0\.0\.1:\d+ .*connection refused$/,
          ),
        });
      }
      expect(JSON.stringify(status.body)).not.toContain(TOKEN);
      // What was collected before stays as it was (and goes stale on its own clock).
      expect((await evidence(a)).map(i => i.id).sort()).toEqual(
        before.map(i => i.id).sort(),
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a wrong service account token is echoed in the health it causes (%s)',
    async id => {
      const knex = await databases.init(id);
      // The peer quotes the refused token in its 401 body, as some proxies do.
      peer = await KubeListPeer.start({
        token: TOKEN,
        objects: objects(),
        echoRefusedToken: true,
      });
      const quoted = await fetch(`${peer.url}/apis`, {
        headers: { authorization: 'Bearer not-the-token-9f1b' },
      }).then(r => r.text());
      expect(quoted).toContain('not-the-token-9f1b');
      const { app: a } = await start(knex, peer, 'not-the-token-9f1b');
      const res = await refresh(a).expect(200);
      const status = await request(a)
        .get(`${RCO}/collection`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      const text = JSON.stringify([res.body, status.body]);
      expect(text).not.toContain('not-the-token-9f1b');
      expect(text).toContain('401 Unauthorized');
      expect(await evidence(a)).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: an entity named like another (team-b/rco beside default/rco) takes the objects both selectors match by refreshing first (%s)',
    async id => {
      const knex = await databases.init(id);
      peer = await KubeListPeer.start({ token: TOKEN, objects: objects() });
      const impostor = governedEntity(
        'rco',
        'url:https://example.test/b.yaml',
        {
          'rco.helix.dev/runbook': './runbook.md',
        },
      );
      impostor.metadata.namespace = 'team-b';
      const { app: a } = await start(knex, peer, TOKEN, [impostor]);
      const TEAM_B = '/api/rco/entities/component/team-b/rco';
      await request(a)
        .post(`${TEAM_B}/collection/refresh`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      const items = (
        await request(a)
          .get(`${TEAM_B}/evidence`)
          .set('Authorization', asUser('alice'))
          .expect(200)
      ).body.items;
      // Both entities' selectors match every object: a scheduled run gives them to neither,
      // and so must a refresh, whoever asks first.
      expect(items).toEqual([]);
      expect(await evidence(a)).toEqual([]);
    },
  );
});
