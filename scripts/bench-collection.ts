/* eslint-disable no-console */
// Benchmark of evidence collection (issue 13): the real Kubernetes collector reads 3 clusters
// (3 Kubernetes API peers on 127.0.0.1, 2,000 objects in total made from the shared samples)
// through the real plugin's CollectionService (its scheduled task, run by hand) into a real
// database: SQLite, and PostgreSQL under scripts/with-postgres.mjs (`yarn bench:collection`).
// Between runs 1% of the objects change. Prints, each beside its target: time per run (first and
// steady state), rows written per run (new evidence and ledger rows; observation updates
// separately) and the latency of GET …/status through the plugin's router, idle and during a
// collection. It asserts nothing.
import {
  coreServices,
  createServiceFactory,
  SchedulerServiceTaskInvocationDefinition,
} from '@backstage/backend-plugin-api';
import knexFactory, { Knex } from 'knex';
import path from 'node:path';
import request from 'supertest';
import { governedEntity } from '../plugins/rco-backend/src/__testUtils__/fixtures';
import { KubeListPeer } from '../plugins/rco-backend/src/__testUtils__/kubeListPeer/KubeListPeer';
import {
  fromSample,
  SampleName,
} from '../plugins/rco-backend/src/__testUtils__/kubeListPeer/objects';
import {
  asUser,
  startOperationsBackend,
} from '../plugins/rco-backend/src/__testUtils__/operationsBackend';
import type { Obj } from '../plugins/rco-backend/src/service/demo/simulatedCluster';
import { ConfigReader } from '@backstage/config';
import { readKubernetesCollectorConfig } from '../plugins/rco-backend/src/collectors/kubernetes/config';
import { KubernetesCollector } from '../plugins/rco-backend/src/collectors/kubernetes/KubernetesCollector';

const TOTAL_OBJECTS = 2000;
const CLUSTERS = ['bench-a', 'bench-b', 'bench-c'];
const SERVICES = 20; // governed entities besides rco
const CHANGE = 0.01;
const STEADY_RUNS = 5;
const STATUS_SAMPLES = 60;
const TOKEN = 'bench-collection-token';
const DATABASE = 'rco_bench_collection';
const examples = path.resolve(__dirname, '../examples');

const names = [
  'rco',
  ...Array.from(
    { length: SERVICES },
    (_, i) => `svc-${String(i).padStart(2, '0')}`,
  ),
];
const KINDS: Array<{
  sample: SampleName;
  namespace?: string;
  spec?: Record<string, unknown>;
}> = [
  { sample: 'deployment' },
  { sample: 'policyReport' },
  { sample: 'networkPolicy' },
  // A backup counts only for the namespace it covers (the places' namespace, apps).
  {
    sample: 'veleroBackup',
    namespace: 'velero',
    spec: { includedNamespaces: ['apps'] },
  },
  { sample: 'prometheusRule' },
];

/** One cluster's share of the 2,000 objects, spread over entities and kinds. */
function objectsOf(cluster: number): Obj[] {
  const per = Math.floor(TOTAL_OBJECTS / CLUSTERS.length);
  const count =
    cluster === 0 ? TOTAL_OBJECTS - per * (CLUSTERS.length - 1) : per;
  return Array.from({ length: count }, (_, i) => {
    const app = names[i % names.length];
    const kind = KINDS[Math.floor(i / names.length) % KINDS.length];
    return fromSample(
      kind.sample,
      {
        name: `${app}-${kind.sample.toLowerCase()}-${i}`,
        namespace: kind.namespace ?? 'apps',
        labels: { 'app.kubernetes.io/name': app },
      },
      kind.spec,
    );
  });
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
};
const ms = (n: number) => `${n.toFixed(0)} ms`;
const count = async (knex: Knex, table: string) =>
  Number((await knex(table).count({ n: '*' }))[0].n);

/** A scheduler that keeps the plugin's tasks so the benchmark runs them when it decides. */
function handScheduler(
  tasks: Map<string, SchedulerServiceTaskInvocationDefinition>,
) {
  return createServiceFactory({
    service: coreServices.scheduler,
    deps: {},
    factory: () =>
      ({
        scheduleTask: async (
          task: SchedulerServiceTaskInvocationDefinition,
        ) => {
          tasks.set(task.id, task);
        },
        triggerTask: async () => {},
        getScheduledTasks: async () => [],
        createScheduledTaskRunner: () => ({
          run: async (task: SchedulerServiceTaskInvocationDefinition) => {
            tasks.set(task.id, task);
          },
        }),
      } as any),
  });
}

