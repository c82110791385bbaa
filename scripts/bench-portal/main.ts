/* eslint-disable no-console */
// `yarn bench:portal`: the portal benchmark of issue 14. It runs the REAL portal backend
// (packages/backend: catalog, auth with the guest provider, the permission backend with the rco
// policy, signals, the rco plugin) as child processes on ports 7101 and 7102, on the embedded
// PostgreSQL of scripts/with-postgres.mjs, with N governed services in the real catalog, and
// measures it over HTTP with Backstage tokens, as a portal is used. No test mocks.
// Each figure is printed beside its target. Environment:
//   BENCH_SERVICES (1000), BENCH_EVIDENCE (100000),
//   BENCH_PHASES (catalog,status,portfolio,uploads,deploy,verdict,two),
//   BENCH_READS (300), BENCH_UPLOADS (300), BENCH_DEPLOYS_ALONE (10), BENCH_DEPLOYS_BURST (20),
//   BENCH_CPU_PROF=1 (V8 CPU profile of the backend after its restart, summarised at the end),
//   BENCH_KEEP=1 (keep the temp dir: logs, config, profiles).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Backend, startBackend } from './backend';
import { Ctx, servicePlan, settle } from './context';
import { DEPLOYS, deployFigure } from './deploy';
import { guestToken, ok } from './http';
import { postgresCpuReader } from './postgresCpu';
import { profiled, summarisePhases, summariseProfiles } from './profile';
import {
  catalogFloor,
  judgeEverything,
  portfolioFirst,
  portfolioPages,
  statusFigure,
} from './reads';
import { figure, heading, note, summary } from './report';
import { seedEvidence } from './seed';
import { secondInstanceConfig, writeSetup } from './setup';
import { twoInstances } from './two';
import { uploadFigures, verdictFigure } from './writes';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 1000);
const EVIDENCE = Number(process.env.BENCH_EVIDENCE ?? 100_000);
const PHASES = new Set(
  (
    process.env.BENCH_PHASES ??
    'catalog,status,portfolio,uploads,deploy,verdict,two'
  ).split(','),
);
const PORTS = [7101, 7102];
const repo = path.resolve(__dirname, '../..');
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function waitForCatalog(backend: Backend, services: number) {
  const started = Date.now();
  const filter =
    'filter=kind=component,metadata.annotations.rco.helix.dev/runbook';
  for (let last = -1; ; ) {
    // A guest token before the guest's User entity is in the catalog has no group: ask again.
    const token = await guestToken(backend.baseUrl);
    const res = await ok(
      `${backend.baseUrl}/api/catalog/entities/by-query?${filter}&limit=1`,
      { token },
    );
    const guest = await fetch(
      `${backend.baseUrl}/api/catalog/entities/by-name/user/default/guest`,
      { headers: { Authorization: `Bearer ${token}` } },
    ).then(r => (r.ok ? r.json() : undefined));
    const member = guest?.relations?.some((r: any) => r.type === 'memberOf');
    if (res.body.totalItems >= services && member) {
      return {
        ms: Date.now() - started,
        token: await guestToken(backend.baseUrl),
      };
    }
    if (res.body.totalItems !== last) {
      last = res.body.totalItems;
      console.log(
        `  catalog holds ${last}/${services} services after ${s(
          Date.now() - started,
        )}`,
      );
    }
    if (Date.now() - started > 30 * 60_000)
      throw new Error('catalog never held every service');
    await new Promise(r => setTimeout(r, 2000));
  }
}

