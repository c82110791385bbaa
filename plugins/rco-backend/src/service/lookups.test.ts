import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  asService,
  asUser,
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';
import { resetSimulatedCluster } from '../drivers/simulated/SimulatedDriver';

/**
 * Issue 14, point 4: a page's requests ask the catalog for their entity once per caller (the
 * portal pays ~10 ms per authenticated lookup), never serving one caller's view to another.
 */
const databases = createTestDatabases();
jest.setTimeout(60_000);
beforeEach(() => resetSimulatedCluster());

/** What the Release page asks for when it opens. */
const PAGE = [
  '/status',
  '/capabilities',
  '/evidence',
  '/releases',
  '/signoffs',
  '/waivers',
  '/environments',
  '/operations',
  '/runbook',
];

/** The groups the next steps name signers and waivers from (EXAMPLE_GROUPS). */
const GROUPS = ['product-owners', 'dpo', 'security'].map(name => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
}));

async function start(knex: any) {
  const asked: string[] = [];
  const groupsAsked: string[] = [];
  // Bob's team cannot see RCO in the catalog; every lookup of RCO as a person is counted.
  const visible = (entity: any, credentials: any) => {
    const who = credentials?.principal?.userEntityRef;
    if (entity.metadata.name === 'rco') asked.push(who);
    if (entity.kind === 'Group')
      groupsAsked.push(`${who} ${entity.metadata.name}`);
    return who !== 'user:default/bob' || entity.metadata.name !== 'rco';
  };
  const started = await startOperationsBackend(knex, {
    visible,
    logLevel: 'none',
    extraEntities: GROUPS as any,
  });
  return { ...started, asked, groupsAsked };
}

describe('the catalog is asked once per caller and entity', () => {
  it.each(databases.eachSupportedId())(
    "refuses: every request of a page asks the catalog for the entity again, or one caller's view reaches another (%s)",
    async databaseId => {
      const { app, backend, asked } = await start(
        await databases.init(databaseId),
      );
      const read = (path: string, who: string) =>
        request(app).get(`${RCO}${path}`).set('Authorization', asUser(who));
      const alice = await Promise.all(PAGE.map(p => read(p, 'alice')));
      for (const res of alice) expect(res.status).toBe(200);
      // Again, as the page does on a live signal.
      for (const p of PAGE) expect((await read(p, 'alice')).status).toBe(200);
      expect(asked).toEqual(['user:default/alice']);

      // Bob asks for himself and is told what his catalog view says: nothing.
      for (const p of PAGE) expect((await read(p, 'bob')).status).toBe(404);
      expect(asked).toEqual(['user:default/alice', 'user:default/bob']);
      // And alice is still answered from her own view.
      expect((await read('/status', 'alice')).status).toBe(200);

      // A service principal outside rco.ci.subjects learns nothing from what people read.
      const stranger = await request(app)
        .get(`${RCO}/evidence`)
        .set('Authorization', asService('external:someone-else'));
      expect(stranger.status).toBe(404);
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: every status request reads the signers' groups from the catalog again (%s)",
    async databaseId => {
      const { app, backend, groupsAsked } = await start(
        await databases.init(databaseId),
      );
      const status = (who: string) =>
        request(app)
          .get(`${RCO}/status?environment=production`)
          .set('Authorization', asUser(who))
          .expect(200);
      await status('alice');
      const once = [...groupsAsked];
      expect(once.length).toBeGreaterThan(0);
      expect(new Set(once).size).toBe(once.length);
      await status('alice');
      expect(groupsAsked).toEqual(once);
      // Another person reads them with their own view.
      await status('paula');
      expect(
        groupsAsked.filter(g => g.startsWith('user:default/paula')),
      ).toHaveLength(once.length);
      await backend.stop();
    },
  );
});
