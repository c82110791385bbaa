import {
  mockServices,
  startTestBackend,
  TestDatabaseId,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';
import path from 'node:path';
import request from 'supertest';
import { rcoPlugin } from '../plugin';
import { createTestDatabases } from '../__testUtils__/databases';
import { EXAMPLE_GROUPS } from '../__testUtils__/operationsBackend';
import {
  examplesDir,
  governedEntity,
  readSample,
} from '../__testUtils__/fixtures';
import {
  fixture,
  GITHUB,
  MANIFEST_DIGEST,
  OTHER,
  RCO_WORKFLOW,
  RELEASE,
} from '../evidence/sigstore/__fixtures__/fixtures';

// Issue 13, point 4: only a signature the console verified itself (a Sigstore bundle, offline,
// against the configured trusted root and the entity's configured signer identity) signs an
// image. Real bundles (evidence/sigstore/__fixtures__/README.md), through the real plugin.

const databases = createTestDatabases();
// R2 M1 starts two backends per test (before and after operators change rco.sigstore).
jest.setTimeout(60_000);

const entityPath = (name: string) =>
  `/api/rco/entities/component/default/${name}`;
const asUser = (ref: string) =>
  `Bearer mock-user-token:${JSON.stringify({ sub: ref })}`;
const asService = (subject: string) =>
  `Bearer mock-service-token:${JSON.stringify({ sub: subject })}`;
const ALICE = asUser('user:default/alice');
const CI_RCO = asService('external:ci-rco');
const CI_PAYMENTS = asService('external:ci-payments');

const SIGSTORE = {
  trustedRoot: fixture('trusted-root.json'),
  identities: [
    {
      entity: 'component:default/rco',
      issuer: GITHUB,
      subject: 'https://github.com/helix/rco/.github/workflows/*@refs/heads/*',
    },
    {
      entity: 'component:default/payments',
      issuer: GITHUB,
      subject:
        'https://github.com/helix/payments/.github/workflows/*@refs/heads/*',
    },
  ],
};

async function start(
  databaseId: TestDatabaseId,
  sigstore: object | null = SIGSTORE,
  /** The database of an earlier backend: operators changed rco.sigstore and restarted. */
  existing?: Knex,
) {
  const knex = existing ?? (await databases.init(databaseId));
  const entity = (name: string) =>
    governedEntity(
      name,
      `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`,
      {
        'rco.helix.dev/runbook': './runbook/rco-runbook.yaml',
      },
    );
  const backend = await startTestBackend({
    features: [
      rcoPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          backend: { baseUrl: 'http://localhost:7007' },
          rco: {
            ...EXAMPLE_GROUPS,
            ...(sigstore ? { sigstore } : {}),
            ci: {
              subjects: [
                {
                  subject: 'external:ci-rco',
                  entities: ['component:default/rco'],
                },
                {
                  subject: 'external:ci-payments',
                  entities: ['component:default/payments'],
                },
              ],
            },
          },
        },
      }),
      catalogServiceMock.factory({
        entities: [entity('rco'), entity('payments')],
      }),
      // Alice owns both services (uploads as a person); the rest is the CI tokens' scope.
      mockServices.permissions.mock({
        authorize: async (requests: any[]) =>
          requests.map(() => ({ result: AuthorizeResult.ALLOW })),
      }).factory,
    ],
  });
  return Object.assign(backend.server, { knex });
}

const upload = (
  app: any,
  name: string,
  body: unknown,
  query: string,
  auth: string,
) =>
  request(app)
    .post(`${entityPath(name)}/evidence${query}`)
    .set('Authorization', auth)
    .set('Content-Type', 'application/octet-stream')
    .send(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));

/** A Trivy report of the release image without findings, and an SBOM: only the signature decides. */
async function scanAndSbom(app: any, name: string, auth: string) {
  const trivy = JSON.parse(readSample('trivy-image-alpine310.json'));
  trivy.ArtifactName = `ghcr.io/helix/${name}:1.0.0`;
  trivy.Metadata.RepoTags = [`ghcr.io/helix/${name}:1.0.0`];
  trivy.Metadata.Reference = `ghcr.io/helix/${name}:1.0.0`;
  trivy.Metadata.RepoDigests = [`ghcr.io/helix/${name}@${RELEASE}`];
  for (const result of trivy.Results ?? []) result.Vulnerabilities = [];
  await upload(app, name, trivy, `?digest=${RELEASE}`, auth).expect(201);
  await upload(
    app,
    name,
    readSample('cyclonedx-1.7-trivy-pom-with-vulns.json'),
    `?digest=${RELEASE}`,
    auth,
  ).expect(201);
}

