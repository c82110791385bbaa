/* eslint-disable no-console */
// Benchmark of the evidence and gate API, through HTTP, on SQLite and (when
// BACKSTAGE_TEST_DATABASE_POSTGRES17_CONNECTION_STRING is set, as `yarn bench` does through
// scripts/with-postgres.mjs) on PostgreSQL. It prints figures; it asserts nothing.
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import knexFactory, { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { AddressInfo } from 'node:net';
import { rcoPlugin } from '../src/plugin';
import { sha256 } from '../src/lib/canonicalJson';

const ENTITIES = 1000;
const RECORDS = 100_000;
const TARGET_RECORDS = 1000;
const DIGEST = `sha256:${'d'.repeat(64)}`;
const examples = path.resolve(__dirname, '../../../examples');
const CI = `Bearer mock-service-token:${JSON.stringify({
  sub: 'external:bench-ci',
})}`;
const USER = `Bearer mock-user-token:${JSON.stringify({
  sub: 'user:default/bench',
})}`;

const entityName = (i: number) => `svc-${String(i).padStart(4, '0')}`;
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

function entities() {
  return Array.from({ length: ENTITIES }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: entityName(i),
      namespace: 'default',
      annotations: {
        'backstage.io/managed-by-location': `file:${path.join(
          examples,
          'rco/catalog-info.yaml',
        )}`,
        'rco.helix.dev/runbook': './runbook/rco-runbook.yaml',
      },
    },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: `group:default/team-${i % 20}`,
    },
  }));
}

const trivySummary = (critical: number) => ({
  type: 'vulnerability-scan',
  tool: 'trivy',
  counts: { CRITICAL: critical, HIGH: 0, MEDIUM: 3, LOW: 5, UNKNOWN: 0 },
  findings: critical
    ? [{ id: 'CVE-2024-0001', severity: 'CRITICAL', package: 'openssl' }]
    : [],
  secrets: [],
  misconfigurations: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 },
});

/** 100,000 evidence rows: 1,000 for svc-0000, the rest spread over the other entities. */
async function fill(knex: Knex) {
  const now = Date.now();
  let batch: any[] = [];
  const flush = async () => {
    if (batch.length) await knex.batchInsert('rco_evidence', batch, 500);
    batch = [];
  };
  for (let i = 0; i < RECORDS; i++) {
    const entity = i < TARGET_RECORDS ? 0 : 1 + (i % (ENTITIES - 1));
    const id = randomUUID();
    batch.push({
      id,
      entity_ref: `component:default/${entityName(entity)}`,
      kind: 'trivy',
      sha256: sha256(id),
      subject_version: `1.${i % 50}.0`,
      subject_digest: i % 10 === 0 ? DIGEST : `sha256:${sha256(`d${i % 50}`)}`,
      subject_commit: null,
      environment: null,
      source: 'ci',
      submitter: 'service:bench',
      collected_at: new Date(now - (RECORDS - i) * 1000),
      summary: JSON.stringify(trivySummary(i % 7 === 0 ? 1 : 0)),
      raw: '{}',
      raw_format: 'json',
      raw_size: 2,
      dedupe_key: sha256(`k${id}`),
    });
    if (batch.length >= 5000) await flush();
  }
  await flush();
}

function bigTrivy(bytes: number) {
  const vulns: any[] = [];
  const one = (n: number) => ({
    VulnerabilityID: `CVE-2024-${String(n).padStart(5, '0')}`,
    PkgName: `pkg-${n % 300}`,
    InstalledVersion: '1.0.0',
    FixedVersion: '1.0.1',
    Severity: ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'][n % 4],
    Title:
      'A vulnerability title long enough to look like the real thing in Trivy output',
    Description: 'x'.repeat(300),
  });
  let size = 0;
  for (let n = 0; size < bytes; n++) {
    const v = one(n);
    size += JSON.stringify(v).length + 1;
    vulns.push(v);
  }
  return JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: 'registry.helix.example/helix-core/rco:bench',
    ArtifactType: 'container_image',
    Metadata: {
      RepoDigests: [`registry.helix.example/helix-core/rco@${DIGEST}`],
    },
    Results: [
      {
        Target: 'rco',
        Class: 'os-pkgs',
        Type: 'alpine',
        Vulnerabilities: vulns,
      },
    ],
  });
}

