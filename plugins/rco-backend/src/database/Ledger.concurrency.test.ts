import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseEvidenceStore } from './DatabaseEvidenceStore';
import { NewEvidence } from './EvidenceStore';
import { Ledger } from './Ledger';

/**
 * Issue 14, point 4: on PostgreSQL the ledger serialises the writers of one chain (one entity)
 * and nothing more. A writer that holds its transaction open after appending for one entity
 * must not stop another entity's writer from committing (no table lock, no SERIALIZABLE, no
 * unique index or sequence shared by chains); two writers of the same chain queue and never
 * fork it. SQLite transactions are serial by design, so this is PostgreSQL's test only.
 */
const databases = createTestDatabases();
jest.setTimeout(60_000);

const migrations = resolvePackagePath(
  '@helix-portal/plugin-rco-backend',
  'migrations',
);
const A = 'component:default/payments';
const B = 'component:default/rco';

/** Whether `p` settles within `ms` (it keeps running either way). */
async function settlesWithin(p: Promise<unknown>, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>(r => {
        timer = setTimeout(() => r(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const upload = (entityRef: string, n: number): NewEvidence => ({
  entityRef,
  kind: 'trivy',
  sha256: n.toString(16).padStart(64, '0'),
  subject: { version: '1.0.0' },
  source: 'ci',
  submitter: 'service:ci',
  collectedAt: new Date(),
  summary: { type: 'vulnerabilities', counts: {} } as any,
  raw: `{"n":${n}}`,
  rawFormat: 'json',
});

// Without PostgreSQL (a local run without scripts/with-postgres.mjs) there is nothing to test;
// CI refuses to run without it (createTestDatabases).
const onPostgres = databases.supports('POSTGRES_17') ? describe : describe.skip;

onPostgres('ledger writers of different chains on PostgreSQL', () => {
  let knex: Knex;
  let open: Knex.Transaction | undefined;
  afterEach(async () => {
    await open?.rollback().catch(() => undefined);
    open = undefined;
  });

  const setup = async () => {
    knex = await databases.init('POSTGRES_17');
    await knex.migrate.latest({ directory: migrations });
    return new Ledger(knex, Buffer.alloc(32, 1));
  };

  it("refuses: a writer holding its transaction open after appending for one entity makes another entity's writer wait", async () => {
    const ledger = await setup();
    open = await knex.transaction();
    await ledger.append(open, {
      entryType: 'test',
      entityRef: A,
      actor: 'a',
      payload: { n: 1 },
    });

    // Another entity's append, and an upload with its ledger entry, commit meanwhile.
    const other = knex.transaction(tx =>
      ledger.append(tx, {
        entryType: 'test',
        entityRef: B,
        actor: 'b',
        payload: { n: 2 },
      }),
    );
    expect(await settlesWithin(other, 5_000)).toBe(true);
    await expect(other).resolves.toMatchObject({ entityRef: B });
    const store = new DatabaseEvidenceStore(knex, ledger);
    const uploaded = store.add([upload(B, 3)]);
    expect(await settlesWithin(uploaded, 5_000)).toBe(true);
    expect((await uploaded)[0].created).toBe(true);

    // The same chain waits for the open transaction, then continues it.
    const same = knex.transaction(tx =>
      ledger.append(tx, {
        entryType: 'test',
        entityRef: A,
        actor: 'c',
        payload: { n: 4 },
      }),
    );
    const sameUpload = store.add([upload(A, 5)]);
    expect(await settlesWithin(same, 500)).toBe(false);
    expect(await settlesWithin(sameUpload, 10)).toBe(false);
    await open.commit();
    open = undefined;
    await Promise.all([same, sameUpload]);

    const chainA = await ledger.list({ entityRef: A });
    expect(chainA).toHaveLength(3);
    for (let i = 1; i < chainA.length; i++)
      expect(chainA[i].prevHash).toBe(chainA[i - 1].hash);
    expect(await ledger.verify()).toMatchObject({ ok: true, entries: 5 });
  });

  it('refuses: twenty concurrent uploads for two entities fork a chain', async () => {
    const ledger = await setup();
    const store = new DatabaseEvidenceStore(knex, ledger);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.add([upload(i % 2 ? A : B, 100 + i)]),
      ),
    );
    for (const ref of [A, B]) {
      const chain = await ledger.list({ entityRef: ref });
      expect(chain).toHaveLength(10);
      const prevs = new Set(chain.map(e => e.prevHash));
      expect(prevs.size).toBe(10); // no two entries continue the same one
    }
    expect(await ledger.verify()).toMatchObject({ ok: true, entries: 20 });
  });
});