async function main() {
  const connection =
    process.env.BACKSTAGE_TEST_DATABASE_POSTGRES17_CONNECTION_STRING;
  if (!connection)
    throw new Error(
      'run through scripts/with-postgres.mjs (yarn bench:portal)',
    );
  const began = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-bench-portal-'));
  const profileDir =
    process.env.BENCH_CPU_PROF === '1' ? path.join(dir, 'profiles') : undefined;
  const setup = writeSetup({
    dir,
    services: SERVICES,
    databaseConnection: connection,
  });
  const plan = servicePlan(SERVICES, DEPLOYS);
  const configFiles = [path.join(repo, 'app-config.yaml'), setup.configFile];
  console.log(
    `Portal benchmark: ${SERVICES} governed services, ${EVIDENCE} evidence records, phases ${[
      ...PHASES,
    ].join(',')}; work dir ${dir}`,
  );
  const start = (port: number, profile = false) =>
    startBackend({
      port,
      configFiles:
        port === PORTS[0]
          ? configFiles
          : [...configFiles, secondInstanceConfig(setup, port)],
      logDir: dir,
      cpuProfileDir: profile ? profileDir : undefined,
    });

  heading('Start and catalog');
  let a = await start(PORTS[0]);
  console.log(`  backend started (first start, migrations) in ${s(a.startMs)}`);
  const caught = await waitForCatalog(a, SERVICES);
  figure(
    'catalog holds every service',
    `${s(caught.ms)} after the backend was ready`,
  );
  const ctx: Ctx = {
    setup,
    connection,
    pgCpu: postgresCpuReader(Number(new URL(connection).port)),
    backends: [a],
    guest: caught.token,
    fresh: plan.fresh,
  };
  if (!ctx.pgCpu)
    note('PostgreSQL CPU cannot be read here (/proc): database CPU left out');

  if (EVIDENCE > 0) {
    heading('Evidence');
    const seeded = await seedEvidence({
      baseUrl: a.baseUrl,
      ciToken: setup.ciToken,
      connection,
      ledgerKey: setup.ledgerKey,
      services: SERVICES,
      records: EVIDENCE,
    });
    figure(
      'evidence records',
      `${seeded.inTable} in rco_evidence (${
        seeded.written
      } written by direct SQL with their ledger entries in ${s(
        seeded.ms,
      )}; kinds ${[...new Set(seeded.kinds)].join(', ')})`,
    );
  }

  // The portfolio's "first request after start" is a restart of a portal that holds everything:
  // every service judged before it stops.
  if (PHASES.has('portfolio')) await judgeEverything(ctx, SERVICES);
  heading('Restart');
  await a.stop();
  a = await start(PORTS[0], !!profileDir);
  ctx.backends = [a];
  console.log(
    `  backend restarted in ${s(a.startMs)}${
      profileDir ? ' (with --cpu-prof)' : ''
    }`,
  );
  if (PHASES.has('portfolio'))
    await profiled('portfolio first', () => portfolioFirst(ctx, SERVICES));

  heading('Reads');
  note(await settle(ctx));
  if (PHASES.has('catalog')) await profiled('catalog', () => catalogFloor(ctx));
  if (PHASES.has('status')) await profiled('status', () => statusFigure(ctx));
  if (PHASES.has('portfolio'))
    await profiled('portfolio pages', () => portfolioPages(ctx, SERVICES));

  heading('Writes');
  if (PHASES.has('uploads'))
    await profiled('uploads', () => uploadFigures(ctx));
  if (PHASES.has('verdict'))
    await profiled('verdict', () => verdictFigure(ctx));
  if (PHASES.has('deploy'))
    await profiled('deploy', () => deployFigure(ctx, plan.owned));

  if (PHASES.has('two')) {
    heading('Two backend instances on one PostgreSQL');
    const b = await start(PORTS[1]);
    await twoInstances(ctx, b, SERVICES, new Set(PHASES));
  }

  for (const backend of ctx.backends) await backend.stop();
  if (profileDir) {
    summariseProfiles(profileDir);
    summarisePhases(profileDir);
  }
  summary();
  console.log(`\nRun time ${s(Date.now() - began)}`);
  if (process.env.BENCH_KEEP !== '1')
    fs.rmSync(dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  error => {
    // Knex errors quote the whole statement: the start and the reason are enough.
    const text = String(error?.stack ?? error);
    console.error(
      text.length > 3000
        ? `${text.slice(0, 1500)} … ${text.slice(-1500)}`
        : text,
    );
    process.exit(1);
  },
);
