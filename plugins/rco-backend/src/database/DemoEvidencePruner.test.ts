import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseEvidenceStore } from './DatabaseEvidenceStore';
import { DemoEvidencePruner } from './DemoEvidencePruner';
import { Ledger } from './Ledger';
import { reconcileLedger } from './LedgerReconciler';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const migrations = resolvePackagePath(
  '@helix-portal/plugin-rco-backend',
  'migrations',
);
const RCO = 'component:default/rco';
const DEMO = 'service:demo-ci (demo data)';

const record = (submitter: string, n: number) =>
  ({
    entityRef: RCO,
    kind: 'velero-backup',
    sha256: String(n).repeat(64).slice(0, 64),
    subject: { environment: 'production' },
    source: 'ci',
    submitter,
    collectedAt: new Date(),
    summary: { type: 'velero', object: 'Backup', name: `b${n}` },
    raw: `{"n":${n}}`,
    rawFormat: 'json',
  } as any);

describe('DemoEvidencePruner', () => {
  it.each(databases.eachSupportedId())(
    "prunes only the demo's own rows, each with a ledger entry the verification honours, while a row deleted without one is still reported (%s)",
    async databaseId => {
      const knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory: migrations });
      const ledger = new Ledger(knex);
      const store = new DatabaseEvidenceStore(knex, ledger);
      const stored = await store.add([
        record(DEMO, 1),
        record(DEMO, 2),
        record('service:ci-rco', 3),
        record('service:ci-rco', 4),
      ]);
      const [demo1, demo2, ci3, ci4] = stored.map(s => s.record.id);
      const pruner = new DemoEvidencePruner(knex, ledger, DEMO);

      // Someone else's record is never pruned, even when named.
      expect(
        await pruner.prune(RCO, [demo1, ci3], 'superseded by a newer list'),
      ).toBe(1);
      const left = (await knex('rco_evidence').select('id')).map(r => r.id);
      expect(left.sort()).toEqual([demo2, ci3, ci4].sort());
      const entry = (await knex('rco_ledger')
        .where({ entry_type: 'evidence-prune' })
        .first())!;
      expect(JSON.parse(entry.payload)).toEqual({
        id: demo1,
        reason: 'superseded by a newer list',
      });
      expect((await reconcileLedger(knex)).problems).toEqual([]);
      expect((await ledger.verify()).ok).toBe(true);

      // Deleting a row directly (no prune entry) is what tampering looks like: still reported.
      await knex('rco_evidence').where({ id: ci4 }).delete();
      const { problems } = await reconcileLedger(knex);
      expect(problems).toEqual([
        expect.objectContaining({
          table: 'rco_evidence',
          id: ci4,
          problem: expect.stringMatching(/is gone/),
        }),
      ]);
    },
  );
});