/** Log lines of the plugin, kept to read each run's report. */
function keptLogger(lines: string[]) {
  const logger: any = {
    info: (m: string) => lines.push(m),
    warn: (m: string) => lines.push(`WARN ${m}`),
    error: (m: string) => lines.push(`ERROR ${m}`),
    debug: () => {},
    child: () => logger,
  };
  return createServiceFactory({
    service: coreServices.rootLogger,
    deps: {},
    factory: () => logger,
  });
}

async function bench(databaseId: string, knex: Knex, peers: KubeListPeer[]) {
  const tasks = new Map<string, SchedulerServiceTaskInvocationDefinition>();
  const lines: string[] = [];
  const environments = CLUSTERS.map((cluster, i) => ({
    name: ['development', 'staging', 'production'][i],
    driver: 'simulated',
    namespace: 'apps',
    cluster,
  }));
  const { app, backend } = await startOperationsBackend(knex, {
    rco: { environments },
    config: {
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: peers.map((p, i) => ({
              name: CLUSTERS[i],
              url: p.url,
              authProvider: 'serviceAccount',
              serviceAccountToken: TOKEN,
              skipTLSVerify: true,
            })),
          },
        ],
      },
    },
    extraEntities: names.slice(1).map(n =>
      governedEntity(
        n,
        `file:${path.join(examples, 'rco/catalog-info.yaml')}`,
        {
          'rco.helix.dev/runbook': './runbook/rco-runbook.yaml',
        },
      ),
    ),
    features: [handScheduler(tasks), keptLogger(lines)],
  });
  // The runbooks are read once (their task), as the scheduler would at start.
  for (const [id, task] of tasks) {
    if (id !== 'rco-evidence-collection' && /runbook/.test(id)) {
      await task.fn(new AbortController().signal);
    }
  }
  const collect = tasks.get('rco-evidence-collection');
  if (!collect)
    throw new Error(`no collection task among ${[...tasks.keys()].join(', ')}`);

  const status = async () => {
    const t0 = performance.now();
    await request(app)
      .get(
        '/api/rco/entities/component/default/rco/status?environment=production',
      )
      .set('Authorization', asUser('alice'))
      .expect(200);
    return performance.now() - t0;
  };
  const runOnce = async (during?: number[]) => {
    const before = {
      evidence: await count(knex, 'rco_evidence'),
      ledger: await count(knex, 'rco_ledger'),
    };
    lines.length = 0;
    const t0 = performance.now();
    let done = false;
    const run = Promise.resolve(collect.fn(new AbortController().signal)).then(
      () => {
        done = true;
      },
    );
    if (during) {
      while (!done) during.push(await status());
    }
    await run;
    const elapsed = performance.now() - t0;
    const report =
      lines.find(l => l.startsWith('Evidence collection:')) ?? '(no report)';
    const observed = Number(
      /(\d+) observations moved/.exec(report)?.[1] ?? NaN,
    );
    return {
      elapsed,
      evidenceRows: (await count(knex, 'rco_evidence')) - before.evidence,
      ledgerRows: (await count(knex, 'rco_ledger')) - before.ledger,
      observed,
      report,
      warnings: lines.filter(
        l => l.startsWith('WARN') || l.startsWith('ERROR'),
      ),
    };
  };
  const change = () => {
    let changed = 0;
    for (const peer of peers) {
      const all = peer.cluster.all();
      const n = Math.round(all.length * CHANGE);
      for (let i = 0; i < n; i++) {
        const obj = all[Math.floor(Math.random() * all.length)];
        obj.metadata.annotations = {
          ...(obj.metadata.annotations as object),
          'bench/changed': String(Date.now() + i),
        };
        peer.cluster.put(obj);
        changed++;
      }
    }
    return changed;
  };

  const idle: number[] = [];
  for (let i = 0; i < STATUS_SAMPLES; i++) idle.push(await status());
  const first = await runOnce();
  const steady: Array<
    Awaited<ReturnType<typeof runOnce>> & { changed: number }
  > = [];
  const during: number[] = [];
  for (let i = 0; i < STEADY_RUNS; i++) {
    const changed = change();
    steady.push({ ...(await runOnce(during)), changed });
  }
  const avg = (f: (r: (typeof steady)[number]) => number) =>
    steady.reduce((s, r) => s + f(r), 0) / steady.length;

  console.log(
    `\n== ${databaseId}: ${CLUSTERS.length} clusters, ${TOTAL_OBJECTS} objects, ${names.length} entities × ${CLUSTERS.length} environments ==`,
  );
  console.log(
    `first run:   ${ms(
      first.elapsed,
    )}  (target: well inside the 3-minute run timeout)  ${
      first.evidenceRows
    } evidence rows, ${first.ledgerRows} ledger rows`,
  );
  console.log(`             ${first.report}`);
  console.log(
    `steady runs: ${ms(avg(r => r.elapsed))} mean, ${ms(
      Math.max(...steady.map(r => r.elapsed)),
    )} max  (target: well inside the run timeout; 5-minute schedule)`,
  );
  console.log(
    `changed per run: ${avg(r => r.changed).toFixed(0)} objects (1%)`,
  );
  console.log(
    `rows written per run: ${avg(r => r.evidenceRows + r.ledgerRows).toFixed(
      1,
    )} = ${avg(r => r.evidenceRows).toFixed(1)} evidence + ${avg(
      r => r.ledgerRows,
    ).toFixed(
      1,
    )} ledger  (target: about 20 + 20, not ${TOTAL_OBJECTS}; was 45 with an evidence-observed entry per cluster every run)`,
  );
  console.log(
    `observed_at updates per run: ${avg(r => r.observed).toFixed(
      0,
    )}  (target: 0 within rco.collection.observationGranularity, PT1H; before it, every unchanged object: 1,979)`,
  );
  console.log(
    `GET …/status idle:              p50 ${ms(pct(idle, 50))}  p95 ${ms(
      pct(idle, 95),
    )}  (${idle.length} requests)`,
  );
  console.log(
    `GET …/status during collection: p50 ${ms(pct(during, 50))}  p95 ${ms(
      pct(during, 95),
    )}  (${
      during.length
    } requests; target: within a few times idle, never blocked by a run)`,
  );
  const warnings = [...first.warnings, ...steady.flatMap(r => r.warnings)];
  if (warnings.length)
    console.log(`warnings: ${warnings.slice(0, 5).join(' | ')}`);
  await backend.stop();
}

