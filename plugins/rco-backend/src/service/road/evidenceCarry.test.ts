import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { EvidenceKind, evidenceScope } from '@helix-portal/plugin-rco-common';
import { createTestDatabases } from '../../__testUtils__/databases';
import { DatabaseEvidenceStore } from '../../database/DatabaseEvidenceStore';
import { NewEvidence } from '../../database/EvidenceStore';
import { Ledger } from '../../database/Ledger';
import { matchesRelease } from '../../gates/helpers';

/**
 * Issue 15, point 1: evidence about the image carries forward by digest (scans, SBOMs,
 * signatures uploaded while the release was in staging count in production); evidence about the
 * place does not (staging's policy reports, backups and alerts say nothing about production).
 * Read through the store's query and the gates' filter, as a production deploy is judged.
 */
const databases = createTestDatabases();
jest.setTimeout(60_000);

const migrations = resolvePackagePath(
  '@helix-portal/plugin-rco-backend',
  'migrations',
);
const RCO = 'component:default/rco';
const D = `sha256:${'d'.repeat(64)}`;
const OTHER = `sha256:${'e'.repeat(64)}`;

const SUMMARY: Partial<Record<EvidenceKind, any>> = {
  trivy: {
    type: 'vulnerability-scan',
    tool: 'trivy',
    counts: {},
    findings: [],
    secrets: [],
  },
  grype: {
    type: 'vulnerability-scan',
    tool: 'grype',
    counts: {},
    findings: [],
    secrets: [],
  },
  cyclonedx: { type: 'sbom', format: 'cyclonedx', components: 12 },
  spdx: { type: 'sbom', format: 'spdx', components: 12 },
  cosign: { type: 'signature', verified: true },
  'sigstore-bundle': { type: 'signature', verified: true },
  'policy-report': {
    type: 'policy-report',
    counts: { pass: 1, fail: 0, warn: 0, error: 0, skip: 0 },
    failures: [],
  },
  'velero-backup': { type: 'velero', phase: 'Completed' },
  'alerting-state': { type: 'alerting-state' },
};

let n = 0;
const record = (
  kind: EvidenceKind,
  digest: string,
  environment: string,
): NewEvidence => ({
  entityRef: RCO,
  kind,
  sha256: (++n).toString(16).padStart(64, '0'),
  subject: { version: '1.5.0', digest, environment },
  source: 'ci',
  submitter: 'service:ci-rco',
  collectedAt: new Date(Date.now() - 60_000 + n),
  summary: SUMMARY[kind],
  raw: '{}',
  rawFormat: 'json',
});

const IMAGE: EvidenceKind[] = [
  'trivy',
  'grype',
  'cyclonedx',
  'spdx',
  'cosign',
  'sigstore-bundle',
];
const PLACE: EvidenceKind[] = [
  'policy-report',
  'velero-backup',
  'alerting-state',
];

describe('evidence scope of the kinds the road relies on', () => {
  it.each([
    ...IMAGE.map(k => [k, 'image'] as const),
    ...PLACE.map(k => [k, 'environment'] as const),
  ])('%s is about the %s', (kind, scope) =>
    expect(evidenceScope(kind)).toBe(scope),
  );
});

describe.each(databases.eachSupportedId())(
  'evidence carried from staging to production on %s',
  databaseId => {
    it('counts staging’s image evidence of the same digest in production, not staging’s place evidence nor another digest’s', async () => {
      const knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory: migrations });
      const store = new DatabaseEvidenceStore(knex, new Ledger(knex));
      await store.add([
        ...[...IMAGE, ...PLACE].map(k => record(k, D, 'staging')),
        // The same kinds about another image: never this release's.
        ...IMAGE.map(k => record(k, OTHER, 'staging')),
      ]);
      const production = {
        version: '1.5.0',
        digest: D,
        environment: 'production',
      };
      const counted = (await store.listForRelease(RCO, production, 25)).filter(
        r => matchesRelease(r, production),
      );
      expect(counted.map(r => r.kind).sort()).toEqual([...IMAGE].sort());
      expect(new Set(counted.map(r => r.subject.digest))).toEqual(new Set([D]));
      // In staging itself the place evidence counts as well.
      const staging = { ...production, environment: 'staging' };
      const there = (await store.listForRelease(RCO, staging, 25)).filter(r =>
        matchesRelease(r, staging),
      );
      expect(there.map(r => r.kind).sort()).toEqual(
        [...IMAGE, ...PLACE].sort(),
      );
    });
  },
);
