/* eslint-disable no-console */
// Benchmark of issue 17's delivery metrics and what-if replay (`yarn bench:metrics`): 1,000
// services × 90 days of history (about 200,000 ledger entries) written through the plugin's real
// stores on a fresh PostgreSQL (scripts/with-postgres.mjs), then the real plugin in a test backend
// (startOperationsBackend: catalog of the 1,000 services, real routes) asked over HTTP as the
// Metrics page asks: GET /metrics (first on a cold instance, then warm), POST /replay, and one
// entity's metrics. Each figure is printed beside its target with the load average; the replay's
// baseline (stored decisions judged again under the unchanged policy) must match every one.
// BENCH_SERVICES, BENCH_DAYS and BENCH_RELEASE_EVERY_DAYS change the shape (defaults 1000, 90, 9).
import {
  coreServices,
  createServiceFactory,
  SchedulerServiceTaskInvocationDefinition,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import knexFactory, { Knex } from 'knex';
import os from 'node:os';
import path from 'node:path';
import { readRcoConfig } from '../plugins/rco-backend/src/config';
import { migrateToLatest } from '../plugins/rco-backend/src/database/migrations';
import { governedEntity } from '../plugins/rco-backend/src/__testUtils__/fixtures';
import {
  EXAMPLE_GROUPS,
  NO_SCHEDULED_RUN,
  startOperationsBackend,
} from '../plugins/rco-backend/src/__testUtils__/operationsBackend';
import { configDigest } from '../plugins/rco-backend/src/service/verdicts/storedVerdicts';
import { ServiceCounts, writeService } from './bench-metrics/history';
import { judging } from './bench-metrics/service';
import { breakdown, gateHistogram, services } from './bench-metrics/breakdown';
import { measure } from './bench-metrics/measure';
import { evidenceSummaries, exampleRunbook } from './bench-metrics/shape';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 1000);
const DAYS = Number(process.env.BENCH_DAYS ?? 90);
const RELEASE_EVERY_DAYS = Number(process.env.BENCH_RELEASE_EVERY_DAYS ?? 9);
const PARALLEL = 4;
const DATABASE = 'rco_bench_metrics';
const examples = path.resolve(__dirname, '../examples');

const ENVIRONMENTS = ['staging', 'production'];
/** The rco configuration the backend runs with, and the history is judged under. */
const RCO = {
  ...EXAMPLE_GROUPS,
  environments: ENVIRONMENTS.map(name => ({ name, driver: 'simulated' })),
  collection: { refreshCooldown: 'PT0S', schedule: NO_SCHEDULED_RUN },
};

const ms = (n: number) => `${Math.round(n)} ms`;
const load = () =>
  os
    .loadavg()
    .map(l => l.toFixed(2))
    .join(' ');
const count = async (db: Knex, table: string) =>
  Number((await db(table).count({ n: '*' }))[0].n);

/** A scheduler that keeps the plugin's tasks: nothing runs in the background while measuring. */
function handScheduler(
  tasks: Map<string, SchedulerServiceTaskInvocationDefinition>,
) {
  const keep = async (task: SchedulerServiceTaskInvocationDefinition) => {
    tasks.set(task.id, task);
  };
  return createServiceFactory({
    service: coreServices.scheduler,
    deps: {},
    factory: () =>
      ({
        scheduleTask: keep,
        triggerTask: async () => {},
        getScheduledTasks: async () => [],
        createScheduledTaskRunner: () => ({ run: keep }),
      } as any),
  });
}

function shapeOf() {
  const config = readRcoConfig(new ConfigReader({ rco: RCO }));
  const to = new Date();
  return {
    config,
    configDigest: configDigest(config, ENVIRONMENTS),
    runbook: exampleRunbook(),
    summaries: evidenceSummaries(),
    from: new Date(to.getTime() - DAYS * 86_400_000),
    to,
    releaseEveryDays: RELEASE_EVERY_DAYS,
  };
}

const noCounts = (): ServiceCounts => ({
  releases: 0,
  deploys: 0,
  blocked: 0,
  rollbacks: 0,
  breakGlass: 0,
});

/** A history left by an earlier run: its counts are read from the tables below. */
const reused = () => ({ totals: noCounts(), seconds: 0, shape: shapeOf() });

