import knexFactory, { Knex } from 'knex';
import path from 'node:path';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { examplesDir, governedEntity } from '../__testUtils__/fixtures';
import {
  asUser,
  RCO,
  RELEASE,
  startOperationsBackend,
  waitFor,
  waiveAllGates,
} from '../__testUtils__/operationsBackend';
import { resetSimulatedCluster } from '../drivers/simulated/SimulatedDriver';
import {
  Burst,
  GITLEAKS,
  Outcome,
  Phase,
  serviceBase,
  Target,
  waitUntil,
} from './__testUtils__/burst';
import {
  assertCleanAnswers,
  assertNothingLost,
  assertOperationsSettle,
} from './__testUtils__/checks';
import { FaultyPostgres, StopMode } from './__testUtils__/faultyPostgres';

// Issue 14 point 5: faults survived, nothing lost. PostgreSQL restarted under a burst of writes,
// then one of two backend instances stopped under one.
jest.setTimeout(120_000);

// Quiet: a database going away is what the drivers' loggers would otherwise shout about.
const quiet = { warn() {}, error() {}, debug() {}, deprecate() {} };

let server: FaultyPostgres | undefined;
let admin: Knex | undefined;
const bursts: Burst[] = [];
const instances: Array<{ knex: Knex; backend: { stop(): Promise<void> } }> = [];

beforeAll(async () => {
  const t0 = Date.now();
  const started = await FaultyPostgres.start();
  // eslint-disable-next-line no-console
  console.log(`PostgreSQL of the fault tests ready in ${Date.now() - t0} ms`);
  if (started instanceof FaultyPostgres) {
    server = started;
    admin = knexFactory({
      client: 'pg',
      connection: server.connection(),
      log: quiet,
    });
  } else {
    // The only reason to skip: this machine cannot run the embedded PostgreSQL at all.
    // eslint-disable-next-line no-console
    console.warn(`Fault-injection tests skipped: ${started.reason}`);
  }
}, 90_000);

afterEach(async () => {
  for (const b of bursts.splice(0)) await b.stop();
  for (const i of instances.splice(0)) {
    await i.backend.stop().catch(() => {});
    await i.knex.destroy();
  }
});

afterAll(async () => {
  await admin?.destroy();
  await server?.destroy();
});

beforeEach(() => resetSimulatedCluster());

/** A database of its own on the test's server, for one scenario. */
async function database(name: string) {
  await admin!.raw(`DROP DATABASE IF EXISTS ??`, [name]);
  await admin!.raw(`CREATE DATABASE ??`, [name]);
  return name;
}

/** One backend instance with a connection pool of its own, as a separate process would have. */
async function startInstance(name: string, db: string, services: string[]) {
  const knex = knexFactory({
    client: 'pg',
    connection: server!.connection(db),
    pool: { min: 0, max: 10 },
    acquireConnectionTimeout: 10_000,
    log: quiet,
  });
  const { app, backend } = await startOperationsBackend(knex, {
    extraEntities: services.map(s =>
      governedEntity(
        s,
        `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`,
        {
          'rco.helix.dev/runbook': './runbook/rco-runbook.yaml',
        },
      ),
    ),
    logLevel: 'none',
  });
  instances.push({ knex, backend });
  const target: Target = {
    name,
    url: `http://127.0.0.1:${(app.address() as AddressInfo).port}`,
  };
  return { knex, app, backend, target };
}

const services = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

/** The services every scenario deploys: one canary started before the burst, three in it. */
function plan() {
  const deploys: Record<Phase, string[]> = {
    before: services('early', 1),
    fault: services('during', 1),
    after: services('late', 1),
  };
  return {
    deploys,
    all: ['running-1', ...Object.values(deploys).flat()],
  };
}

/**
 * What every scenario starts from: the gates of every service lifted (so deploys pass
 * preflight), the release of `rco` requested, and the canary of `running-1` started before the
 * fault and paused for promotion.
 */
