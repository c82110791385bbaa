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
  'DatabaseEvidenceStore.releases on %s',
  databaseId => {
    it('lists one release per image digest with its version label, none without a digest', async () => {
      const { store } = await setup(databaseId);
      const t0 = Date.now() - 60_000;
      const E = `sha256:${'e'.repeat(64)}`;
      await store.add([
        upload(scan(0), { digest: D }, t0),
        upload(scan(0), { digest: D, version: '1.5.0' }, t0 + 1),
        upload(scan(0), { digest: D, environment: 'staging' }, t0 + 2),
        upload(scan(0), { version: '1.5.0' }, t0 + 3),
        upload(scan(0), { commit: 'abc1234' }, t0 + 4),
        upload(scan(0), { digest: E, version: '1.6.0' }, t0 + 5),
        upload(scan(0), { environment: 'qa' }, t0 + 6),
      ]);
      const { items, environments } = await store.releases(RCO);
      expect(items).toEqual([
        { digest: E, version: '1.6.0', lastEvidenceAt: new Date(t0 + 5) },
        { digest: D, version: '1.5.0', lastEvidenceAt: new Date(t0 + 2) },
      ]);
      expect(environments).toEqual(['qa', 'staging']);
    });
  },
);

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

    it('counts image evidence uploaded for another environment, and not cluster state (issue 12, point 4)', async () => {
      const { store } = await setup(databaseId);
      const t0 = Date.now() - 60_000;
      const policy: NewEvidence = {
        ...upload(scan(0), { environment: 'production' }, t0 + 1),
        kind: 'policy-report',
        summary: {
          type: 'policy-report',
          name: 'rco',
          counts: { pass: 1, fail: 0, warn: 0, error: 0, skip: 0 },
          failures: [],
        } as any,
      };
      await store.add([
        upload(scan(0), { digest: D, environment: 'production' }, t0),
        policy,
      ]);
      const read = await store.listForRelease(
        RCO,
        { digest: D, version: '1.5.0', environment: 'staging' },
        25,
      );
      expect(read.map(r => [r.kind, r.subject.environment])).toEqual([
        ['trivy', 'production'],
      ]);
      const production = await store.listForRelease(
        RCO,
        { digest: D, version: '1.5.0', environment: 'production' },
        25,
      );
      expect(production.map(r => r.kind)).toEqual(['policy-report', 'trivy']);
    });

    it('keeps the window per environment: one busy environment does not push out another', async () => {
      const { store } = await setup(databaseId);
      const t0 = Date.now() - 600_000;
      const backup = (environment: string, at: number): NewEvidence => ({
        ...upload(scan(0), { environment }, at),
        kind: 'velero-backup',
        summary: { type: 'velero', kind: 'Backup', name: `b${at}` } as any,
      });
      await store.add([backup('staging', t0)]);
      await store.add(
        Array.from({ length: 30 }, (_, i) =>
          backup('production', t0 + 1000 + i),
        ),
      );
      const read = await store.listForRelease(RCO, { digest: D }, 25);
      expect(
        read.filter(r => r.subject.environment === 'staging'),
      ).toHaveLength(1);
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
