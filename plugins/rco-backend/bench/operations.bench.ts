/* eslint-disable no-console */
// Benchmark of the deploy control plane: 50 concurrent deploys of 50 different services with the
// simulated driver, through HTTP, on SQLite and (under scripts/with-postgres.mjs) PostgreSQL.
// The requesters run in a child process (bench/deployClient.ts), so this process is the backend.
// Checks that every deploy completed exactly once and prints, per operation (ADR 0006):
// - the control plane's own work, excluding the driver: each operation's share of the
//   backend's CPU in a burst, split by what async-context attribution charged to it
//   (src/__testUtils__/attribution.ts), plus on PostgreSQL the database server's CPU per
//   operation;
// - what the requester sees: the requests' latency and the runner's wall time outside the
//   driver, which on one event loop includes waiting behind the other operations' work.
// It asserts nothing else.
import { ChildProcess, fork } from 'node:child_process';
import { AddressInfo } from 'node:net';
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
  postgresCpuMs,
} from '../src/__testUtils__/attribution';
import type { DeployResult } from './deployClient';

const SERVICES = Number(process.env.SERVICES ?? 50);
const DATABASE = 'rco_bench_deploy';
const WARM_UP = 2;
const ALONE = 10;
const examples = path.resolve(__dirname, '../../../examples');
const ALICE = asUser('alice');
const name = (i: number) => `svc-${String(i).padStart(3, '0')}`;
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
};
const sum = (values: Iterable<number>) =>
  [...values].reduce((a, b) => a + b, 0);
const ms = (v: number) => `${v.toFixed(1)} ms`;

/** The requesters' process, asked to do things and answering when done. */
function requesters() {
  const child: ChildProcess = fork(path.join(__dirname, 'deployClient.ts'), {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 0;
  const pending = new Map<number, (m: any) => void>();
  child.on('message', (m: any) => pending.get(m.id)?.(m));
  const ask = <T>(message: Record<string, unknown>) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, m => {
        pending.delete(id);
        if (m.error) reject(new Error(m.error));
        else resolve(m.result as T);
      });
      child.send({ ...message, id });
    });
  return { child, ask };
}