async function run(label: string, knex: Knex) {
  const { server } = await startTestBackend({
    features: [
      rcoPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          backend: { baseUrl: 'http://localhost:7007' },
          rco: {
            ci: {
              subjects: [
                {
                  subject: 'external:bench-ci',
                  entities: ['component:default/svc-0000'],
                },
              ],
            },
          },
        },
      }),
      catalogServiceMock.factory({ entities: entities() }),
    ],
  });
  const base = `http://127.0.0.1:${
    (server.address() as AddressInfo).port
  }/api/rco`;
  const get = (url: string) =>
    fetch(`${base}${url}`, { headers: { Authorization: USER } });

  const t0 = Date.now();
  await fill(knex);
  console.log(
    `[${label}] filled ${RECORDS} evidence records in ${(
      (Date.now() - t0) /
      1000
    ).toFixed(1)} s`,
  );

  // status: one entity with 1,000 records among 100,000.
  const statusUrl = `/entities/component/default/${entityName(
    0,
  )}/status?version=1.0.0&digest=${DIGEST}`;
  for (let i = 0; i < 20; i++) await (await get(statusUrl)).json();
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const s = performance.now();
    const res = await get(statusUrl);
    await res.json();
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    times.push(performance.now() - s);
  }
  console.log(
    `[${label}] status (1,000 of 100,000 records), 200 requests: p50 ${ms(
      pct(times, 50),
    )}, p95 ${ms(pct(times, 95))}`,
  );

  // portfolio of 1,000 entities (after one warm-up that reads every runbook once).
  const c0 = performance.now();
  await (await get('/portfolio?limit=50')).json();
  console.log(
    `[${label}] portfolio of ${ENTITIES} entities, first (cold) request: ${ms(
      performance.now() - c0,
    )}`,
  );
  const portfolio: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    const body = await (await get('/portfolio?limit=50')).json();
    portfolio.push(performance.now() - s);
    if (body.totalItems !== ENTITIES)
      throw new Error(`portfolio has ${body.totalItems}`);
  }
  console.log(
    `[${label}] portfolio of ${ENTITIES} entities, 5 requests: median ${ms(
      pct(portfolio, 50),
    )}, max ${ms(Math.max(...portfolio))}`,
  );

  // One 5 MB Trivy report.
  const report = bigTrivy(5 * 1024 * 1024);
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const s5 = performance.now();
  const up = await fetch(
    `${base}/entities/component/default/${entityName(
      0,
    )}/evidence?digest=${DIGEST}&version=2.0.0`,
    {
      method: 'POST',
      headers: { Authorization: CI, 'Content-Type': 'application/json' },
      body: report,
    },
  );
  const upMs = performance.now() - s5;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(
    `[${label}] 5 MB Trivy upload (${(report.length / 1048576).toFixed(
      1,
    )} MiB): ${up.status} in ${ms(upMs)}, peak RSS growth ${(
      (peak - before) /
      1048576
    ).toFixed(0)} MiB`,
  );

  // Sequential small uploads.
  const N = 400;
  const s6 = performance.now();
  for (let i = 0; i < N; i++) {
    const body = JSON.stringify({
      name: `rco-${i}`,
      namespace: 'rco-prod',
      version: i + 1,
      info: { status: 'deployed', last_deployed: new Date().toISOString() },
    });
    const res = await fetch(
      `${base}/entities/component/default/${entityName(0)}/evidence`,
      {
        method: 'POST',
        headers: { Authorization: CI, 'Content-Type': 'application/json' },
        body,
      },
    );
    if (res.status !== 201)
      throw new Error(`upload ${res.status}: ${await res.text()}`);
  }
  const secs = (performance.now() - s6) / 1000;
  console.log(
    `[${label}] ${N} sequential small uploads: ${(N / secs).toFixed(
      0,
    )} uploads/s`,
  );
  server.close();
}

async function main() {
  const sqlite = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  await run('sqlite', sqlite);
  await sqlite.destroy();
  const pg = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES17_CONNECTION_STRING;
  if (pg) {
    const admin = knexFactory({ client: 'pg', connection: pg });
    await admin.raw('CREATE DATABASE rco_bench');
    await admin.destroy();
    const db = knexFactory({
      client: 'pg',
      connection: `${pg}/rco_bench`,
      pool: { min: 1, max: 10 },
    });
    await run('postgres', db);
    await db.destroy();
  } else {
    console.log(
      '[postgres] skipped: run through `yarn bench` (scripts/with-postgres.mjs)',
    );
  }
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
