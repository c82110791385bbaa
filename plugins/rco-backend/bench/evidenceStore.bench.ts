/**
 * Uploads straight against DatabaseEvidenceStore on PostgreSQL (issue 14, point 4): sequential
 * uploads per second, and the p95 of 50 concurrent uploads for 50 entities (50 pipelines).
 * No HTTP, parsing or masking: this measures the store's transaction and ledger append only.
 * BENCH_GROUP=1 measures a group commit (uploads arriving during a commit share the next one),
 * which the store does not do (see DatabaseEvidenceStore.add); BENCH_ASYNC_COMMIT=1 turns off
 * synchronous_commit, to see how much of an upload is the WAL flush (diagnosis, never deployed).
 *   node scripts/with-postgres.mjs node -r @backstage/cli/config/nodeTransform.cjs \
 *     plugins/rco-backend/bench/evidenceStore.bench.ts
 */
import knexFactory from 'knex';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DatabaseEvidenceStore } from '../src/database/DatabaseEvidenceStore';
import { Ledger } from '../src/database/Ledger';
import { NewEvidence } from '../src/database/EvidenceStore';

const url = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES17_CONNECTION_STRING;
if (!url) throw new Error('Run through scripts/with-postgres.mjs');

const record = (entityRef: string): NewEvidence => {
  const id = randomUUID();
  return {
    entityRef,
    kind: 'trivy',
    sha256: id.replace(/-/g, '').padEnd(64, '0'),
    subject: { version: '1.0.0' },
    source: 'ci',
    submitter: 'service:ci',
    collectedAt: new Date(),
    summary: { type: 'vulnerabilities', counts: { critical: 0 } } as any,
    raw: JSON.stringify({ id, results: [] }),
    rawFormat: 'json',
  };
};

type Result = Awaited<ReturnType<DatabaseEvidenceStore['add']>>;

/**
 * Group commit, as measured (BENCH_GROUP=1): uploads arriving while a commit is in flight wait
 * and are written together in the next transaction; a batch that fails is retried one by one.
 */
class GroupCommit {
  private queue: Array<{
    records: NewEvidence[];
    resolve: (r: Result) => void;
    reject: (e: unknown) => void;
  }> = [];
  private busy = false;
  batches: number[] = [];
  constructor(
    private readonly db: knexFactory.Knex,
    private readonly store: DatabaseEvidenceStore,
  ) {}
  add(records: NewEvidence[]) {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      this.kick();
    });
  }
  private kick() {
    if (this.busy || !this.queue.length) return;
    this.busy = true;
    setImmediate(() => this.flush());
  }
  private async flush() {
    const batch = this.queue.splice(0, 64);
    this.batches.push(batch.length);
    try {
      const results = await this.db.transaction(async tx => {
        const out: Result[] = [];
        for (const item of batch)
          out.push(await this.store.addIn(tx, item.records));
        return out;
      });
      batch.forEach((item, i) => item.resolve(results[i]));
    } catch {
      await Promise.all(
        batch.map(item =>
          this.store.add(item.records).then(item.resolve, item.reject),
        ),
      );
    } finally {
      this.busy = false;
      this.kick();
    }
  }
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.ceil((p / 100) * xs.length) - 1];

async function main() {
  const admin = knexFactory({ client: 'pg', connection: url });
  const name = `rco_bench_${process.pid}`;
  await admin.raw(`CREATE DATABASE ${name}`);
  const db = knexFactory({
    client: 'pg',
    connection: `${url}/${name}`,
    // Backstage's default pool for a plugin database.
    pool: {
      min: 0,
      max: 10,
      // Diagnosis only (BENCH_ASYNC_COMMIT=1): how much of an upload is waiting for the WAL flush.
      ...(process.env.BENCH_ASYNC_COMMIT
        ? {
            afterCreate: (conn: any, done: any) =>
              conn.query('SET synchronous_commit = off', done),
          }
        : {}),
    },
  });
  try {
    await db.migrate.latest({
      directory: path.resolve(__dirname, '../migrations'),
    });
    const plain = new DatabaseEvidenceStore(
      db,
      new Ledger(db, Buffer.alloc(32, 7)),
    );
    const group = process.env.BENCH_GROUP
      ? new GroupCommit(db, plain)
      : undefined;
    const store = group ?? plain;
    console.log(group ? 'group commit' : 'one transaction per upload');
    // Warm-up: connections, plans.
    for (let i = 0; i < 50; i++)
      await store.add([record(`component:default/warm-${i % 5}`)]);

    const seqN = Number(process.env.SEQ_N ?? 1000);
    let started = performance.now();
    for (let i = 0; i < seqN; i++)
      await store.add([record(`component:default/svc-${i % 100}`)]);
    const seqMs = performance.now() - started;
    console.log(
      `sequential uploads: ${((seqN * 1000) / seqMs).toFixed(
        0,
      )}/s (${seqN} in ${seqMs.toFixed(0)} ms)`,
    );

    const rounds = Number(process.env.ROUNDS ?? 10);
    const latencies: number[] = [];
    started = performance.now();
    for (let r = 0; r < rounds; r++) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const t = performance.now();
          await store.add([record(`component:default/pipeline-${i}`)]);
          latencies.push(performance.now() - t);
        }),
      );
    }
    const burstMs = performance.now() - started;
    console.log(
      `50 concurrent uploads x ${rounds}: p50 ${pct(latencies, 50).toFixed(
        1,
      )} ms, p95 ${pct(latencies, 95).toFixed(1)} ms, max ${Math.max(
        ...latencies,
      ).toFixed(1)} ms, ${((latencies.length * 1000) / burstMs).toFixed(0)}/s`,
    );
    if (group) {
      const sizes = group.batches;
      console.log(
        `batches: ${sizes.length}, mean ${(
          sizes.reduce((a, b) => a + b, 0) / sizes.length
        ).toFixed(1)} uploads`,
      );
    }
    const ledger = new Ledger(db, Buffer.alloc(32, 7));
    const verified = await ledger.verify();
    console.log(
      `ledger verifies: ${verified.ok} (${verified.entries} entries)`,
    );
  } finally {
    await db.destroy();
    await admin.raw(`DROP DATABASE ${name}`);
    await admin.destroy();
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
