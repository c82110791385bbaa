/* eslint-disable no-console */
// Benchmark of the deploy control plane: 50 concurrent deploys of 50 different services with the
// simulated driver, through HTTP, on SQLite and (under scripts/with-postgres.mjs) PostgreSQL.
// Checks that every deploy completed exactly once and prints, per operation:
// - the control plane's own time: what the backend spent working on that operation (its create,
//   confirm and promote requests, preflight, the runner, events), measured by attributing the
//   process's time to operations through their asynchronous context (src/__testUtils__/attribution.ts),
//   plus on PostgreSQL the database server's CPU per operation; not the driver's waits;
// - what the requester sees: the requests' latency and the runner's wall time outside the
//   driver, which on one event loop includes waiting behind the other operations' work.
// It asserts nothing else.
import knexFactory, { Knex } from 'knex';
import path from 'node:path';
import request from 'supertest';
import {
  asUser,
  RELEASE,
  startOperationsBackend,
  waiveAllGates,
} from '../src/__testUtils__/operationsBackend';
import { governedEntity } from '../src/__testUtils__/fixtures';
import { resetSimulatedCluster } from '../src/drivers/simulated/SimulatedDriver';
import {
  attributeBackendTime,
  OPERATION_HEADER,
  postgresCpuMs,
} from '../src/__testUtils__/attribution';

const SERVICES = Number(process.env.SERVICES ?? 50);
const DATABASE = 'rco_bench_deploy';
const WARM_UP = 2;
const ALONE = 10;
const examples = path.resolve(__dirname, '../../../examples');
const ALICE = asUser('alice');
const name = (i: number) => `svc-${String(i).padStart(2, '0')}`;
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
};

/**
 * Waits like the Release tab does: for the signal about the operation (the page then reads the
 * operation once), not by polling.
 */
const waiting = new Map<
  string,
  Array<{ until: (m: any) => boolean; resolve: () => void }>
>();
function onSignal(s: { message: any }) {
  const list = waiting.get(s.message.id) ?? [];
  for (const w of [...list]) {
    if (w.until(s.message)) {
      list.splice(list.indexOf(w), 1);
      w.resolve();
    }
  }
}
async function poll(app: any, id: string, until: (op: any) => boolean) {
  const seen = new Promise<void>(resolve => {
    waiting.set(id, [...(waiting.get(id) ?? []), { until, resolve }]);
  });
  // The state may already be there (the signal came before we listened).
  const now = (
    await request(app)
      .get(`/api/rco/operations/${id}`)
      .set('Authorization', ALICE)
  ).body;
  if (until(now)) return now;
  await seen;
  return (
    await request(app)
      .get(`/api/rco/operations/${id}`)
      .set('Authorization', ALICE)
  ).body;
}