async function status(app: any, name: string, digest: string) {
  const res = await request(app)
    .get(`${entityPath(name)}/status?digest=${digest}`)
    .set('Authorization', ALICE);
  expect(res.status).toBe(200);
  const gate = res.body.gates.find((g: any) => g.id === 'image-scanning');
  const signed = res.body.pillars
    .find((p: any) => p.id === 'trust-by-design')
    .requirements.find((r: any) => /^Release image signed/.test(r.requirement));
  return {
    gate,
    signed: signed.met as boolean,
    reasons: gate.reasons.join('\n'),
  };
}

describe('issue 13, point 4: only a console-verified signature signs the image', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a CI claim alone (cosign verify output) signs the image (%s)',
    async databaseId => {
      const app = await start(databaseId);
      const claim = JSON.parse(readSample('cosign-verify-key-based.json'));
      const digest = claim[0].critical.image['docker-manifest-digest'];
      await upload(
        app,
        'rco',
        readSample('cosign-verify-key-based.json'),
        '',
        CI_RCO,
      ).expect(201);
      const { gate, signed, reasons } = await status(app, 'rco', digest);
      expect(signed).toBe(false);
      expect(reasons).toContain("Only CI's claim that");
      expect(
        gate.evidence.find((e: any) => e.kind === 'cosign').signature,
      ).toMatchObject({
        verifiedBy: 'claim',
      });

      // The bundle CI uploads instead is verified by the console, and signs.
      await upload(
        app,
        'rco',
        fixture('bundle-dsse-release.json'),
        `?digest=${RELEASE}`,
        CI_RCO,
      ).expect(201);
      const after = await status(app, 'rco', RELEASE);
      expect(after.signed).toBe(true);
      expect(after.reasons).toContain(
        `verified by the console: signed by ${RCO_WORKFLOW} (${GITHUB})`,
      );
      expect(
        after.gate.evidence.find((e: any) => e.kind === 'sigstore-bundle')
          .signature,
      ).toEqual({
        verifiedBy: 'console',
        ok: true,
        identity: { issuer: GITHUB, subject: RCO_WORKFLOW },
      });
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: a bundle of entity A's signer identity uploaded for entity B signs B's image (%s)",
    async databaseId => {
      const app = await start(databaseId);
      // A valid signature by rco's release workflow, uploaded with payments' CI token.
      const res = await upload(
        app,
        'payments',
        fixture('bundle-dsse-release.json'),
        `?digest=${RELEASE}`,
        CI_PAYMENTS,
      );
      expect(res.status).toBe(201);
      const { signed, reasons } = await status(app, 'payments', RELEASE);
      expect(signed).toBe(false);
      expect(reasons).toContain(
        `did not verify: signed by ${RCO_WORKFLOW} (issuer ${GITHUB}), not an identity component:default/payments allows`,
      );
      // payments' own workflow's bundle of the same digest does sign it.
      await upload(
        app,
        'payments',
        fixture('bundle-dsse-payments.json'),
        `?digest=${RELEASE}`,
        CI_PAYMENTS,
      ).expect(201);
      expect((await status(app, 'payments', RELEASE)).signed).toBe(true);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a bundle for another digest signs the release (%s)',
    async databaseId => {
      const app = await start(databaseId);
      // An in-toto statement naming another image: refused at upload, naming both.
      const dsse = await upload(
        app,
        'rco',
        fixture('bundle-dsse-other-digest.json'),
        `?digest=${RELEASE}`,
        CI_RCO,
      );
      expect(dsse.status).toBe(400);
      expect(dsse.body.error.message).toContain(OTHER);
      // A message signature names only a digest: kept, failed, with the reason.
      await upload(
        app,
        'rco',
        fixture('bundle-message-manifest.json'),
        `?digest=${RELEASE}`,
        CI_RCO,
      ).expect(201);
      const { signed, reasons } = await status(app, 'rco', RELEASE);
      expect(signed).toBe(false);
      expect(reasons).toContain(
        `signed ${MANIFEST_DIGEST}, not the release's ${RELEASE}`,
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a tampered bundle or one from a CA the trusted root does not hold signs the image (%s)',
    async databaseId => {
      const app = await start(databaseId);
      // A clean scan and an SBOM of the release: the gate passes exactly when a signature counts.
      await scanAndSbom(app, 'rco', CI_RCO);
      const tampered = fixture('bundle-dsse-release.json');
      const sig = Buffer.from(
        tampered.dsseEnvelope.signatures[0].sig,
        'base64',
      );
      sig[10] ^= 1;
      tampered.dsseEnvelope.signatures[0].sig = sig.toString('base64');
      const first = await upload(
        app,
        'rco',
        tampered,
        `?digest=${RELEASE}`,
        CI_RCO,
      ).expect(201);
      const rogue = await upload(
        app,
        'rco',
        fixture('bundle-dsse-rogue-ca.json'),
        `?digest=${RELEASE}`,
        CI_RCO,
      ).expect(201);
      const { gate, signed, reasons } = await status(app, 'rco', RELEASE);
      expect(signed).toBe(false);
      expect(gate.status).toBe('missing');
      expect(reasons).toContain('has no CRITICAL or HIGH findings');
      expect(reasons).toContain('SBOM (cyclonedx)');
      expect(reasons).toContain(`Sigstore bundle for`);
      // Each bundle failed for its own reason.
      const reasonOf = (res: any) =>
        res.body.items[0].summary.verification.reason;
      expect(reasonOf(first)).toMatch(
        /^its (signature does not verify|transparency-log entry does not verify)/,
      );
      expect(reasonOf(rogue)).toMatch(
        /^its certificate does not chain to a Fulcio CA of the trusted root at signing time/,
      );
      // The control: the genuine bundle does sign, and the same gate passes.
      await upload(
        app,
        'rco',
        fixture('bundle-dsse-release.json'),
        `?digest=${RELEASE}`,
        CI_RCO,
      ).expect(201);
      const after = await status(app, 'rco', RELEASE);
      expect(after.signed).toBe(true);
      expect(after.gate.status).toBe('pass');
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a bundle signs the image when no trusted root is configured (%s)',
    async databaseId => {
      const app = await start(databaseId, null);
      await upload(
        app,
        'rco',
        fixture('bundle-dsse-release.json'),
        `?digest=${RELEASE}`,
        CI_RCO,
      ).expect(201);
      const { signed, reasons } = await status(app, 'rco', RELEASE);
      expect(signed).toBe(false);
      expect(reasons).toContain(
        'not verified: no Sigstore trusted root is configured',
      );
      // The next step is the operators': configure the trusted root.
      const { gate } = await status(app, 'rco', RELEASE);
      expect(gate.next).toContainEqual(
        expect.objectContaining({
          action: 'configure',
          setting: 'rco.sigstore.trustedRootFile',
        }),
      );
    },
  );

  // Decision: a valid signature is valid whoever carries it, but who may bring image evidence
  // is the operators' source policy (rco.gates.image-scanning.sources), one rule for every kind.
  // By default a person's upload is verified and shown, and does not count; operators who want
  // people to bring signatures add `human` (safe for bundles: the console, not the courier, is
  // trusted).
  it.each(databases.eachSupportedId())(
    "refuses: a person's upload of a valid bundle counts where image-scanning accepts only machines (%s)",
    async databaseId => {
      const app = await start(databaseId);
      await upload(
        app,
        'rco',
        fixture('bundle-dsse-release.json'),
        `?digest=${RELEASE}`,
        ALICE,
      ).expect(201);
      const { signed, reasons } = await status(app, 'rco', RELEASE);
      expect(signed).toBe(false);
      expect(reasons).toContain(
        'ignored: uploaded by a person (user:default/alice)',
      );
    },
  );
});

// R2 M1: a verification is the console's judgement under the signing policy in force when the
// bundle was uploaded. When operators change rco.sigstore (trusted root, the entity's identities
// or keys, accepted predicate types), a stored verification no longer counts, and the same bundle
// uploaded again is verified anew (a new record, in the ledger) instead of returning the old one.
describe('R2 M1: verification follows the signing policy in force', () => {
  const withoutRco = {
    ...SIGSTORE,
    identities: SIGSTORE.identities.filter(
      i => i.entity !== 'component:default/rco',
    ),
  };
  const revoked = {
    ...SIGSTORE,
    identities: [
      {
        entity: 'component:default/rco',
        issuer: GITHUB,
        subject:
          'https://github.com/helix/rco/.github/workflows/other.yml@refs/heads/main',
      },
    ],
  };
  const bundle = () =>
    fixture('bundle-dsse-release.json') as Record<string, unknown>;
  const ledgerOk = async (app: any) => {
    const res = await request(app)
      .post('/api/rco/ledger/verify')
      .set('Authorization', ALICE)
      .expect(200);
    expect(res.body.ok).toBe(true);
  };

  it.each(databases.eachSupportedId())(
    'refuses: the same bundle uploaded again after its signer identity was configured returns the old failure (%s)',
    async databaseId => {
      const before = await start(databaseId, withoutRco);
      await scanAndSbom(before, 'rco', CI_RCO);
      await upload(
        before,
        'rco',
        bundle(),
        `?digest=${RELEASE}`,
        CI_RCO,
      ).expect(201);
      expect((await status(before, 'rco', RELEASE)).reasons).toContain(
        'no signer identity is configured for component:default/rco',
      );

      // Operators configure rco's signer identity and restart.
      const app = await start(databaseId, SIGSTORE, before.knex);
      const stale = await status(app, 'rco', RELEASE);
      expect(stale.signed).toBe(false);
      expect(stale.reasons).toContain(
        'verified under an earlier signing policy; upload the bundle again',
      );
      expect(stale.gate.next).toContainEqual(
        expect.objectContaining({ action: 'upload', kind: 'sigstore-bundle' }),
      );
      const again = await upload(
        app,
        'rco',
        bundle(),
        `?digest=${RELEASE}`,
        CI_RCO,
      );
      expect(again.status).toBe(201);
      expect(again.body.items[0].created).toBe(true);
      const after = await status(app, 'rco', RELEASE);
      expect(after.signed).toBe(true);
      expect(after.gate.status).toBe('pass');
      await ledgerOk(app);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a bundle verified before its signer identity was revoked still signs the image (%s)',
    async databaseId => {
      const before = await start(databaseId);
      await scanAndSbom(before, 'rco', CI_RCO);
      await upload(
        before,
        'rco',
        bundle(),
        `?digest=${RELEASE}`,
        CI_RCO,
      ).expect(201);
      expect((await status(before, 'rco', RELEASE)).gate.status).toBe('pass');

      // Operators revoke the identity (another workflow now signs rco) and restart.
      const app = await start(databaseId, revoked, before.knex);
      const stale = await status(app, 'rco', RELEASE);
      expect(stale.signed).toBe(false);
      expect(stale.gate.status).toBe('missing');
      expect(stale.reasons).toContain(
        'verified under an earlier signing policy; upload the bundle again',
      );
      // Uploaded again, it is judged under the current policy: it fails, saying why.
      await upload(app, 'rco', bundle(), `?digest=${RELEASE}`, CI_RCO).expect(
        201,
      );
      const after = await status(app, 'rco', RELEASE);
      expect(after.signed).toBe(false);
      expect(after.reasons).toContain(
        `not an identity component:default/rco allows`,
      );
      await ledgerOk(app);
    },
  );
});

describe('R2: only a signature signs the image, not any attestation', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a verified SLSA provenance attestation of the release signs the image (%s)',
    async databaseId => {
      const app = await start(databaseId);
      await scanAndSbom(app, 'rco', CI_RCO);
      await upload(
        app,
        'rco',
        fixture('bundle-dsse-provenance.json'),
        `?digest=${RELEASE}`,
        CI_RCO,
      ).expect(201);
      const { gate, signed, reasons } = await status(app, 'rco', RELEASE);
      expect(signed).toBe(false);
      expect(gate.status).toBe('missing');
      expect(reasons).toContain(
        'is an attestation of https://slsa.dev/provenance/v1, not a signature of the image',
      );
    },
  );
});
