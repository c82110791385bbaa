import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { readSample } from '../__testUtils__/fixtures';
import {
  asService,
  asUser,
  DIGEST,
  RCO,
  RELEASE,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';
import { resetSimulatedCluster } from '../drivers/simulated/SimulatedDriver';

/**
 * Issue 10, points 4 (who may attest what) and 11 (evidence about an image must be about that
 * image). The harness configures registry.example/rco as RCO's image repository (staging).
 */
const databases = createTestDatabases();
jest.setTimeout(120_000);
beforeEach(() => resetSimulatedCluster());

const CI = asService('external:ci-rco');
const ALICE = asUser('alice');
const OTHER_DIGEST = `sha256:${'d'.repeat(64)}`;
const REPO = 'registry.example/rco';

/** A Trivy report of RCO's own image (the sample's format), with or without a CRITICAL finding. */
function trivyOfRco(options: {
  critical: boolean;
  digest?: string;
  named?: boolean;
}) {
  const doc = JSON.parse(readSample('trivy-image-alpine310.json'));
  // A tarball path names no image; a reference does (Metadata.Reference, ArtifactName).
  doc.ArtifactName = options.named === false ? 'rco.tar' : `${REPO}:1.5.0`;
  doc.Metadata.RepoTags = options.named === false ? [] : [`${REPO}:1.5.0`];
  if (options.named === false) delete doc.Metadata.Reference;
  else doc.Metadata.Reference = `${REPO}:1.5.0`;
  doc.Metadata.RepoDigests =
    options.named === false ? [] : [`${REPO}@${options.digest ?? DIGEST}`];
  if (options.named === false) delete doc.Metadata.ImageID;
  for (const result of doc.Results ?? []) result.Vulnerabilities = [];
  if (options.critical)
    doc.Results[0].Vulnerabilities = [
      {
        VulnerabilityID: 'CVE-2026-0001',
        PkgName: 'openssl',
        InstalledVersion: '1.1.1',
        FixedVersion: '1.1.2',
        Severity: 'CRITICAL',
      },
    ];
  return JSON.stringify(doc);
}

const upload = (app: any, auth: string, body: string, query = '') =>
  request(app)
    .post(`${RCO}/evidence${query}`)
    .set('Authorization', auth)
    .set('Content-Type', 'application/octet-stream')
    .send(Buffer.from(body));

const FOR_RELEASE = `?version=${RELEASE.version}&digest=${DIGEST}`;

async function gate(app: any, id: string) {
  const res = await request(app)
    .get(`${RCO}/status${FOR_RELEASE}`)
    .set('Authorization', ALICE);
  expect(res.status).toBe(200);
  return res.body.gates.find((g: any) => g.id === id);
}

const dryRun = (succeeded: boolean) =>
  `apiVersion: rco.helix.dev/v1\nkind: RollbackDryRun\nmetadata: { name: dr }\nspec:\n  release: rco\n  fromRevision: 2\n  toRevision: 1\n  succeeded: ${succeeded}\n  performedAt: '${new Date().toISOString()}'\n  tool: helm\n`;

async function start(databaseId: any, rco: Record<string, unknown> = {}) {
  const knex = await databases.init(databaseId);
  return startOperationsBackend(knex, { rco, logLevel: 'none' });
}

describe('point 4: who may attest what', () => {
  it.each(databases.eachSupportedId())(
    "refuses: an owner uploads a clean Trivy report over CI's failing one (%s)",
    async databaseId => {
      const { app } = await start(databaseId);
      await upload(app, CI, trivyOfRco({ critical: true }), FOR_RELEASE).expect(
        201,
      );
      await upload(
        app,
        ALICE,
        trivyOfRco({ critical: false }),
        FOR_RELEASE,
      ).expect(201);
      const g = await gate(app, 'image-scanning');
      expect(g.status).toBe('fail');
      expect(g.reasons.join('\n')).toContain('CVE-2026-0001');
      expect(g.reasons).toContainEqual(
        expect.stringContaining(
          'ignored: uploaded by a person (user:default/alice); image-scanning accepts ci, cluster, monitoring, system',
        ),
      );
      // The page shows where each item came from.
      expect(g.evidence).toEqual([
        expect.objectContaining({
          kind: 'trivy',
          source: 'ci',
          submitter: 'service:external:ci-rco',
        }),
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: an owner uploads an empty gitleaks list over CI's failing one (%s)",
    async databaseId => {
      const { app } = await start(databaseId);
      await upload(
        app,
        CI,
        readSample('gitleaks-report-json-simple.json'),
        '?kind=gitleaks',
      ).expect(201);
      await upload(
        app,
        ALICE,
        '[]',
        '?kind=gitleaks&commit=0000000000000000',
      ).expect(201);
      const g = await gate(app, 'secret-hygiene');
      expect(g.status).toBe('fail');
      expect(g.reasons[0]).toMatch(/^gitleaks found \d+ secret/);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: an owner uploads a hand-written "succeeded" RollbackDryRun (%s)',
    async databaseId => {
      const { app } = await start(databaseId);
      await upload(app, ALICE, dryRun(true)).expect(201);
      const g = await gate(app, 'migration-controls');
      expect(g.status).not.toBe('pass');
      expect(g.reasons).toContainEqual(
        expect.stringContaining('ignored: uploaded by a person'),
      );
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: where people may attest, a person's newer clean scan replaces CI's failing one (%s)",
    async databaseId => {
      const { app } = await start(databaseId, {
        gates: { 'image-scanning': { sources: ['ci', 'human'] } },
      });
      await upload(app, CI, trivyOfRco({ critical: true }), FOR_RELEASE).expect(
        201,
      );
      await upload(
        app,
        ALICE,
        trivyOfRco({ critical: false }),
        FOR_RELEASE,
      ).expect(201);
      const g = await gate(app, 'image-scanning');
      expect(g.status).toBe('fail');
      expect(g.reasons.join('\n')).toContain('CVE-2026-0001');
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: where people may attest, a person's newer succeeded dry-run replaces CI's failed one (%s)",
    async databaseId => {
      const { app } = await start(databaseId, {
        gates: { 'migration-controls': { sources: ['ci', 'system', 'human'] } },
      });
      await upload(app, CI, dryRun(false)).expect(201);
      await upload(app, ALICE, dryRun(true)).expect(201);
      const g = await gate(app, 'migration-controls');
      expect(g.status).toBe('fail');
      expect(g.evidence).toEqual([
        expect.objectContaining({
          source: 'ci',
          submitter: 'service:external:ci-rco',
        }),
      ]);
    },
  );
  it.each(databases.eachSupportedId())(
    "refuses: where people may attest, a flood of a person's clean scans pushes CI's failing one out of what the gate reads (%s)",
    async databaseId => {
      const { app } = await start(databaseId, {
        gates: { 'image-scanning': { sources: ['ci', 'human'] } },
      });
      await upload(app, CI, trivyOfRco({ critical: true }), FOR_RELEASE).expect(
        201,
      );
      // More distinct clean reports than the gates read of one kind (25).
      for (let i = 0; i < 30; i++) {
        const doc = JSON.parse(trivyOfRco({ critical: false }));
        doc.CreatedAt = new Date(Date.now() + i).toISOString();
        await upload(app, ALICE, JSON.stringify(doc), FOR_RELEASE).expect(201);
      }
      const g = await gate(app, 'image-scanning');
      expect(g.status).toBe('fail');
      expect(g.reasons.join('\n')).toContain('CVE-2026-0001');
    },
  );
});

describe("point 4: a person's copy of CI's report never stands in for CI's upload", () => {
  it.each(databases.eachSupportedId())(
    "refuses: an owner uploads CI's report first, so CI's identical upload returns the person's record and never counts (%s)",
    async databaseId => {
      const { app } = await start(databaseId);
      const report = trivyOfRco({ critical: true });
      await upload(app, ALICE, report, FOR_RELEASE).expect(201);
      const ci = await upload(app, CI, report, FOR_RELEASE).expect(201);
      expect(ci.body.items[0]).toMatchObject({ created: true, source: 'ci' });
      const g = await gate(app, 'image-scanning');
      expect(g.status).toBe('fail');
      expect(g.reasons.join('\n')).toContain('CVE-2026-0001');
    },
  );
});

describe('point 11: evidence about an image must be about that image', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a Trivy report of an unrelated image filed under the release digest (%s)',
    async databaseId => {
      const { app } = await start(databaseId);
      const res = await upload(
        app,
        CI,
        readSample('trivy-image-alpine310.json'),
        FOR_RELEASE,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(
        'ghcr.io/aquasecurity/trivy-test-images',
      );
      expect(res.body.error.message).toContain(REPO);
      expect((await gate(app, 'image-scanning')).evidence).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a report naming another digest than the one it is filed under (%s)',
    async databaseId => {
      const { app } = await start(databaseId);
      const res = await upload(
        app,
        CI,
        trivyOfRco({ critical: false, digest: OTHER_DIGEST }),
        FOR_RELEASE,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(OTHER_DIGEST);
      expect(res.body.error.message).toContain(DIGEST);
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: a cosign result for another image and another repository than the service's (%s)",
    async databaseId => {
      const { app } = await start(databaseId);
      const sample = readSample('cosign-verify-key-based.json');
      const signed =
        JSON.parse(sample)[0].critical.image['docker-manifest-digest'];
      const filed = await upload(app, CI, sample, FOR_RELEASE);
      expect(filed.status).toBe(400);
      expect(filed.body.error.message).toContain(signed);
      expect(filed.body.error.message).toContain(DIGEST);
      const unfiled = await upload(app, CI, sample);
      expect(unfiled.status).toBe(400);
      expect(unfiled.body.error.message).toContain('localhost:5000/tcpconnect');
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a query parameter contradicting what the document says (%s)',
    async databaseId => {
      const { app } = await start(databaseId);
      const sbom = JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        version: 1,
        metadata: {
          component: { type: 'application', name: 'rco', version: '2.0.0' },
        },
        components: [],
      });
      const res = await upload(app, CI, sbom, FOR_RELEASE);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('2.0.0');
      expect(res.body.error.message).toContain(RELEASE.version);
      // What the document does not say, the query fills in.
      await upload(app, CI, sbom, `?digest=${DIGEST}`).expect(201);
    },
  );

  it.each(databases.eachSupportedId())(
    'accepts a document naming no image, and shows it as asserted by its uploader (%s)',
    async databaseId => {
      const { app } = await start(databaseId);
      await upload(
        app,
        CI,
        trivyOfRco({ critical: false, named: false }),
        FOR_RELEASE,
      ).expect(201);
      const g = await gate(app, 'image-scanning');
      expect(g.evidence).toEqual([
        expect.objectContaining({
          kind: 'trivy',
          imageAssertedBy: 'service:external:ci-rco',
        }),
      ]);
      expect(g.reasons).toContain(
        'trivy: image asserted by service:external:ci-rco',
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a later clean scan of the same digest erases a finding (%s)',
    async databaseId => {
      const { app } = await start(databaseId);
      await upload(app, CI, trivyOfRco({ critical: true }), FOR_RELEASE).expect(
        201,
      );
      await upload(
        app,
        CI,
        trivyOfRco({ critical: false }),
        FOR_RELEASE,
      ).expect(201);
      const g = await gate(app, 'image-scanning');
      expect(g.status).toBe('fail');
      expect(g.reasons.join('\n')).toContain('CVE-2026-0001');
      expect(g.reasons.join('\n')).toContain(
        'A later clean scan of sha256:cccccccccccc… does not erase these findings',
      );
    },
  );
});

/** Adversarial review of points 4 and 11 (F3): each `it` fails on the code before its fix. */
describe('point 11: the worse report stands, whoever floods and whatever the label', () => {
  it.each(databases.eachSupportedId())(
    "refuses: a flood of CI's own clean Trivy reports pushes its failing one out of what the gate reads (%s)",
    async databaseId => {
      const { app } = await start(databaseId);
      await upload(app, CI, trivyOfRco({ critical: true }), FOR_RELEASE).expect(
        201,
      );
      for (let i = 0; i < 30; i++) {
        const doc = JSON.parse(trivyOfRco({ critical: false }));
        doc.CreatedAt = new Date(Date.now() + i).toISOString();
        await upload(app, CI, JSON.stringify(doc), FOR_RELEASE).expect(201);
      }
      const g = await gate(app, 'image-scanning');
      expect(g.status).toBe('fail');
      expect(g.reasons.join('\n')).toContain('CVE-2026-0001');
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: a flood of CI's own empty gitleaks lists pushes its failing one out of what the gate reads (%s)",
    async databaseId => {
      const { app } = await start(databaseId);
      await upload(
        app,
        CI,
        readSample('gitleaks-report-json-simple.json'),
        '?kind=gitleaks',
      ).expect(201);
      for (let i = 0; i < 30; i++)
        await upload(app, CI, `[${' '.repeat(i)}]`, '?kind=gitleaks').expect(
          201,
        );
      const g = await gate(app, 'secret-hygiene');
      expect(g.status).toBe('fail');
      expect(g.reasons[0]).toMatch(/^gitleaks found \d+ secret/);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a clean report of the same digest filed under another version label erases a finding (%s)',
    async databaseId => {
      const { app } = await start(databaseId);
      await upload(app, CI, trivyOfRco({ critical: true }), FOR_RELEASE).expect(
        201,
      );
      const clean = JSON.parse(trivyOfRco({ critical: false }));
      // Named by digest only: a version tag would contradict the 9.9.9 label (and be refused).
      clean.ArtifactName = `${REPO}@${DIGEST}`;
      clean.Metadata.Reference = `${REPO}@${DIGEST}`;
      clean.Metadata.RepoTags = [];
      await upload(
        app,
        CI,
        JSON.stringify(clean),
        `?version=9.9.9&digest=${DIGEST}`,
      ).expect(201);
      const res = await request(app)
        .get(`${RCO}/status?version=9.9.9&digest=${DIGEST}`)
        .set('Authorization', ALICE);
      const g = res.body.gates.find((x: any) => x.id === 'image-scanning');
      expect(g.status).toBe('fail');
      expect(g.reasons.join('\n')).toContain('CVE-2026-0001');
    },
  );
});

describe('point 11: a document naming another image is refused, however it names it', () => {
  /** RCO's clean Trivy report with nothing naming the image, then `edit` applied. */
  const trivyWith = (edit: (doc: any) => void) => {
    const doc = JSON.parse(trivyOfRco({ critical: false, named: false }));
    doc.ArtifactName = 'rco.tar';
    edit(doc);
    return JSON.stringify(doc);
  };
  const grypeWith = (target: Record<string, unknown>) => {
    const doc = JSON.parse(readSample('grype-json-image.json'));
    doc.matches = [];
    doc.source.target = {
      ...doc.source.target,
      manifestDigest: undefined,
      imageID: undefined,
      ...target,
    };
    return JSON.stringify(doc);
  };

  it.each(databases.eachSupportedId())(
    'refuses: a Trivy report naming another image only in Metadata.Reference (%s)',
    async databaseId => {
      const { app } = await start(databaseId);
      const res = await upload(
        app,
        CI,
        trivyWith(doc => {
          doc.Metadata.Reference =
            'ghcr.io/aquasecurity/trivy-test-images:alpine-310';
        }),
        FOR_RELEASE,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(
        'ghcr.io/aquasecurity/trivy-test-images',
      );
      expect(res.body.error.message).toContain(REPO);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a Trivy report whose ArtifactName is a tag of another image (%s)',
    async databaseId => {
      const { app } = await start(databaseId);
      const res = await upload(
        app,
        CI,
        trivyWith(doc => {
          doc.ArtifactName = 'docker.io/library/alpine:3.10';
        }),
        FOR_RELEASE,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('docker.io/library/alpine');
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a Grype image scan whose userInput is a bare word naming another image (%s)',
    async databaseId => {
      const { app } = await start(databaseId);
      const res = await upload(
        app,
        CI,
        grypeWith({ userInput: 'alpine' }),
        FOR_RELEASE,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('docker.io/library/alpine');
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: a report tagged as another version of the service's image than it is filed under (%s)",
    async databaseId => {
      const { app } = await start(databaseId);
      const res = await upload(
        app,
        CI,
        trivyWith(doc => {
          doc.Metadata.RepoTags = [`${REPO}:0.9.0`];
        }),
        FOR_RELEASE,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('0.9.0');
      expect(res.body.error.message).toContain(RELEASE.version);
      // A tag that is not a version (latest) says nothing about the version.
      await upload(
        app,
        CI,
        trivyWith(doc => {
          doc.Metadata.RepoTags = [`${REPO}:latest`];
        }),
        FOR_RELEASE,
      ).expect(201);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a Grype report whose manifest digest is another image than the one it is filed under (%s)',
    async databaseId => {
      const { app } = await start(databaseId);
      const res = await upload(
        app,
        CI,
        grypeWith({
          userInput: `${REPO}:1.5.0`,
          manifestDigest: OTHER_DIGEST,
        }),
        FOR_RELEASE,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(OTHER_DIGEST);
      expect(res.body.error.message).toContain(DIGEST);
    },
  );

  it.each(databases.eachSupportedId())(
    'accepts a report naming only an image config digest (Trivy ImageID, Grype imageID), as asserted by its uploader (%s)',
    async databaseId => {
      const { app } = await start(databaseId);
      // The config digest is not the manifest digest: it can neither confirm nor contradict
      // ?digest, so such a report only has its uploader's word for the image (a guard: this
      // held before the fix, and must keep holding without refusing honest reports).
      await upload(
        app,
        CI,
        trivyWith(doc => {
          doc.Metadata.ImageID = OTHER_DIGEST;
        }),
        FOR_RELEASE,
      ).expect(201);
      expect((await gate(app, 'image-scanning')).reasons).toContain(
        'trivy: image asserted by service:external:ci-rco',
      );
      await upload(
        app,
        CI,
        grypeWith({
          userInput: 'docker-archive:rco.tar',
          imageID: OTHER_DIGEST,
        }),
        FOR_RELEASE,
      ).expect(201);
      expect((await gate(app, 'image-scanning')).reasons).toContain(
        'grype: image asserted by service:external:ci-rco',
      );
    },
  );
});
