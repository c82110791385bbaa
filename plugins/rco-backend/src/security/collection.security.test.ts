import { Entity } from '@backstage/catalog-model';
import { Knex } from 'knex';
import path from 'node:path';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  collectorModule,
  FakeCollector,
  ok,
  reportObject,
} from '../__testUtils__/fakeCollector';
import { examplesDir, governedEntity } from '../__testUtils__/fixtures';
import {
  asService,
  asUser,
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const NO_SCHEDULED_RUN = {
  frequency: { hours: 1 },
  timeout: { minutes: 1 },
  initialDelay: { hours: 1 },
};

const entity = (namespace: string, name: string, annotations = {}): Entity => {
  const base = governedEntity(
    name,
    `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`,
    { 'rco.helix.dev/runbook': './runbook/rco-runbook.yaml', ...annotations },
  );
  return { ...base, metadata: { ...base.metadata, namespace } };
};

const pathOf = (e: Entity) =>
  `/api/rco/entities/component/${e.metadata.namespace}/${e.metadata.name}`;

const count = async (knex: Knex, where: Record<string, string> = {}) =>
  Number((await knex('rco_evidence').where(where).count({ n: '*' }))[0].n);

async function start(
  knex: Knex,
  fake: FakeCollector,
  options: Parameters<typeof startOperationsBackend>[1] = {},
) {
  return startOperationsBackend(knex, {
    logLevel: 'error',
    ...options,
    rco: {
      ledger: { onDemandInterval: 'PT0S' },
      collection: { schedule: NO_SCHEDULED_RUN },
      ...options.rco,
    },
    features: [collectorModule(fake)],
  });
}

describe('issue 13 point 2: who may refresh and read collection health', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a non-owner triggers a refresh of another team’s entity (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const fake = new FakeCollector();
      const { app } = await start(knex, fake);
      const bob = await request(app)
        .post(`${RCO}/collection/refresh`)
        .set('Authorization', asUser('bob'));
      expect(bob.status).toBe(403);
      // A service token without rco.ci.subjects for the entity: the entity does not exist for it.
      const stranger = await request(app)
        .post(`${RCO}/collection/refresh`)
        .set('Authorization', asService('external:ci-other'));
      expect(stranger.status).toBe(404);
      expect(fake.runs).toBe(0);
      const status = await request(app)
        .get(`${RCO}/collection`)
        .set('Authorization', asUser('bob'))
        .expect(200);
      expect(status.body.canRefresh).toBe(false);
      // The owner may; so may the CI token configured for the entity (collection only reads).
      await request(app)
        .post(`${RCO}/collection/refresh`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      await request(app)
        .post(`${RCO}/collection/refresh`)
        .set('Authorization', asService('external:ci-rco'))
        .expect(200);
      expect(fake.runs).toBe(2);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a caller who cannot see the entity reads its collection health (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const fake = new FakeCollector();
      const { app } = await start(knex, fake, {
        visible: (_e, credentials) =>
          credentials?.principal?.userEntityRef !== 'user:default/bob',
      });
      await request(app)
        .post(`${RCO}/collection/refresh`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      for (const call of [
        request(app).get(`${RCO}/collection`),
        request(app).post(`${RCO}/collection/refresh`),
      ]) {
        const res = await call.set('Authorization', asUser('bob'));
        expect(res.status).toBe(404);
        expect(res.text).not.toMatch(/PolicyReport|own-context|fake/);
      }
    },
  );
});

describe('issue 13 point 1: collected evidence is attributed only where the console looked', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a collector object for an entity not among the places it was asked about (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const other = entity('default', 'payments');
      const fake = new FakeCollector();
      fake.respond = ({ places }) => ({
        objects: [
          ...places.map(p =>
            reportObject(p, 'own', {
              uid: `own-${p.environment}`,
              resourceVersion: '1',
            }),
          ),
          // The module's collector says this object is payments' (it was asked about rco only),
          // and another names a collector that is not itself.
          reportObject(
            { entityRef: 'component:default/payments', environment: 'staging' },
            'theirs',
            { uid: 'theirs', resourceVersion: '1', fail: true },
          ),
          reportObject(
            places[0],
            'forged',
            { uid: 'forged', resourceVersion: '1' },
            'kubernetes',
          ),
        ],
        health: [ok(places)],
      });
      const { app } = await start(knex, fake, { extraEntities: [other] });
      const res = await request(app)
        .post(`${RCO}/collection/refresh`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      expect(res.body.run).toMatchObject({ created: 2, dropped: 2 });
      expect(
        await count(knex, { entity_ref: 'component:default/payments' }),
      ).toBe(0);
      expect(await count(knex, { origin_uid: 'forged' })).toBe(0);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: an entity collects the cluster state of a target bound to another entity (a claimed namespace and release) (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const payments = entity('default', 'payments');
      // Same name in another catalog namespace, and a look-alike pointing its annotations at
      // payments' namespace and release.
      const impostor = entity('sandbox', 'payments');
      const lookalike = entity('default', 'ledger-ui', {
        'rco.helix.dev/namespace': 'payments',
        'rco.helix.dev/helm-release': 'payments',
      });
      const fake = new FakeCollector();
      fake.respond = ({ places }) => ({
        objects: places.map(p =>
          reportObject(p, 'r', {
            uid: `u-${p.entityRef}-${p.environment}`,
            resourceVersion: '1',
          }),
        ),
        health: [ok(places)],
      });
      const { app } = await start(knex, fake, {
        extraEntities: [payments, impostor, lookalike],
        rco: {
          environments: [
            {
              name: 'production',
              driver: 'helm',
              namespace: 'payments',
              allowedNamespaces: ['payments', 'ledger'],
              imageRepository: 'registry.example/{name}',
              bindings: [{ entity: 'component:default/payments' }],
            },
          ],
        },
      });
      for (const e of [impostor, lookalike]) {
        const res = await request(app)
          .post(`${pathOf(e)}/collection/refresh`)
          .set('Authorization', asUser('alice'));
        // Nothing to collect for them: no place, so the page offers no refresh.
        expect(res.status).toBe(200);
        expect(res.body.run).toMatchObject({ places: 0, created: 0 });
      }
      expect(fake.runs).toBe(0);
      const owner = await request(app)
        .post(`${pathOf(payments)}/collection/refresh`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      expect(owner.body.run).toMatchObject({ places: 1, created: 1 });
      expect(fake.requests[0].places).toEqual([
        expect.objectContaining({
          entityRef: 'component:default/payments',
          namespace: 'payments',
        }),
      ]);
      expect(await count(knex)).toBe(1);
    },
  );
});

describe('issue 13 point 1: observations are in the ledger', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a DB-edited observed_at that keeps stale collected evidence fresh goes unnoticed by the ledger verification (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const fake = new FakeCollector();
      const { app } = await start(knex, fake);
      await request(app)
        .post(`${RCO}/collection/refresh`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      await request(app)
        .post(`${RCO}/collection/refresh`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      const verify = () =>
        request(app)
          .post('/api/rco/ledger/verify')
          .set('Authorization', asUser('alice'))
          .expect(200);
      expect((await verify()).body).toMatchObject({ ok: true });
      const [row] = await knex('rco_evidence').select('id').limit(1);
      await knex('rco_evidence')
        .where({ id: row.id })
        .update({ observed_at: new Date(Date.now() + 30 * 86_400_000) });
      const result = (await verify()).body;
      expect(result.ok).toBe(false);
      expect(result.problems).toEqual([
        expect.objectContaining({
          table: 'rco_evidence',
          id: row.id,
          problem: expect.stringMatching(
            /^differs from its ledger entry \d+ \(observedAt\)$/,
          ),
        }),
      ]);
    },
  );
});
