import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { EvidenceSummary } from '@helix-portal/plugin-rco-common';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseEvidenceStore } from './DatabaseEvidenceStore';
import { NewEvidence } from './EvidenceStore';
import { Ledger } from './Ledger';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const migrations = resolvePackagePath(
  '@helix-portal/plugin-rco-backend',
  'migrations',
);
const RANK_MIGRATION = '20261129183000_evidence_finding_rank.js';
const RCO = 'component:default/rco';
const D = `sha256:${'c'.repeat(64)}`;

const scan = (critical: number): EvidenceSummary => ({
  type: 'vulnerability-scan',
  tool: 'trivy',
  counts: { CRITICAL: critical, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 },
  findings: critical
    ? [{ id: 'CVE-2026-0001', severity: 'CRITICAL', package: 'openssl' }]
    : [],
  secrets: [],
  misconfigurations: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 },
});

let n = 0;
const upload = (
  summary: EvidenceSummary,
  subject: NewEvidence['subject'],
  at: number,
): NewEvidence => {
  n += 1;
  return {
    entityRef: RCO,
    kind: 'trivy',
    sha256: n.toString(16).padStart(64, '0'),
    subject,
    source: 'ci',
    submitter: 'service:ci-rco',
    collectedAt: new Date(at),
    summary,
    raw: '{}',
    rawFormat: 'json',
  };
};

async function setup(databaseId: any) {
  const knex = await databases.init(databaseId);
  await knex.migrate.latest({ directory: migrations });
  return { knex, store: new DatabaseEvidenceStore(knex, new Ledger(knex)) };
}

describe.each(databases.eachSupportedId())(
  'DatabaseEvidenceStore.listForRelease on %s',
  databaseId => {
    it('keeps a failing report in the window however many clean ones follow it', async () => {
      const { store } = await setup(databaseId);
      const t0 = Date.now() - 60_000;
      await store.add([upload(scan(1), { digest: D, version: '1.5.0' }, t0)]);
      await store.add(
        Array.from({ length: 30 }, (_, i) =>
          upload(scan(0), { digest: D, version: '1.5.0' }, t0 + 1000 + i),
        ),
      );
      const read = await store.listForRelease(
        RCO,
        { digest: D, version: '1.5.0' },
        25,
      );
      expect(read).toHaveLength(26);
      expect(read[0].summary).toEqual(scan(0));
      expect(read[25].summary).toEqual(scan(1));
    });

    it("matches a record naming the release's digest whatever its version or commit label", async () => {
      const { store } = await setup(databaseId);
      const t0 = Date.now() - 60_000;
      await store.add([
        upload(scan(1), { digest: D, version: '1.5.0', commit: 'abc1234' }, t0),
        upload(scan(0), { version: '1.5.0' }, t0 + 1),
        upload(scan(0), { version: '9.9.9' }, t0 + 2),
        upload(scan(0), { digest: `sha256:${'d'.repeat(64)}` }, t0 + 3),
      ]);
      const read = await store.listForRelease(
        RCO,
        { digest: D, version: '9.9.9', commit: 'def5678' },
        25,
      );
      expect(read.map(r => r.subject)).toEqual([
        { version: '9.9.9' },
        { digest: D, version: '1.5.0', commit: 'abc1234' },
      ]);
    });
  },
);

describe.each(databases.eachSupportedId())(
  'the finding_rank migration on %s',
  databaseId => {
    it('backfills the rank of rows written before it', async () => {
      const { knex, store } = await setup(databaseId);
      await knex.migrate.down({ directory: migrations, name: RANK_MIGRATION });
      const t0 = Date.now() - 60_000;
      // Written as before the migration: no finding_rank column yet.
      for (const [summary, id] of [
        [scan(1), 'r-failing'],
        [scan(0), 'r-clean'],
        [{ type: 'signature', verified: false }, 'r-unverified'],
        [{ type: 'oops' }, 'r-unknown'],
      ] as const)
        await knex('rco_evidence').insert({
          id,
          entity_ref: RCO,
          kind: 'trivy',
          sha256: id.padEnd(64, '0'),
          source: 'ci',
          submitter: 'service:ci-rco',
          collected_at: new Date(t0),
          summary: JSON.stringify(summary),
          raw: '{}',
          raw_format: 'json',
          raw_size: 2,
          dedupe_key: id.padEnd(64, '1'),
        });
      await knex.migrate.up({ directory: migrations, name: RANK_MIGRATION });
      const ranks = await knex('rco_evidence')
        .select('id', 'finding_rank')
        .orderBy('id');
      expect(
        Object.fromEntries(ranks.map(r => [r.id, Number(r.finding_rank)])),
      ).toEqual({
        'r-clean': 0,
        'r-failing': 5,
        'r-unknown': 0,
        'r-unverified': 1,
      });
      // And the store writes it from then on.
      await store.add([upload(scan(1), { digest: D }, t0 + 1)]);
      expect(
        await knex('rco_evidence').max({ m: 'finding_rank' }).first(),
      ).toEqual({ m: 5 });
    });
  },
);