async function run(
  databaseId: 'SQLITE_3' | 'POSTGRES_17',
  knex: Knex,
  clients: ReturnType<typeof requesters>,
) {
  // Two bursts of 50 services: one timed as the requester sees it and for the backend's CPU,
  // one with the backend's time attributed to operations (the hooks that attribute it slow the
  // process down, so they stay off in the first); 2 services to warm up with, 10 one at a time.
  const count = 2 * SERVICES + WARM_UP + ALONE;
  const entities = Array.from({ length: count }, (_, i) =>
    governedEntity(
      name(i),
      `file:${path.join(examples, 'rco/catalog-info.yaml')}`,
      { 'rco.helix.dev/runbook': './runbook/rco-runbook.yaml' },
    ),
  );
  const names = entities.map(e => e.metadata.name);
  const timedBurst = names.slice(0, SERVICES);
  const attributedBurst = names.slice(SERVICES, 2 * SERVICES);
  const warmUp = names.slice(2 * SERVICES, 2 * SERVICES + WARM_UP);
  const alone = names.slice(2 * SERVICES + WARM_UP);
  const { app, backend } = await startOperationsBackend(knex, {
    extraEntities: entities,
    // A production portal logs at info: every audited request writes its events.
    logLevel: 'info',
    onSignal: s => clients.child.send({ signal: s.message }),
    rco: {
      simulated: { stepDelay: 'PT0.2S' },
      operations: { pollInterval: 'PT0.1S', leaseDuration: 'PT30S' },
    },
  });
  const attribution = attributeBackendTime(app);
  for (const service of names) {
    const base = `/api/rco/entities/component/default/${service}`;
    await waiveAllGates(app, base);
    // The portal reads each runbook on its schedule long before anyone deploys; do it here too,
    // so the first read of the runbooks is not counted as deploy overhead.
    await request(app).get(`${base}/status`).set('Authorization', ALICE);
  }
  await clients.ask({
    cmd: 'setup',
    setup: {
      baseUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}`,
      authorization: ALICE,
      release: RELEASE,
    },
  });
  const pg = () =>
    databaseId === 'POSTGRES_17' ? postgresCpuMs(DATABASE) ?? 0 : 0;
  /** Runs the requesters and measures this process's CPU and PostgreSQL's meanwhile. */
  const measured = async (cmd: string, services: string[]) => {
    const started = Date.now();
    const cpu = process.cpuUsage();
    const db = pg();
    const results = await clients.ask<DeployResult[]>({ cmd, services });
    const used = process.cpuUsage(cpu);
    return {
      results,
      wallMs: Date.now() - started,
      cpuPerOp: (used.user + used.system) / 1000 / services.length,
      // The database server's CPU, shared out evenly: it cannot tell operations apart.
      dbPerOp: (pg() - db) / services.length,
    };
  };
  /** None lost, none doubled: one operation and one new revision per service. */
  const completeness = async (results: DeployResult[]) => {
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
  /** Request latency plus the runner's wall time outside the driver, per operation. */
  const seenBy = async (results: DeployResult[]) => {
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
        runner: timings.controlPlaneMs as number,
        driverMs: timings.driverMs as number,
      };
    });
  };

  await clients.ask({ cmd: 'one-at-a-time', services: warmUp }); // the first requests compile the code
  // What the backend uses doing nothing (timers, the scheduler, the reconciler), to set beside
  // the one-at-a-time figure, which spans many idle moments between steps.
  const idleCpu = process.cpuUsage();
  const idleDb = pg();
  await new Promise(resolve => setTimeout(resolve, 3000));
  const idleUsed = process.cpuUsage(idleCpu);
  const idlePerSecond = {
    cpu: (idleUsed.user + idleUsed.system) / 1000 / 3,
    db: (pg() - idleDb) / 3,
  };
  const oneByOne = await measured('one-at-a-time', alone);
  const idleShare = (perSecond: number) =>
    (perSecond * oneByOne.wallMs) / 1000 / alone.length;
  const timed = await measured('burst', timedBurst);
  attribution.start();
  const attributed = await measured('burst', attributedBurst);
  const charged = attribution.stop();
  const floor = await clients.ask<number[]>({
    cmd: 'reads',
    operationId: oneByOne.results[0].id,
    count: SERVICES,
  });
  const ledger = (
    await request(app).get('/api/rco/ledger/verify').set('Authorization', ALICE)
  ).body;

  // Each operation's share of the backend's work: what was charged to it, plus an even part of
  // what no operation could be charged with (HTTP parsing before the request is known, database
  // replies arriving on shared connections, timers), applied to the CPU of the burst that ran
  // without the hooks (their own cost would otherwise count as the control plane's).
  const shared = charged.untaggedMs / SERVICES;
  const total = sum(charged.perOperation.values()) + charged.untaggedMs;
  const work = attributed.results.map(
    r =>
      (((charged.perOperation.get(r.service) ?? NaN) + shared) / total) *
        timed.cpuPerOp *
        SERVICES +
      timed.dbPerOp,
  );
  const seen = await seenBy(timed.results);
  const seenValues = seen.map(o => o.seen);
  const seenAlone = (await seenBy(oneByOne.results)).map(o => o.seen);
  const part = (i: number) =>
    ms(
      pct(
        seen.map(r => r.parts[i]),
        50,
      ),
    );
  const database = timed.dbPerOp
    ? ` + ${ms(timed.dbPerOp)} PostgreSQL CPU per operation`
    : '';
  console.log(
    `\n${databaseId}: ${SERVICES} concurrent deploys of ${SERVICES} services (simulated driver, canary with one pause), twice`,
  );
  console.log(`  completed: ${await completeness(timed.results)}`);
  console.log(`             ${await completeness(attributed.results)}`);
  console.log(
    `  control-plane work per operation, excluding the driver (its share of the backend's CPU in the burst${database}):`,
  );
  console.log(
    `    median ${ms(pct(work, 50))}, p95 ${ms(pct(work, 95))}, max ${ms(
      Math.max(...work),
    )} (target median <= 50 ms: ${pct(work, 50) <= 50 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `    backend CPU ${ms(
      timed.cpuPerOp,
    )} per operation, shared out by the attribution: charged to operations median ${ms(
      pct([...charged.perOperation.values()], 50),
    )}, to none ${ms(shared)} per operation (with the hooks, CPU ${ms(
      attributed.cpuPerOp,
    )} per operation)`,
  );
  console.log(
    `    one at a time (${alone.length} other services): backend CPU ${ms(
      oneByOne.cpuPerOp,
    )} per operation${
      oneByOne.dbPerOp
        ? ` + ${ms(oneByOne.dbPerOp)} PostgreSQL CPU per operation`
        : ''
    }, of which an idle backend would have used ${ms(
      idleShare(idlePerSecond.cpu),
    )}${
      oneByOne.dbPerOp ? ` + ${ms(idleShare(idlePerSecond.db))} PostgreSQL` : ''
    } in the same time`,
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
        seen.map(o => o.runner),
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
      seen.map(o => o.driverMs),
      50,
    )} ms; wall clock of the burst ${timed.wallMs} ms (${
      attributed.wallMs
    } ms with attribution); ledger ${ledger.ok ? 'verified' : 'BROKEN'} (${
      ledger.entries
    } entries)`,
  );
  await backend.stop();
}

async function main() {
  const clients = requesters();
  const sqlite = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  await run('SQLITE_3', sqlite, clients);
  resetSimulatedCluster();
  await sqlite.destroy();
  const pg = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES17_CONNECTION_STRING;
  if (pg) {
    const admin = knexFactory({ client: 'pg', connection: pg });
    await admin.raw(`CREATE DATABASE ${DATABASE}`);
    await admin.destroy();
    // A fixed pool: no connection (and its server process's CPU) comes or goes mid-measure.
    const db = knexFactory({
      client: 'pg',
      connection: `${pg}/${DATABASE}`,
      pool: { min: 10, max: 10, idleTimeoutMillis: 3_600_000 },
    });
    await run('POSTGRES_17', db, clients);
    await db.destroy();
  } else {
    console.log(
      'POSTGRES_17: skipped: run through `yarn bench:deploy` (scripts/with-postgres.mjs)',
    );
  }
  clients.child.kill();
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