async function prepare(app: any, all: string[]) {
  await Promise.all(all.map(s => waiveAllGates(app, serviceBase(s))));
  await request(app)
    .post(`${RCO}/releases`)
    .set('Authorization', asUser('alice'))
    .send(RELEASE)
    .expect(201);
  const running: string[] = [];
  for (const s of all.filter(x => x.startsWith('running-'))) {
    const op = await request(app)
      .post(`${serviceBase(s)}/operations`)
      .set('Authorization', asUser('alice'))
      .send({ type: 'deploy', environment: 'staging', release: RELEASE })
      .expect(202);
    await request(app)
      .post(`/api/rco/operations/${op.body.id}/confirm`)
      .set('Authorization', asUser('alice'))
      .send({ confirmation: s })
      .expect(200);
    await waitFor(app, op.body.id, o => o.progress?.phase === 'paused');
    running.push(op.body.id);
  }
  return running;
}

const ok = (o: Outcome) => o.status >= 200 && o.status < 300;

/** Counts of each state, for the log line. */
const tally = (rows: Array<{ state: string }>) =>
  JSON.stringify(
    rows.reduce<Record<string, number>>(
      (n, o) => ({ ...n, [o.state]: (n[o.state] ?? 0) + 1 }),
      {},
    ),
  );

/** Elapsed time per step, printed with the figures (a slow machine shows where it went). */
function stopwatch() {
  const t0 = Date.now();
  const marks: string[] = [];
  return {
    mark: (what: string) => marks.push(`${what} ${Date.now() - t0} ms`),
    toString: () => marks.join(', '),
  };
}

