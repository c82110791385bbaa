import request from 'supertest';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  collectorModule,
  FakeCollector,
  ok,
  reportObject,
} from '../__testUtils__/fakeCollector';
import {
  asUser,
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';
import { reconcileLedger } from '../database/LedgerReconciler';

const databases = createTestDatabases();
jest.setTimeout(60_000);

/** No scheduled run during a test: the tests collect through the owner's refresh. */
const NO_SCHEDULED_RUN = {
  frequency: { hours: 1 },
  timeout: { minutes: 1 },
  initialDelay: { hours: 1 },
};

async function start(
  knex: Knex,
  fake: FakeCollector,
  collection: Record<string, unknown> = {},
) {
  return startOperationsBackend(knex, {
    rco: { collection: { schedule: NO_SCHEDULED_RUN, ...collection } },
    features: [collectorModule(fake)],
    logLevel: 'error',
  });
}

const refresh = (app: any, user = 'alice') =>
  request(app)
    .post(`${RCO}/collection/refresh`)
    .set('Authorization', asUser(user));
const status = (app: any, user = 'alice') =>
  request(app).get(`${RCO}/collection`).set('Authorization', asUser(user));
const count = async (knex: Knex, table = 'rco_evidence') =>
  Number((await knex(table).count({ n: '*' }))[0].n);

describe.each(databases.eachSupportedId())('evidence collection on %s', id => {
  it('an owner refresh stores each object once with its provenance; a second run only moves observations; health says ok', async () => {
    const knex = await databases.init(id);
    const fake = new FakeCollector();
    const { app, sent } = await start(knex, fake);
    const before = await status(app).expect(200);
    expect(before.body).toMatchObject({
      configured: true,
      canRefresh: true,
      health: [{ collector: 'fake', state: 'never' }],
    });
    const first = await refresh(app).expect(200);
    expect(first.body.run).toMatchObject({ created: 2, observed: 0 });
    // Places: the environments of the harness, resolved like the deploy targets.
    expect(fake.requests[0].places.map(p => p.environment).sort()).toEqual([
      'production',
      'staging',
    ]);
    // New evidence nudges open Release pages, as an upload does.
    const evidenceSignals = () =>
      sent.signals.filter(s => s.message?.what === 'evidence').length;
    // Signals go out after the response: wait for it (with a ceiling), not a fixed time.
    for (let i = 0; i < 500 && evidenceSignals() === 0; i++)
      await new Promise(r => setTimeout(r, 10));
    expect(evidenceSignals()).toBe(1);
    const second = await refresh(app).expect(200);
    await new Promise(r => setTimeout(r, 50));
    // Only observations moved: nothing the page shows changed, no nudge.
    expect(evidenceSignals()).toBe(1);
    // Seen unchanged within rco.collection.observationGranularity (PT1H): nothing is written.
    expect(second.body.run).toMatchObject({
      created: 0,
      unchanged: 2,
      observed: 0,
      ledgerEntries: 0,
    });
    expect(await count(knex)).toBe(2);
    expect(second.body.health).toEqual([
      expect.objectContaining({
        collector: 'fake',
        cluster: 'own-context',
        kind: 'PolicyReport',
        environments: ['production', 'staging'],
        state: 'ok',
        objects: 2,
      }),
    ]);
    const evidence = await request(app)
      .get(`${RCO}/evidence`)
      .set('Authorization', asUser('alice'))
      .expect(200);
    expect(evidence.body.items[0]).toMatchObject({
      source: 'cluster',
      submitter: 'collector:fake',
      provenance: {
        collector: 'fake',
        kind: 'PolicyReport',
        uid: expect.stringMatching(/^uid-rco-/),
        resourceVersion: '1',
      },
    });
    // The status route names the provenance of the policy evidence it used.
    const gates = await request(app)
      .get(`${RCO}/status?environment=staging`)
      .set('Authorization', asUser('alice'))
      .expect(200);
    const refs = gates.body.gates.flatMap((g: any) => g.evidence);
    expect(refs.find((r: any) => r.source === 'cluster')).toMatchObject({
      provenance: { collector: 'fake', observedAt: expect.any(String) },
    });
    expect(await reconcileLedger(knex)).toMatchObject({ problems: [] });
  });

  it('a collector that throws or overruns its time shows failing health, in words without its token; stored evidence stays as it was', async () => {
    const knex = await databases.init(id);
    const fake = new FakeCollector();
    const { app } = await start(knex, fake, { timeout: 'PT0.3S' });
    await refresh(app).expect(200);
    const stored = await count(knex);
    fake.respond = () => {
      throw new Error(
        'cluster answered 401 Unauthorized (Authorization: Bearer sekret-token-123)',
      );
    };
    const failed = await refresh(app).expect(200);
    expect(failed.body.run).toMatchObject({ failures: 1, created: 0 });
    const failing = failed.body.health.find((h: any) => h.state === 'failing');
    expect(failing.error).toMatch(/401 Unauthorized/);
    expect(JSON.stringify(failed.body)).not.toContain('sekret-token-123');
    expect(await count(knex)).toBe(stored);

    fake.respond = () => new Promise(() => {});
    const slow = await refresh(app).expect(200);
    expect(
      slow.body.health.find((h: any) => h.state === 'failing').error,
    ).toMatch(/did not finish within 300 ms/);
    expect(await count(knex)).toBe(stored);
  });

  it('objects of a cluster and kind the collector reported failing are not stored (a partial list is not the cluster state)', async () => {
    const knex = await databases.init(id);
    const fake = new FakeCollector();
    fake.respond = ({ places }) => ({
      objects: places.map(p =>
        reportObject(p, 'r', {
          uid: `u-${p.environment}`,
          resourceVersion: '1',
        }),
      ),
      health: [
        ok(places, {
          ok: false,
          error: 'the cluster answered 403 Forbidden for policyreports',
        }),
      ],
    });
    const { app } = await start(knex, fake);
    const res = await refresh(app).expect(200);
    expect(res.body.run).toMatchObject({ created: 0, dropped: 2 });
    expect(res.body.health[0]).toMatchObject({
      state: 'failing',
      error: 'the cluster answered 403 Forbidden for policyreports',
    });
    expect(await count(knex)).toBe(0);
  });

  it('one refresh per entity at a time: a second while one runs is refused with 409', async () => {
    const knex = await databases.init(id);
    const fake = new FakeCollector();
    let release!: () => void;
    const gate = new Promise<void>(r => (release = r));
    const respond = fake.respond;
    fake.respond = async req => {
      await gate;
      return respond(req);
    };
    const { app } = await start(knex, fake);
    const first = refresh(app).then(r => r);
    // Wait until the first run reached the collector.
    for (let i = 0; i < 1000 && fake.runs === 0; i++)
      await new Promise(r => setTimeout(r, 10));
    const second = await refresh(app);
    expect(second.status).toBe(409);
    release();
    expect((await first).status).toBe(200);
    expect(fake.runs).toBe(1);
  });
});