async function generate(db: Knex, names: string[]) {
  const shape = shapeOf();
  const totals = noCounts();
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const i = next++;
      const c = await writeService(db, entityOf(names[i]), i + 1, shape);
      for (const k of Object.keys(totals) as Array<keyof ServiceCounts>)
        totals[k] += c[k];
      if ((i + 1) % 100 === 0)
        console.log(
          `  ${i + 1} services written (${Math.round(
            (performance.now() - t0) / 1000,
          )} s)`,
        );
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  console.log(
    `  judging (ReleaseService.judge + preflight): ${Math.round(
      judging.ms / 1000,
    )} s summed over workers`,
  );
  return { totals, seconds: (performance.now() - t0) / 1000, shape };
}

const entityOf = (name: string) =>
  governedEntity(name, `file:${path.join(examples, 'rco/catalog-info.yaml')}`, {
    'rco.helix.dev/runbook': './runbook/rco-runbook.yaml',
  });

async function main() {
  const pg = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES17_CONNECTION_STRING;
  if (!pg) throw new Error('Run through `yarn bench:metrics` (with-postgres)');
  // BENCH_REUSE=1 measures again over the history a previous run left in the same PostgreSQL
  // (BACKSTAGE_TEST_DATABASE_POSTGRES17_CONNECTION_STRING set to a server that outlives the run):
  // generating it takes most of a run's 20 minutes.
  const reuse = process.env.BENCH_REUSE === '1';
  const admin = knexFactory({ client: 'pg', connection: pg });
  const exists =
    (await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [DATABASE]))
      .rows.length > 0;
  if (!reuse || !exists) {
    await admin.raw(`DROP DATABASE IF EXISTS ${DATABASE}`);
    await admin.raw(`CREATE DATABASE ${DATABASE}`);
  }
  await admin.destroy();
  const db = knexFactory({
    client: 'pg',
    connection: `${pg}/${DATABASE}`,
    pool: { min: 0, max: 10 },
  });
  await migrateToLatest(db);
  const names = Array.from(
    { length: SERVICES },
    (_, i) => `svc-${String(i).padStart(4, '0')}`,
  );
  console.log(
    `== history: ${SERVICES} services × ${DAYS} days, a release every ~${RELEASE_EVERY_DAYS} days (load ${load()}) ==`,
  );
  const { totals, seconds, shape } =
    reuse && exists ? reused() : await generate(db, names);
  const [ledger, operations, judgements, evidence, waivers, overrides] =
    await Promise.all(
      [
        'rco_ledger',
        'rco_operations',
        'rco_judgements',
        'rco_evidence',
        'rco_waivers',
        'rco_overrides',
      ].map(t => count(db, t)),
    );
  console.log(
    `${
      reuse && exists
        ? 'reused from an earlier run'
        : `written in ${seconds.toFixed(0)} s`
    }: ${ledger} ledger entries; ${operations} operations (${
      totals.deploys
    } deploys ran, ${totals.blocked} blocked, ${totals.rollbacks} rollbacks, ${
      totals.breakGlass
    } break-glass), ${judgements} judgements, ${evidence} evidence rows, ${waivers} waivers, ${overrides} overrides, ${
      totals.releases
    } releases; ${(operations / SERVICES / DAYS).toFixed(
      2,
    )} operations per service and day`,
  );
  await db.raw('ANALYZE');
  await gateHistogram(db);

  const tasks = new Map<string, SchedulerServiceTaskInvocationDefinition>();
  const { app, backend } = await startOperationsBackend(db, {
    rco: RCO,
    extraEntities: names.map(entityOf),
    features: [handScheduler(tasks)],
    logLevel: 'warn',
  });
  // Releases in flight: the real VerdictService judges every service's newest release once.
  const t1 = performance.now();
  await tasks.get('rco-verdicts-backfill')!.fn(new AbortController().signal);
  let stored = 0;
  for (let i = 0; i < 600; i++) {
    stored = Number(
      (
        await db('rco_verdicts')
          .where({ environment: '' })
          .whereNotNull('inputs')
          .count({ n: '*' })
      )[0].n,
    );
    if (stored >= SERVICES) break;
    await new Promise(r => setTimeout(r, 500));
  }
  console.log(
    `stored verdicts with inputs: ${stored} (real VerdictService, ${ms(
      performance.now() - t1,
    )})`,
  );
  // Let the verdict queue settle: a measurement must not share the process with it.
  await new Promise(r => setTimeout(r, 3000));

  await measure(app);
  await breakdown(db, names);
  await services(db, ['rco', ...names], shape.config, shape.configDigest);
  await backend.stop();
  await db.destroy();
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
