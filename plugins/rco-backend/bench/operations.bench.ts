/* eslint-disable no-console */
// Benchmark of the deploy control plane: 50 concurrent deploys of 50 different services with the
// simulated driver, through HTTP, on SQLite and (under scripts/with-postgres.mjs) PostgreSQL.
// Prints how long the control plane itself spends per operation (requests plus the runner's own
// time, excluding the time spent in or waiting for the driver) and checks that every deploy
// completed exactly once. It asserts nothing else.
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

const SERVICES = Number(process.env.SERVICES ?? 50);
const SEQUENTIAL = 10;
const examples = path.resolve(__dirname, '../../../examples');
const ALICE = asUser('alice');
const name = (i: number) => `svc-${String(i).padStart(2, '0')}`;
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/**
 * Waits like the Release tab does: for the signal about the operation (the page then reads the
 * operation once), not by polling.
 */
const waiting = new Map<string, Array<{ until: (m: any) => boolean; resolve: () => void }>>();
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
  const now = (await request(app).get(`/api/rco/operations/${id}`).set('Authorization', ALICE)).body;
  if (until(now)) return now;
  await seen;
  return (await request(app).get(`/api/rco/operations/${id}`).set('Authorization', ALICE)).body;
}

async function run(databaseId: 'SQLITE_3' | 'POSTGRES_17', knex: Knex) {
  const entities = Array.from({ length: SERVICES + SEQUENTIAL }, (_, i) =>
    governedEntity(name(i), `file:${path.join(examples, 'rco/catalog-info.yaml')}`, {
      'rco.helix.dev/runbook': './runbook/rco-runbook.yaml',
    }),
  );
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
  for (let i = 0; i < SERVICES + SEQUENTIAL; i++) {
    const base = `/api/rco/entities/component/default/${name(i)}`;
    await waiveAllGates(app, base);
    // The portal reads each runbook on its schedule long before anyone deploys; do it here too,
    // so the first read of 60 runbooks is not counted as deploy overhead.
    await request(app).get(`${base}/status`).set('Authorization', ALICE);
  }
  const deployOne = async (entity: (typeof entities)[number]) => {
      const base = `/api/rco/entities/component/default/${entity.metadata.name}`;
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
        request(app).post(`${base}/operations`).set('Authorization', ALICE)
          .set('Idempotency-Key', `bench-${entity.metadata.name}`)
          .send({ type: 'deploy', environment: 'staging', release: RELEASE }),
      );
      if (created.status !== 202) throw new Error(`${entity.metadata.name}: ${created.status} ${created.text}`);
      const id = created.body.id;
      await timed(() => request(app).post(`/api/rco/operations/${id}/confirm`).set('Authorization', ALICE)
        .send({ confirmation: entity.metadata.name }));
      await poll(app, id, op => (op.phase ?? op.progress?.phase) === 'paused');
      await timed(() => request(app).post(`/api/rco/operations/${id}/promote`).set('Authorization', ALICE));
      const done = await poll(app, id, op => !['running', 'awaiting-confirmation'].includes(op.state));
      return { id, state: done.state, requestMs, parts };
  };
  // Uncontended first: 10 services one after the other (their operations are excluded below).
  const sequential = [];
  for (const entity of entities.slice(SERVICES)) sequential.push(await deployOne(entity));
  const started = Date.now();
  const cpuBefore = process.cpuUsage();
  if (process.env.MARK) console.error(`MARK start ${process.hrtime.bigint() / 1000n}`);
  const results = await Promise.all(entities.slice(0, SERVICES).map(deployOne));
  const cpu = process.cpuUsage(cpuBefore);
  if (process.env.MARK) console.error(`MARK end ${process.hrtime.bigint() / 1000n}`);
  const wall = Date.now() - started;
  const rows = await knex('rco_operations').select('id', 'entity_ref', 'timings', 'state');
  const overheadOf = (list: typeof results) => list.map(r => {
    const timings = JSON.parse(rows.find(x => x.id === r.id)!.timings ?? '{}');
    return { ...r, overhead: r.requestMs + (timings.controlPlaneMs ?? NaN), driverMs: timings.driverMs };
  });
  const overhead = overheadOf(results);
  const alone = overheadOf(sequential).map(o => o.overhead);
  const perEntity = new Map<string, number>();
  for (const row of rows.filter(r => results.some(x => x.id === r.id))) perEntity.set(row.entity_ref, (perEntity.get(row.entity_ref) ?? 0) + 1);
  const doubled = [...perEntity.values()].filter(n => n > 1).length;
  const succeeded = results.filter(r => r.state === 'succeeded').length;
  const revisions = await Promise.all(
    entities.slice(0, SERVICES).map(async e => {
      const res = await request(app).get(`/api/rco/entities/component/default/${e.metadata.name}/environments`).set('Authorization', ALICE);
      return res.body.items.find((x: any) => x.name === 'staging').revisions.filter((r: any) => Number(r.revision) > 2).length;
    }),
  );
  const ledger = (await request(app).get('/api/rco/ledger/verify').set('Authorization', ALICE)).body;
  const values = overhead.map(o => o.overhead);
  console.log(`\n${databaseId}: ${SERVICES} concurrent deploys of ${SERVICES} services (simulated driver, canary with one pause)`);
  console.log(`  one at a time (${SEQUENTIAL} services): control-plane overhead median ${pct(alone, 50).toFixed(1)} ms, p95 ${pct(alone, 95).toFixed(1)} ms`);
  console.log(`  completed: ${succeeded}/${SERVICES} succeeded; operations stored ${perEntity.size}; services with more than one operation ${doubled}; services with exactly one new revision ${revisions.filter(n => n === 1).length}/${SERVICES}`);
  console.log(`  control-plane overhead per operation (create + confirm + promote requests + runner time outside the driver):`);
  console.log(`    median ${pct(values, 50).toFixed(1)} ms, p95 ${pct(values, 95).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms (target median <= 50 ms)`);
  const part = (i: number) => pct(results.map(r => r.parts[i]), 50).toFixed(1);
  const runner = pct(overhead.map(o => o.overhead - o.requestMs), 50).toFixed(1);
  console.log(`    medians: create ${part(0)} ms, confirm ${part(1)} ms, promote ${part(2)} ms, runner ${runner} ms`);
  console.log(`  CPU of this process during the burst (backend and the benchmark's own HTTP client and polling): ${((cpu.user + cpu.system) / 1000 / SERVICES).toFixed(1)} ms per operation`);
  console.log(`  driver time per operation: median ${pct(overhead.map(o => o.driverMs), 50)} ms; wall clock for all ${wall} ms; ledger ${ledger.ok ? 'verified' : 'BROKEN'} (${ledger.entries} entries)`);
  await backend.stop();
}

async function main() {
  const sqlite = knexFactory({ client: 'better-sqlite3', connection: ':memory:', useNullAsDefault: true });
  await run('SQLITE_3', sqlite);
  resetSimulatedCluster();
  await sqlite.destroy();
  const pg = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES17_CONNECTION_STRING;
  if (pg) {
    const admin = knexFactory({ client: 'pg', connection: pg });
    await admin.raw('CREATE DATABASE rco_bench_deploy');
    await admin.destroy();
    const db = knexFactory({ client: 'pg', connection: `${pg}/rco_bench_deploy`, pool: { min: 1, max: 10 } });
    await run('POSTGRES_17', db);
    await db.destroy();
  } else {
    console.log('POSTGRES_17: skipped: run through `yarn bench:deploy` (scripts/with-postgres.mjs)');
  }
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
