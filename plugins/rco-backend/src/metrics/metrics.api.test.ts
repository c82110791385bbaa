import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  asService,
  asUser,
  DIGEST,
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';
import { eventually } from '../__testUtils__/eventually';
import { scan } from './__testUtils__/decisions';

/**
 * GET …/metrics, GET /metrics, POST …/replay and POST /replay (issue 17) on SQLite and
 * PostgreSQL. Two releases of rco are asked for in staging: 1.5.0 with a HIGH finding, 1.6.0
 * with a LOW one; both deploys are judged (and blocked). The replay of the unchanged policy must
 * reproduce both decisions; a change flips exactly the one it should; nothing is written.
 */

const databases = createTestDatabases();
jest.setTimeout(90_000);

const DIGEST2 = `sha256:${'d'.repeat(64)}`;

async function start(knex: any, rco?: Record<string, unknown>) {
  const started = await startOperationsBackend(knex, {
    rco,
    visible: (_entity, credentials) =>
      credentials?.principal?.userEntityRef !== 'user:default/bob',
  });
  return started;
}

async function history(app: any) {
  for (const [digest, version, severity] of [
    [DIGEST, '1.5.0', 'HIGH'],
    [DIGEST2, '1.6.0', 'LOW'],
  ]) {
    await request(app)
      .post(`${RCO}/evidence?digest=${digest}&version=${version}`)
      .set('Authorization', asService('external:ci-rco'))
      .set('Content-Type', 'application/json')
      .send(scan(digest, severity))
      .expect(201);
    const created = await request(app)
      .post(`${RCO}/operations`)
      .set('Authorization', asUser('alice'))
      .send({
        type: 'deploy',
        environment: 'staging',
        release: { version, digest },
      });
    // Blocked at preflight: 409 naming the gates, the operation kept as blocked.
    expect(created.status).toBe(409);
  }
}

const replay = (app: any, body: object, who = 'alice', path = RCO) =>
  request(app)
    .post(`${path}/replay`)
    .set('Authorization', asUser(who))
    .send(body);

const counts = async (knex: any) =>
  Promise.all(
    ['rco_ledger', 'rco_waivers', 'rco_judgements', 'rco_verdicts'].map(
      async table => Number((await knex(table).count({ n: '*' }))[0].n),
    ),
  );

