import request from 'supertest';
import { createTestDatabases } from '../../__testUtils__/databases';
import {
  asUser,
  RCO,
  RELEASE,
  startOperationsBackend,
  waitFor,
  waiveAllGates,
} from '../../__testUtils__/operationsBackend';
import { resetSimulatedCluster } from '../../drivers/simulated/SimulatedDriver';

/**
 * The road through the API (issue 15): the real plugin on SQLite and PostgreSQL, deploys on the
 * simulated cluster. Time is moved with the test's clock (only Date is faked, and it keeps
 * running), never by sleeping.
 */
const databases = createTestDatabases();
jest.setTimeout(90_000);

const HOUR = 3_600_000;
/** Only Date: the database clients, the runner and supertest keep their real timers. */
function fakeDate() {
  jest.useFakeTimers({
    advanceTimers: true,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
  return { advance: (ms: number) => jest.setSystemTime(Date.now() + ms) };
}

/** Local wall time in UTC without the Z, as rco.freezes takes it. */
const local = (ms: number) =>
  new Date(Date.now() + ms).toISOString().slice(0, 19);

const ROAD = {
  environments: [
    {
      name: 'staging',
      driver: 'simulated',
      imageRepository: 'registry.example/rco',
      soak: 'PT2H',
    },
    { name: 'production', driver: 'simulated' },
  ],
  promotion: { order: ['staging', 'production'] },
};

const alice = asUser('alice');
const deploy = (app: any, environment: string, body: object = {}) =>
  request(app)
    .post(`${RCO}/operations`)
    .set('Authorization', alice)
    .send({ type: 'deploy', environment, release: RELEASE, ...body });
const post = (app: any, path: string, body: object = {}) =>
  request(app)
    .post(`/api/rco/operations/${path}`)
    .set('Authorization', alice)
    .send(body);
const steer = (app: any, environment: string) =>
  request(app)
    .post('/api/rco/simulated/steer')
    .set('Authorization', alice)
    .send({
      entityRef: 'component:default/rco',
      environment,
      nextAnalysis: 'fail',
    })
    .expect(204);

/** Deploys the release through confirmation and the canary's promotion; its final state. */
async function deployThrough(app: any, environment: string) {
  const created = await deploy(app, environment);
  expect(created.status).toBe(202);
  const id = created.body.id;
  await post(app, `${id}/confirm`, { confirmation: 'rco' }).expect(200);
  // Generous: two cores are shared with other suites.
  await waitFor(app, id, o => o.progress?.phase === 'paused', 45_000);
  await post(app, `${id}/promote`).expect(200);
  return waitFor(app, id, o => o.state !== 'running', 45_000);
}

/** A rollback dry-run, then the rollback itself, in `environment`. */
async function rollBack(app: any, environment: string) {
  const dryRun = await request(app)
    .post(`${RCO}/operations`)
    .set('Authorization', alice)
    .send({ type: 'rollback-dry-run', environment });
  await waitFor(app, dryRun.body.id, o => o.state === 'succeeded');
  const rollback = await request(app)
    .post(`${RCO}/operations`)
    .set('Authorization', alice)
    .send({ type: 'rollback', environment });
  expect(rollback.status).toBe(202);
  await post(app, `${rollback.body.id}/confirm`, {
    confirmation: 'rco',
  }).expect(200);
  return waitFor(app, rollback.body.id, o => o.state !== 'running');
}

const road = (app: any, who = alice) =>
  request(app).get(`${RCO}/road`).set('Authorization', who);

afterEach(() => jest.useRealTimers());

describe.each(databases.eachSupportedId())('the road on %s', databaseId => {
  beforeEach(() => resetSimulatedCluster());

  it('refuses production before staging’s soak ends, and allows it after', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex, { rco: ROAD });
    const clock = fakeDate();
    await waiveAllGates(app);
    // Not yet in staging at all.
    const early = await deploy(app, 'production');
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(
      /1\.5\.0 has not succeeded in staging: deploy it to staging first/,
    );
    expect((await deployThrough(app, 'staging')).state).toBe('succeeded');

    const soaking = await deploy(app, 'production');
    expect(soaking.status).toBe(409);
    expect(soaking.body.error.message).toMatch(
      /1\.5\.0 has soaked in staging for .* of PT2H: it may go on at /,
    );
    const before = (await road(app).expect(200)).body;
    // No evidence names a newest release here: the newest deployed one is shown.
    expect(before.release).toEqual(RELEASE);
    expect(before.stages.map((s: any) => [s.environment, s.state])).toEqual([
      ['staging', 'soaking'],
      ['production', 'empty'],
    ]);
    const blocker = before.stages[1].blockers[0];
    expect(blocker).toMatchObject({ kind: 'soak' });
    expect(Date.parse(blocker.until)).toBeGreaterThan(Date.now() + HOUR);

    clock.advance(2 * HOUR + 60_000);
    const after = (await road(app).expect(200)).body;
    expect(after.stages[0]).toMatchObject({
      state: 'soaked',
      analysis: 'green',
    });
    expect(after.stages[1].blockers).toEqual([]);
    expect((await deployThrough(app, 'production')).state).toBe('succeeded');
    await backend.stop();
  });

  it('refuses production when the release failed its canary analysis in staging since, or staging was rolled back', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex, { rco: ROAD });
    const clock = fakeDate();
    await waiveAllGates(app);
    await deployThrough(app, 'staging');
    clock.advance(3 * HOUR);
    // Deployed again and its analysis failed: rolled back automatically.
    await steer(app, 'staging');
    expect((await deployThrough(app, 'staging')).state).toBe('rolled-back');
    const failed = await deploy(app, 'production');
    expect(failed.status).toBe(409);
    expect(failed.body.error.message).toMatch(
      /1\.5\.0 failed its canary analysis in staging since it went there/,
    );
    const view = (await road(app).expect(200)).body;
    expect(view.stages[0]).toMatchObject({
      state: 'rolled-back',
      analysis: 'failed',
    });
    expect(view.marked[0]).toMatchObject({
      version: '1.5.0',
      environment: 'staging',
      reason: 'analysis-failed',
    });

    // Marked in staging now: deployed there again only under break-glass, soaked, then
    // staging is rolled back by hand.
    await request(app)
      .post(`${RCO}/overrides`)
      .set('Authorization', asUser('mei'))
      .send({
        environment: 'staging',
        release: RELEASE,
        justification: 'Redeploying the release after a flaky analysis run',
        expiresAt: new Date(Date.now() + HOUR).toISOString(),
      })
      .expect(201);
    expect((await deployThrough(app, 'staging')).state).toBe('succeeded');
    clock.advance(3 * HOUR);
    expect((await rollBack(app, 'staging')).state).toBe('succeeded');
    const rolled = await deploy(app, 'production');
    expect(rolled.status).toBe(409);
    expect(rolled.body.error.message).toMatch(
      /staging was rolled back since 1\.5\.0 went there/,
    );
    await backend.stop();
  });

  it('refuses a release marked in production: it failed there, so nobody deploys it there again by accident', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex, { rco: ROAD });
    const clock = fakeDate();
    await waiveAllGates(app);
    await deployThrough(app, 'staging');
    clock.advance(3 * HOUR);
    await steer(app, 'production');
    expect((await deployThrough(app, 'production')).state).toBe('rolled-back');
    const again = await deploy(app, 'production');
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(
      /1\.5\.0 failed its canary analysis in production \(operation .*\): it is marked and not promoted again without break-glass/,
    );
    const view = (await road(app).expect(200)).body;
    expect(view.marked).toEqual([
      expect.objectContaining({
        version: '1.5.0',
        digest: RELEASE.digest,
        environment: 'production',
        reason: 'analysis-failed',
      }),
    ]);
    // Staging, upstream of the failure, still takes it.
    expect(view.stages[0].blockers).toEqual([]);
    await backend.stop();
  });

  it('refuses a deploy during a freeze, naming it and when deploying resumes; break-glass lifts it', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex, {
      rco: {
        environments: ROAD.environments,
        freezes: [
          {
            name: 'release-freeze',
            start: local(-HOUR),
            end: local(2 * HOUR),
            timeZone: 'UTC',
            environments: ['production'],
          },
        ],
      },
    });
    await waiveAllGates(app);
    const freezes = await request(app)
      .get(`${RCO}/freezes?environment=production`)
      .set('Authorization', alice)
      .expect(200);
    expect(freezes.body.items).toEqual([
      expect.objectContaining({
        name: 'release-freeze',
        active: true,
        timeZone: 'UTC',
      }),
    ]);
    const until = freezes.body.items[0].until;
    expect(
      (
        await request(app)
          .get(`${RCO}/freezes?environment=staging`)
          .set('Authorization', alice)
          .expect(200)
      ).body.items,
    ).toEqual([]);
    expect(
      (
        await request(app)
          .get(`${RCO}/freezes?environment=nowhere`)
          .set('Authorization', alice)
      ).status,
    ).toBe(400);

    const frozen = await request(app)
      .post(`${RCO}/operations`)
      .set('Authorization', alice)
      .send({ type: 'deploy', environment: 'production', release: RELEASE });
    expect(frozen.status).toBe(409);
    expect(frozen.body.error.message).toContain(
      `Freeze release-freeze holds deploys to production: deploying to production resumes at ${until}`,
    );
    // Not held: a rollback dry-run, and staging.
    const dry = await request(app)
      .post(`${RCO}/operations`)
      .set('Authorization', alice)
      .send({ type: 'rollback-dry-run', environment: 'production' });
    expect(dry.status).toBe(202);
    await waitFor(app, dry.body.id, o => o.state === 'succeeded');

    const override = await request(app)
      .post(`${RCO}/overrides`)
      .set('Authorization', asUser('mei'))
      .send({
        environment: 'production',
        release: RELEASE,
        justification: 'Security fix that cannot wait for the freeze to end',
        expiresAt: new Date(Date.now() + HOUR).toISOString(),
      })
      .expect(201);
    const allowed = await request(app)
      .post(`${RCO}/operations`)
      .set('Authorization', alice)
      .send({ type: 'deploy', environment: 'production', release: RELEASE });
    expect(allowed.status).toBe(202);
    expect(allowed.body.overrideId).toBe(override.body.id);
    expect(allowed.body.reasons.join('\n')).toMatch(
      new RegExp(
        `Road blockers lifted by break-glass override ${override.body.id} of user:default/mei: Freeze release-freeze holds deploys to production`,
      ),
    );
    // Judged again at confirmation and at the canary's promotion: still lifted, so it runs.
    const id = allowed.body.id;
    await post(app, `${id}/confirm`, { confirmation: 'rco' }).expect(200);
    await waitFor(app, id, o => o.progress?.phase === 'paused', 45_000);
    await post(app, `${id}/promote`).expect(200);
    expect(
      (await waitFor(app, id, o => o.state !== 'running', 45_000)).state,
    ).toBe('succeeded');
    await backend.stop();
  });

  it('holds a production deploy outside an accepted window, says when it opens, and lets it through inside', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex, {
      rco: {
        environments: [
          ROAD.environments[0],
          {
            name: 'production',
            driver: 'simulated',
            window: { required: true, acceptedBy: ['po', 'security'] },
          },
        ],
      },
    });
    const clock = fakeDate();
    await waiveAllGates(app);
    const none = await deploy(app, 'production');
    expect(none.status).toBe(409);
    expect(none.body.error.message).toMatch(
      /Deploys to production run only inside an accepted window, and 1\.5\.0 has none/,
    );
    // Staging needs none: behaviour there is unchanged.
    expect((await deployThrough(app, 'staging')).state).toBe('succeeded');

    const start = new Date(Date.now() + HOUR).toISOString();
    const proposed = await request(app)
      .post(`${RCO}/windows`)
      .set('Authorization', alice)
      .send({
        environment: 'production',
        version: RELEASE.version,
        digest: RELEASE.digest,
        start,
        end: new Date(Date.now() + 3 * HOUR).toISOString(),
        timeZone: 'Europe/Berlin',
      })
      .expect(201);
    // Not accepted yet: still none.
    expect((await deploy(app, 'production')).body.error.message).toMatch(
      /has none/,
    );
    for (const who of ['paula', 'sam'])
      await request(app)
        .post(`/api/rco/windows/${proposed.body.id}/accept`)
        .set('Authorization', asUser(who))
        .send({})
        .expect(200);
    const early = await deploy(app, 'production');
    expect(early.status).toBe(409);
    expect(early.body.error.message).toContain(
      `Deploys to production run only inside an accepted window: the next one for 1.5.0 opens at ${start}`,
    );
    const view = (await road(app).expect(200)).body;
    expect(view.stages[1].window).toMatchObject({
      id: proposed.body.id,
      state: 'accepted',
    });
    expect(view.stages[1].blockers).toEqual([
      expect.objectContaining({ kind: 'window', until: start }),
    ]);

    clock.advance(HOUR + 60_000);
    expect((await deployThrough(app, 'production')).state).toBe('succeeded');
    await backend.stop();
  });

  it('answers 404 for the road and freezes of an entity the caller cannot see', async () => {
    const knex = await databases.init(databaseId);
    const { app, backend } = await startOperationsBackend(knex, {
      rco: ROAD,
      visible: (_e, credentials) =>
        credentials?.principal?.userEntityRef !== 'user:default/bob',
    });
    expect((await road(app, asUser('bob'))).status).toBe(404);
    expect(
      (
        await request(app)
          .get(`${RCO}/freezes`)
          .set('Authorization', asUser('bob'))
      ).status,
    ).toBe(404);
    const seen = await road(app).expect(200);
    expect(seen.body.stages.map((s: any) => s.environment)).toEqual([
      'staging',
      'production',
    ]);
    await backend.stop();
  });
});
