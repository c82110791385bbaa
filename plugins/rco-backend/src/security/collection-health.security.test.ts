import { Entity } from '@backstage/catalog-model';
import { Knex } from 'knex';
import http from 'node:http';
import { AddressInfo } from 'node:net';
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
  asUser,
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';

/**
 * Issue 13 review (R1 M1, M5, M7; R1/R2 low): collection health through the real plugin. A
 * refresh must not erase a failure it did not re-check, an ambiguity that gives an owner's
 * objects to nobody must show on that owner's page, owners cannot keep the clusters busy, and
 * the monitoring stack's credentials never reach the page.
 */
const databases = createTestDatabases();
jest.setTimeout(60_000);

const NO_SCHEDULED_RUN = {
  frequency: { hours: 1 },
  timeout: { minutes: 1 },
  initialDelay: { hours: 1 },
};

const payments: Entity = (() => {
  const base = governedEntity(
    'payments',
    `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`,
    {
      'rco.helix.dev/runbook': './runbook/rco-runbook.yaml',
      'rco.helix.dev/namespace': 'payments',
    },
  );
  return base;
})();
const PAYMENTS = '/api/rco/entities/component/default/payments';

async function start(
  knex: Knex,
  options: Parameters<typeof startOperationsBackend>[1] & {
    collection?: Record<string, unknown>;
  } = {},
) {
  return startOperationsBackend(knex, {
    logLevel: 'none',
    ...options,
    rco: {
      ...options.rco,
      collection: { schedule: NO_SCHEDULED_RUN, ...options.collection },
    },
  });
}

const refresh = (app: any, at = RCO) =>
  request(app)
    .post(`${at}/collection/refresh`)
    .set('Authorization', asUser('alice'));
const status = (app: any, at = RCO) =>
  request(app)
    .get(`${at}/collection`)
    .set('Authorization', asUser('alice'))
    .expect(200);

describe('review M1: a partial run does not erase a failure it did not re-check', () => {
  it.each(databases.eachSupportedId())(
    'refuses: one owner’s successful refresh clears the 403 another namespace still gets (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const fake = new FakeCollector();
      const namespaces = new Set<string>();
      // Every place's namespace listed on its own: payments' is refused, the others are fine.
      fake.respond = ({ places }) => {
        for (const p of places) namespaces.add(p.namespace);
        const mine = places.filter(
          p => p.entityRef !== 'component:default/payments',
        );
        return {
          objects: mine.map(p => {
            const o = reportObject(p, 'r', {
              uid: `u-${p.entityRef}-${p.environment}`,
              resourceVersion: '1',
            });
            return {
              ...o,
              provenance: { ...o.provenance, namespace: p.namespace },
            };
          }),
          health: places.map(p =>
            ok([p], {
              namespace: p.namespace,
              objects: undefined,
              ...(p.entityRef === 'component:default/payments'
                ? {
                    ok: false,
                    error: `403 Forbidden in namespace ${p.namespace}`,
                  }
                : {}),
            }),
          ),
        };
      };
      const { app } = await start(knex, {
        extraEntities: [payments],
        features: [collectorModule(fake)],
        rco: {
          environments: [
            {
              name: 'staging',
              driver: 'simulated',
              namespace: 'rco',
              allowedNamespaces: ['rco', 'payments'],
            },
          ],
        },
      });
      await refresh(app, PAYMENTS).expect(200);
      await refresh(app).expect(200);
      // Distinct namespaces, or the scenario says nothing.
      expect(namespaces.size).toBeGreaterThan(1);
      const theirs = (await status(app, PAYMENTS)).body.health;
      expect(theirs).toEqual([
        expect.objectContaining({
          state: 'failing',
          error: expect.stringMatching(/403 Forbidden/),
        }),
      ]);
      // rco's page shows its own namespace only: fine, and nothing of payments' namespace.
      const mine = (await status(app)).body.health;
      expect(mine).toEqual([
        expect.objectContaining({ state: 'ok', objects: 1 }),
      ]);
      expect(JSON.stringify(mine)).not.toMatch(/403/);
    },
  );
});

describe('review M7: what collection noticed is shown, not thrown away', () => {
  it.each(databases.eachSupportedId())(
    'refuses: objects that two entities’ selectors match go to nobody without a word on the owner’s Release tab (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const fake = new FakeCollector();
      const note =
        '1 object(s) matched the label selectors of more than one entity and were attributed to none: rco/rco-report (component:default/rco, component:sandbox/rco)';
      fake.respond = ({ places }) => ({
        objects: [],
        health: [ok(places, { objects: 1, note })],
      });
      const { app } = await start(knex, { features: [collectorModule(fake)] });
      const res = await refresh(app).expect(200);
      expect(res.body.health).toEqual([
        expect.objectContaining({ state: 'ok', objects: 0, note }),
      ]);
      expect((await status(app)).body.health[0].note).toBe(note);
    },
  );
});

describe('review M5: owners cannot keep the clusters busy with refreshes', () => {
  it.each(databases.eachSupportedId())(
    'refuses: the same entity refreshed again within rco.collection.refreshCooldown (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const fake = new FakeCollector();
      const { app } = await start(knex, {
        features: [collectorModule(fake)],
        collection: { refreshCooldown: 'PT30S' },
      });
      await refresh(app).expect(200);
      const again = await refresh(app);
      expect(again.status).toBe(429);
      expect(Number(again.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(again.headers['retry-after'])).toBeLessThanOrEqual(30);
      expect(again.body.error.message).toMatch(
        /less than 30 s ago \(rco.collection.refreshCooldown\).*try again in \d+ s/,
      );
      expect(fake.runs).toBe(1);
    },
  );
});

describe('review low: the monitoring stack’s credentials never reach collection health', () => {
  let server: http.Server;
  let url = '';
  const TOKEN = 'prom-bearer-0123456789abcdefghijklmnop';
  beforeAll(async () => {
    // A Prometheus that refuses the token and echoes it in its error text, cut at 200
    // characters by the collector (so only the token's first part remains).
    server = http.createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'error',
          error: `${'x'.repeat(180)} token ${TOKEN} is not valid`,
        }),
      );
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise(r => server.close(r)));

  it.each(databases.eachSupportedId())(
    'refuses: a token Prometheus echoes, or a header value Node rejects, shown in collection health (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const HEADER = 'tenant-secret-4711\r\nx-injected: 1';
      const { app } = await start(knex, {
        rco: {
          collectors: {
            prometheus: {
              environments: {
                staging: {
                  prometheus: { url, bearerToken: TOKEN },
                  alertmanager: { url },
                },
                production: {
                  prometheus: { url, headers: { 'X-Scope-OrgID': HEADER } },
                  alertmanager: { url },
                },
              },
            },
          },
        },
      });
      const res = await refresh(app).expect(200);
      const health = res.body.health.filter(
        (h: any) => h.collector === 'prometheus',
      );
      expect(health.map((h: any) => h.state)).toEqual(['failing', 'failing']);
      const text =
        JSON.stringify(res.body) + JSON.stringify((await status(app)).body);
      expect(text).toMatch(/401/);
      expect(text).toMatch(/invalid header value/);
      expect(text).not.toContain(TOKEN.slice(0, 12));
      expect(text).not.toContain('tenant-secret-4711');
      const stored = JSON.stringify(
        await knex('rco_collection_health').select(),
      );
      expect(stored).not.toContain(TOKEN.slice(0, 12));
      expect(stored).not.toContain('tenant-secret-4711');
    },
  );
});