describe.each(databases.eachSupportedId())(
  'metrics and replay on %s',
  databaseId => {
    it('records each deploy decision and computes the entity’s and the portfolio’s figures from them', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await start(knex);
      await history(app);
      const res = await request(app)
        .get(`${RCO}/metrics?environment=staging`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      const scanning = res.body.effectiveness.gates.find(
        (g: any) => g.gate === 'image-scanning',
      );
      expect(scanning).toMatchObject({ judged: 2 });
      expect(scanning.blocked).toBeGreaterThanOrEqual(1);
      expect(res.body.delivery.metrics[0]).toMatchObject({
        id: 'deployment-frequency',
        sample: 0,
      });
      expect(res.body.scope).toMatchObject({
        entityRef: 'component:default/rco',
        environment: 'staging',
        services: 1,
        failureWindow: 'P1D',
      });
      expect(res.body.demo).toBe(false);
      // The portfolio: alice sees rco; bob sees nothing, so no figure of rco reaches him.
      const mine = await request(app)
        .get('/api/rco/metrics?environment=staging')
        .set('Authorization', asUser('alice'))
        .expect(200);
      expect(mine.body.effectiveness.gates[0].judged).toBe(2);
      const his = await request(app)
        .get('/api/rco/metrics?environment=staging')
        .set('Authorization', asUser('bob'))
        .expect(200);
      expect(his.body.scope.services).toBe(0);
      expect(his.body.effectiveness.gates[0].judged).toBe(0);
      await request(app)
        .get(`${RCO}/metrics`)
        .set('Authorization', asUser('bob'))
        .expect(404);
      // A CI token reaches only its own entities (rco.ci.subjects), here rco; another's none.
      const ci = await request(app)
        .get('/api/rco/metrics?environment=staging')
        .set('Authorization', asService('external:ci-rco'))
        .expect(200);
      expect(ci.body.scope.services).toBe(1);
      // A token with no rco.ci.subjects entry reads nothing: refused (review R2).
      await request(app)
        .get('/api/rco/metrics?environment=staging')
        .set('Authorization', asService('external:ci-other'))
        .expect(403);
      for (const bad of ['environment=moon', 'tz=Mars/Base', 'from=soon']) {
        const r = await request(app)
          .get(`${RCO}/metrics?${bad}`)
          .set('Authorization', asUser('alice'));
        expect(r.status).toBe(400);
      }
      await backend.stop();
    });

    it('replays the unchanged policy exactly, flips only what a change flips, and writes nothing', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await start(knex);
      await history(app);
      // The stored verdicts are written after the writes answered (and by the backfill 3 s after
      // start): counted only once every environment's holds 1.6.0, so a count that moves during
      // the replay is the replay's write, not a recomputation still under way (stop 28's CI).
      await eventually(
        () => knex('rco_verdicts').select('environment', 'release_version'),
        (rows: any[]) =>
          expect(
            rows
              .filter(r => r.release_version === '1.6.0')
              .map(r => r.environment)
              .sort(),
          ).toEqual(['', 'production', 'staging']),
      );
      const before = await counts(knex);

      const same = await replay(app, {
        change: { gate: 'image-scanning' },
      }).expect(200);
      expect(same.body.baseline).toEqual({
        replayed: 2,
        matched: 2,
        mismatched: [],
        unreplayable: 0,
      });
      expect(same.body.past).toEqual([]);

      // Every severity blocks: 1.6.0's LOW finding now fails it; 1.5.0 failed already.
      const wider = await replay(
        app,
        {
          change: {
            gate: 'image-scanning',
            blockingSeverities: [
              'CRITICAL',
              'HIGH',
              'MEDIUM',
              'LOW',
              'UNKNOWN',
            ],
          },
        },
        'alice',
        '/api/rco',
      ).expect(200);
      expect(
        wider.body.past.map((p: any) => [p.release.version, p.after]),
      ).toEqual([['1.6.0', 'fail']]);
      // Only CRITICAL blocks: 1.5.0's HIGH finding no longer fails it.
      const narrower = await replay(app, {
        change: { gate: 'image-scanning', blockingSeverities: ['CRITICAL'] },
      }).expect(200);
      expect(
        narrower.body.past.map((p: any) => [p.release.version, p.before]),
      ).toEqual([['1.5.0', 'fail']]);
      expect(narrower.body.past[0].after).not.toBe('fail');
      // Both stay blocked: the other gates still hold them.
      expect(narrower.body.past[0].decisionAfter).toBe('blocked');
      // A waiver of 1.5.0 in staging would have waived that one only.
      const waived = await replay(app, {
        change: {
          gate: 'image-scanning',
          waiver: { environment: 'staging', releaseVersion: '1.5.0' },
        },
      }).expect(200);
      expect(
        waived.body.past.map((p: any) => [p.release.version, p.after]),
      ).toEqual([['1.5.0', 'waived']]);
      expect(await counts(knex)).toEqual(before);
      await backend.stop();
    });

    it('judges the releases in flight now as a backend configured with the change would', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await start(knex);
      await history(app);
      // The stored verdicts of rco's newest release (1.6.0), without an environment (it keeps
      // the inputs) and in staging, exist once judged. The verdict is stored after the writes
      // answered: until then the rows may still be 1.5.0's, which the change does not flip.
      await eventually(
        () =>
          knex('rco_verdicts')
            .where({ release_version: '1.6.0' })
            .select('environment', 'inputs'),
        (rows: any[]) => {
          expect(rows.map(r => r.environment)).toEqual(
            expect.arrayContaining(['', 'staging']),
          );
          expect(rows.find(r => r.environment === '')?.inputs).toBeTruthy();
        },
      );
      const change = {
        gate: 'image-scanning',
        blockingSeverities: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'],
      };
      const res = await replay(app, { change }).expect(200);
      expect(res.body.inFlightJudged).toBeGreaterThan(0);
      await backend.stop();
      // The oracle: a backend whose configuration says the same, judging now.
      const changed = await start(knex, {
        gates: {
          'image-scanning': { blockingSeverities: change.blockingSeverities },
        },
      });
      for (const environment of ['', 'staging']) {
        const status = await request(changed.app)
          .get(
            `${RCO}/status?version=1.6.0&digest=${encodeURIComponent(DIGEST2)}${
              environment ? `&environment=${environment}` : ''
            }`,
          )
          .set('Authorization', asUser('alice'))
          .expect(200);
        const now = status.body.gates.find(
          (g: any) => g.id === 'image-scanning',
        ).status;
        const flipped = res.body.inFlight.find(
          (v: any) => v.environment === environment,
        );
        // Listed (the LOW finding now fails it), with the status the configured backend gives.
        expect(flipped?.after).toBe(now);
      }
      expect(
        res.body.inFlight.find((v: any) => v.environment === 'staging'),
      ).toMatchObject({
        after: 'fail',
      });
      await changed.backend.stop();
    });

    it('refuses what it cannot replay, and answers only about what the caller can see', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await start(knex);
      await history(app);
      for (const [body, message] of [
        [{}, /change/],
        [{ change: { gate: 'nope' } }, /change.gate must be one of/],
        [{ change: { gate: 'image-scanning', maxAge: 'soon' } }, /maxAge/],
        [
          { change: { gate: 'secret-hygiene', blockingSeverities: ['HIGH'] } },
          /image-scanning only/,
        ],
        [
          {
            change: { gate: 'image-scanning', blockingSeverities: ['SEVERE'] },
          },
          /severities/,
        ],
        [{ change: { gate: 'dpo-signoff', waiver: {} } }, /people signing/],
        [
          { change: { gate: 'image-scanning', waiver: { duration: 'P400D' } } },
          /duration/,
        ],
      ] as const) {
        const r = await replay(app, body);
        expect(r.status).toBe(400);
        expect(r.body.error.message).toMatch(message);
      }
      // A waiver is replayed for one entity, never across the catalog.
      const wide = await replay(
        app,
        { change: { gate: 'image-scanning', waiver: {} } },
        'alice',
        '/api/rco',
      );
      expect(wide.status).toBe(400);
      // Bob cannot see rco: its replay is a 404, and the catalog's replays nothing of it.
      expect(
        (await replay(app, { change: { gate: 'image-scanning' } }, 'bob'))
          .status,
      ).toBe(404);
      const his = await replay(
        app,
        { change: { gate: 'image-scanning', maxAge: 'PT1S' } },
        'bob',
        '/api/rco',
      ).expect(200);
      expect(his.body.baseline.replayed).toBe(0);
      expect(his.body.inFlight).toEqual([]);
      await backend.stop();
    });
  },
);