async function main() {
  const peers = await Promise.all(
    CLUSTERS.map((_, i) =>
      KubeListPeer.start({ token: TOKEN, objects: objectsOf(i) }),
    ),
  );
  // The collector alone (no database): discovery, lists and attribution of all 2,000 objects.
  const collector = new KubernetesCollector(
    readKubernetesCollectorConfig(new ConfigReader({})),
  );
  const places = peers.flatMap((p, i) =>
    names.map(name => ({
      entityRef: `component:default/${name}`,
      name,
      entityNamespace: 'default',
      environment: ['development', 'staging', 'production'][i],
      namespace: 'apps',
      cluster: {
        name: CLUSTERS[i],
        url: p.url,
        serviceAccountToken: TOKEN,
        skipTLSVerify: true,
      },
    })),
  );
  const alone: number[] = [];
  let found = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const result = await collector.collect({
      places,
      signal: new AbortController().signal,
      logger: {
        info() {},
        warn() {},
        error() {},
        debug() {},
        child() {
          return this;
        },
      } as any,
    });
    alone.push(performance.now() - t0);
    found = result.objects.length;
  }
  console.log(
    `\n== the Kubernetes collector alone: ${found} objects from ${
      CLUSTERS.length
    } clusters in ${ms(
      alone.reduce((a, b) => a + b, 0) / alone.length,
    )} per run (mean of ${alone.length}) ==`,
  );
  const sqlite = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  await bench('SQLITE_3', sqlite, peers);
  await sqlite.destroy();
  const pg = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES17_CONNECTION_STRING;
  if (pg) {
    const admin = knexFactory({ client: 'pg', connection: pg });
    await admin.raw(`DROP DATABASE IF EXISTS ${DATABASE}`);
    await admin.raw(`CREATE DATABASE ${DATABASE}`);
    await admin.destroy();
    const db = knexFactory({ client: 'pg', connection: `${pg}/${DATABASE}` });
    await bench('POSTGRES_17', db, peers);
    await db.destroy();
  } else {
    console.log(
      '\nPOSTGRES_17: skipped: run through `yarn bench:collection` (scripts/with-postgres.mjs)',
    );
  }
  await Promise.all(peers.map(p => p.close()));
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