describe('faults survived, nothing lost', () => {
  it('PostgreSQL stopped (fast, then immediate) and started again under a burst: 2xx or 503, nothing half written, the backend recovers', async () => {
    if (!server) return;
    const time = stopwatch();
    const { deploys, all } = plan();
    const { knex, app, target } = await startInstance(
      'one',
      await database('fault_restart'),
      all,
    );
    time.mark('started');
    const running = await prepare(app, all);
    time.mark('prepared');

    const burst = new Burst(() => [target], deploys);
    bursts.push(burst);
    burst.start({ uploads: 4, signoffs: 2 });
    const after = (since: number, kind: Outcome['kind']) =>
      burst.count(o => o.kind === kind && o.startedAt > since && ok(o));
    await waitUntil('20 answers', () => burst.outcomes.length >= 20, 30_000);
    // The canary started before the fault moves on now: its runner is writing progress when
    // the database goes away.
    for (const id of running) {
      await request(app)
        .post(`/api/rco/operations/${id}/promote`)
        .set('Authorization', asUser('alice'))
        .expect(200);
    }
    for (const mode of ['fast', 'immediate'] as StopMode[]) {
      const refusedBefore = burst.count(o => o.status === 503);
      const stoppedAt = Date.now();
      await server.stop(mode);
      if (burst.phase === 'before') burst.phase = 'fault';
      // Down long enough for requests of every kind to meet it.
      await burst.waitFor(
        `requests refused while the database is down (${mode})`,
        () => burst.count(o => o.status === 503) >= refusedBefore + 10,
        15_000,
        stoppedAt,
      );
      await server.start();
      time.mark(`${mode} restart`);
      const restarted = Date.now();
      // Recovered without restarting the backend: the pool connects again.
      await burst.waitFor(
        `uploads and sign-offs to succeed again after the ${mode} stop`,
        () =>
          after(restarted, 'upload') >= 10 && after(restarted, 'signoff') >= 3,
        30_000,
        restarted,
      );
      time.mark(`${mode} recovered`);
    }
    const recovered = Date.now();
    burst.phase = 'after';
    await burst.waitFor(
      'the deploys after the faults',
      () => after(recovered, 'deploy') + after(recovered, 'confirm') >= 2,
      30_000,
      recovered,
    );
    await burst.stop();
    time.mark('burst over');

    assertCleanAnswers(burst.outcomes, {
      secrets: [
        server.password,
        ...JSON.parse(GITLEAKS).map((f: { Secret: string }) => f.Secret),
      ],
    });
    const stored = await assertNothingLost(knex, burst.outcomes);
    const ops = await assertOperationsSettle(knex, target, 30_000);
    time.mark('settled');
    // The canary that was moving when the database went away carried on to the end.
    expect(ops.filter(o => running.includes(o.id)).map(o => o.state)).toEqual([
      'succeeded',
    ]);
    // eslint-disable-next-line no-console
    console.log(
      `PostgreSQL restarted twice: ${
        burst.outcomes.length
      } requests, ${burst.count(o => o.status === 503)} answered 503, ${
        stored.uploads
      } uploads and ${stored.signoffs} sign-offs stored; operations ${tally(
        ops,
      )}; ${time}`,
    );
  });

  it("one of two backend instances stopped under a burst: the survivor answers every request, the stopped one's operations are adopted", async () => {
    if (!server) return;
    const time = stopwatch();
    const { deploys, all } = plan();
    const db = await database('fault_instances');
    const a = await startInstance('a', db, all);
    const b = await startInstance('b', db, all);
    time.mark('started');
    // The canary paused before the fault is A's: A's runner holds its lease.
    const running = await prepare(a.app, all);
    const leases = await a.knex('rco_operations').whereIn('id', running);
    const ownerA = leases[0].lease_owner;
    expect(ownerA).toBeTruthy();
    time.mark('prepared');

    // Both take requests until A stops; then only B does, as behind a load balancer that took A
    // out (requests in flight to A when it stopped still count).
    let aStopped = false;
    const burst = new Burst(
      () => (aStopped ? [b.target] : [a.target, b.target]),
      deploys,
    );
    bursts.push(burst);
    burst.start({ uploads: 4, signoffs: 2 });
    await waitUntil('20 answers', () => burst.outcomes.length >= 20, 30_000);
    const stopped = Date.now();
    const stopping = a.backend.stop();
    aStopped = true;
    await stopping;
    burst.phase = 'fault';
    time.mark('a stopped');
    const fromB = (kind: Outcome['kind']) =>
      burst.count(
        o =>
          o.instance === 'b' &&
          o.kind === kind &&
          o.startedAt > stopped &&
          ok(o),
      );
    await burst.waitFor(
      'the survivor to go on',
      () => fromB('upload') >= 10 && fromB('signoff') >= 3,
      30_000,
      stopped,
    );
    // B adopts A's canary once its lease runs out (1 s here).
    await waitUntil(
      "the survivor to adopt the stopped instance's operations",
      async () =>
        (
          await b.knex('rco_operations').whereIn('id', running)
        ).every(r => r.lease_owner && r.lease_owner !== ownerA),
      15_000,
    );
    time.mark('adopted');
    burst.phase = 'after';
    await burst.waitFor(
      'the deploys after the stop',
      () => fromB('deploy') + fromB('confirm') >= 1,
      30_000,
      stopped,
    );
    await burst.stop();
    time.mark('burst over');

    // The survivor answered every request; the stopped instance only failed to answer.
    expect(
      burst.outcomes
        .filter(o => o.instance === 'b' && !ok(o))
        .map(o => `${o.kind} ${o.status} ${o.text}`),
    ).toEqual([]);
    assertCleanAnswers(burst.outcomes, {
      secrets: JSON.parse(GITLEAKS).map((f: { Secret: string }) => f.Secret),
      allowTransport: o => o.instance === 'a' && o.endedAt >= stopped,
    });
    const stored = await assertNothingLost(b.knex, burst.outcomes);
    const ops = await assertOperationsSettle(b.knex, b.target, 30_000);
    time.mark('settled');
    expect(ops.filter(o => running.includes(o.id)).map(o => o.state)).toEqual([
      'succeeded',
    ]);
    // eslint-disable-next-line no-console
    console.log(
      `One of two instances stopped: ${
        burst.outcomes.length
      } requests (${burst.count(
        o => o.instance === 'a',
      )} to the stopped one, ${burst.count(
        o => o.instance === 'a' && o.endedAt >= stopped,
      )} of them ending while it stopped), ${stored.uploads} uploads and ${
        stored.signoffs
      } sign-offs stored; operations ${tally(ops)}; ${time}`,
    );
  });
});