async function run(databaseId: 'SQLITE_3' | 'POSTGRES_17', knex: Knex) {
  // Two bursts of 50 services: one timed as the requester sees it, one with the backend's time
  // attributed to operations (the hooks that attribute it slow the whole process down, so they
  // stay off in the first); then 2 services to warm up with and 10 deployed one at a time.
  const count = 2 * SERVICES + WARM_UP + ALONE;
  const entities = Array.from({ length: count }, (_, i) =>
    governedEntity(
      name(i),
      `file:${path.join(examples, 'rco/catalog-info.yaml')}`,
      {
        'rco.helix.dev/runbook': './runbook/rco-runbook.yaml',
      },
    ),
  );
  type Service = (typeof entities)[number];
  const seenBurst = entities.slice(0, SERVICES);
  const ownBurst = entities.slice(SERVICES, 2 * SERVICES);
  const warmUp = entities.slice(2 * SERVICES, 2 * SERVICES + WARM_UP);
  const alone = entities.slice(2 * SERVICES + WARM_UP);
  const { app, backend } = await startOperationsBackend(knex, {
    extraEntities: entities,
    // A production portal logs at info: every audited request writes its events.
    logLevel: 'info',
    onSignal,
    rco: {
      simulated: { stepDelay: 'PT0.2S' },
      operations: { pollInterval: 'PT0.1S', leaseDuration: 'PT30S' },
    },
  });
  const attribution = attributeBackendTime(app);
  for (const entity of entities) {
    const base = `/api/rco/entities/component/default/${entity.metadata.name}`;
    await waiveAllGates(app, base);
    // The portal reads each runbook on its schedule long before anyone deploys; do it here too,
    // so the first read of the runbooks is not counted as deploy overhead.
    await request(app).get(`${base}/status`).set('Authorization', ALICE);
  }
  const deployOne = async (entity: Service) => {
    const service = entity.metadata.name;
    const base = `/api/rco/entities/component/default/${service}`;
    let requestMs = 0;
    const parts: number[] = [];
    const timed = async (fn: () => Promise<any>) => {
      const t = performance.now();
      const res = await fn();
      parts.push(performance.now() - t);
      requestMs += performance.now() - t;
      return res;
    };
    const created = await timed(() =>
      request(app)
        .post(`${base}/operations`)
        .set('Authorization', ALICE)
        .set(OPERATION_HEADER, service)
        .set('Idempotency-Key', `bench-${service}`)
        .send({ type: 'deploy', environment: 'staging', release: RELEASE }),
    );
    if (created.status !== 202)
      throw new Error(`${service}: ${created.status} ${created.text}`);
    const id = created.body.id;
    await timed(() =>
      request(app)
        .post(`/api/rco/operations/${id}/confirm`)
        .set('Authorization', ALICE)
        .set(OPERATION_HEADER, service)
        .send({ confirmation: service }),
    );
    await poll(app, id, op => (op.phase ?? op.progress?.phase) === 'paused');
    await timed(() =>
      request(app)
        .post(`/api/rco/operations/${id}/promote`)
        .set('Authorization', ALICE)
        .set(OPERATION_HEADER, service),
    );
    const done = await poll(
      app,
      id,
      op => !['running', 'awaiting-confirmation'].includes(op.state),
    );
    return { service, id, state: done.state, requestMs, parts };
  };
  type Result = Awaited<ReturnType<typeof deployOne>>;
  const burst = async (services: Service[]) => {
    const started = Date.now();
    const cpu = process.cpuUsage();
    const db =
      databaseId === 'POSTGRES_17' ? postgresCpuMs(DATABASE) : undefined;
    const results = await Promise.all(services.map(deployOne));
    const dbAfter = db !== undefined ? postgresCpuMs(DATABASE) : undefined;
    const used = process.cpuUsage(cpu);
    return {
      results,
      wallMs: Date.now() - started,
      cpuMs: (used.user + used.system) / 1000,
      // The database server's CPU, shared out evenly: it cannot tell operations apart.
      dbPerOp:
        db !== undefined && dbAfter !== undefined
          ? (dbAfter - db) / services.length
          : 0,
    };
  };
  /** None lost, none doubled: one operation and one new revision per service. */
  const completeness = async (results: Result[]) => {
    const rows = await knex('rco_operations')
      .whereIn(
        'id',
        results.map(r => r.id),
      )
      .select('entity_ref');
    const perEntity = new Map<string, number>();
    for (const row of rows)
      perEntity.set(row.entity_ref, (perEntity.get(row.entity_ref) ?? 0) + 1);
    const revisions = await Promise.all(
      results.map(async r => {
        const res = await request(app)
          .get(`/api/rco/entities/component/default/${r.service}/environments`)
          .set('Authorization', ALICE);
        return res.body.items
          .find((x: any) => x.name === 'staging')
          .revisions.filter((x: any) => Number(x.revision) > 2).length;
      }),
    );
    const succeeded = results.filter(r => r.state === 'succeeded').length;
    return `${succeeded}/${results.length} succeeded; operations stored ${
      rows.length
    }; services with more than one operation ${
      [...perEntity.values()].filter(n => n > 1).length
    }; services with exactly one new revision ${
      revisions.filter(n => n === 1).length
    }/${results.length}`;
  };
  const timingsOf = async (results: Result[]) => {
    const rows = await knex('rco_operations')
      .whereIn(
        'id',
        results.map(r => r.id),
      )
      .select('id', 'timings');
    return results.map(r => {
      const timings = JSON.parse(
        rows.find(x => x.id === r.id)!.timings ?? '{}',
      );
      return {
        ...r,
        seen: r.requestMs + (timings.controlPlaneMs ?? NaN),
        driverMs: timings.driverMs as number,
      };
    });
  };

  for (const entity of warmUp) await deployOne(entity); // the first requests compile the code
  const aloneDb =
    databaseId === 'POSTGRES_17' ? postgresCpuMs(DATABASE) : undefined;
  const aloneCpu = process.cpuUsage();
  attribution.start();
  const aloneResults: Result[] = [];
  for (const entity of alone) aloneResults.push(await deployOne(entity));
  const aloneTime = attribution.stop();
  const aloneUsed = process.cpuUsage(aloneCpu);
  const aloneDbPerOp =
    aloneDb !== undefined
      ? (postgresCpuMs(DATABASE)! - aloneDb) / alone.length
      : 0;
  const seen = await burst(seenBurst);
  attribution.start();
  const owned = await burst(ownBurst);
  const ownBurstTime = attribution.stop();
  // What any burst costs on one event loop: 50 reads of one operation at once.
  const floor = await Promise.all(
    seenBurst.map(async () => {
      const t = performance.now();
      await request(app)
        .get(`/api/rco/operations/${aloneResults[0].id}`)
        .set('Authorization', ALICE);
      return performance.now() - t;
    }),
  );
  const ledger = (
    await request(app).get('/api/rco/ledger/verify').set('Authorization', ALICE)
  ).body;

  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const own = (time: typeof ownBurstTime, results: Result[], db: number) =>
    results.map(r => (time.perOperation.get(r.service) ?? NaN) + db);
  const ownValues = own(ownBurstTime, owned.results, owned.dbPerOp);
  const ownAlone = own(aloneTime, aloneResults, aloneDbPerOp);
  const attributed = [...ownBurstTime.perOperation.values()].reduce(
    (a, b) => a + b,
    0,
  );
  const seenTimes = await timingsOf(seen.results);
  const seenValues = seenTimes.map(o => o.seen);
  const seenAlone = (await timingsOf(aloneResults)).map(o => o.seen);
  const part = (i: number) =>
    ms(
      pct(
        seen.results.map(r => r.parts[i]),
        50,
      ),
    );
  console.log(
    `\n${databaseId}: ${SERVICES} concurrent deploys of ${SERVICES} services (simulated driver, canary with one pause), twice`,
  );
  console.log(`  completed: ${await completeness(seen.results)}`);
  console.log(`             ${await completeness(owned.results)}`);
  console.log(
    `  control-plane time per operation, excluding the driver: the backend's work on that operation${
      owned.dbPerOp
        ? ` + ${ms(owned.dbPerOp)} PostgreSQL CPU per operation`
        : ''
    }`,
  );
  console.log(
    `    median ${ms(pct(ownValues, 50))}, p95 ${ms(
      pct(ownValues, 95),
    )}, max ${ms(Math.max(...ownValues))} (target median <= 50 ms: ${
      pct(ownValues, 50) <= 50 ? 'met' : 'NOT met'
    })`,
  );
  console.log(
    `    one at a time (${alone.length} other services): median ${ms(
      pct(ownAlone, 50),
    )}, p95 ${ms(pct(ownAlone, 95))}; per operation ${ms(
      [...aloneTime.perOperation.values()].reduce((a, b) => a + b, 0) /
        alone.length,
    )} attributed, ${ms(aloneTime.untaggedMs / alone.length)} not, CPU ${ms(
      (aloneUsed.user + aloneUsed.system) / 1000 / alone.length,
    )}`,
  );
  console.log(
    `    attributed to the ${SERVICES} operations ${ms(
      attributed,
    )}; not attributed (the benchmark's own HTTP client and polling, timers) ${ms(
      ownBurstTime.untaggedMs,
    )}; CPU of the process ${ms(owned.cpuMs)} (all its threads)`,
  );
  console.log(
    `  as the requester sees it: create + confirm + promote latency + the runner's wall time outside the driver`,
  );
  console.log(
    `    median ${ms(pct(seenValues, 50))}, p95 ${ms(
      pct(seenValues, 95),
    )}, max ${ms(Math.max(...seenValues))}; one at a time: median ${ms(
      pct(seenAlone, 50),
    )}, p95 ${ms(pct(seenAlone, 95))}`,
  );
  console.log(
    `    medians: create ${part(0)}, confirm ${part(1)}, promote ${part(
      2,
    )}, runner ${ms(
      pct(
        seenTimes.map(o => o.seen - o.requestMs),
        50,
      ),
    )}`,
  );
  console.log(
    `    in a burst the requests queue on one event loop (2 cores): ${SERVICES} simultaneous reads of one operation take median ${ms(
      pct(floor, 50),
    )}, max ${ms(Math.max(...floor))}`,
  );
  console.log(
    `  driver time per operation: median ${pct(
      seenTimes.map(o => o.driverMs),
      50,
    )} ms; wall clock of the burst ${seen.wallMs} ms (${
      owned.wallMs
    } ms with attribution); CPU of the process ${ms(
      seen.cpuMs / SERVICES,
    )} per operation; ledger ${ledger.ok ? 'verified' : 'BROKEN'} (${
      ledger.entries
    } entries)`,
  );
  await backend.stop();
}

async function main() {
  const sqlite = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  await run('SQLITE_3', sqlite);
  resetSimulatedCluster();
  await sqlite.destroy();
  const pg = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES17_CONNECTION_STRING;
  if (pg) {
    const admin = knexFactory({ client: 'pg', connection: pg });
    await admin.raw(`CREATE DATABASE ${DATABASE}`);
    await admin.destroy();
    const db = knexFactory({
      client: 'pg',
      connection: `${pg}/${DATABASE}`,
      pool: { min: 1, max: 10 },
    });
    await run('POSTGRES_17', db);
    await db.destroy();
  } else {
    console.log(
      'POSTGRES_17: skipped: run through `yarn bench:deploy` (scripts/with-postgres.mjs)',
    );
  }
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
