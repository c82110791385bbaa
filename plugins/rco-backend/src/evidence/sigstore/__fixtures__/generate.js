/* eslint-disable */
// Generates the Sigstore bundles the tests (and the local portal's demo) verify, with the real
// signing library (@sigstore/sign) against @sigstore/mock's Fulcio CA, CT log and Rekor, reached
// through nock's HTTP interception: nothing leaves the machine. Run from the repository root:
//   node plugins/rco-backend/src/evidence/sigstore/__fixtures__/generate.js
// It rewrites every fixture (new keys each run) and the demo's trusted root and bundle, and the
// demo history's bundles; then add the new demo root's key hashes to the production guard
// (packages/backend/src/productionGuard.ts DEMO_ROOT_KEYS: its test fails until then).
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const nock = require('nock');
const {
  initializeCA,
  initializeCTLog,
  initializeTLog,
  fulcioHandler,
  rekorHandler,
} = require('@sigstore/mock');
const {
  DSSEBundleBuilder,
  MessageSignatureBundleBuilder,
  FulcioSigner,
  RekorWitness,
} = require('@sigstore/sign');
const { bundleToJSON } = require('@sigstore/bundle');
const { token, trustedRootOf } = require('./mockSigstore');

const HERE = __dirname;
const EXAMPLES = path.resolve(HERE, '../../../../../../examples/rco');

const FULCIO = 'https://fulcio.rco-test.invalid';
const ROGUE_FULCIO = 'https://rogue-fulcio.rco-test.invalid';
const REKOR = 'https://rekor.rco-test.invalid';

/** The release digests the fixtures sign. */
const RELEASE = `sha256:${'1'.repeat(64)}`;
const OTHER = `sha256:${'2'.repeat(64)}`;
const DEMO =
  'sha256:3f6c2a9d8e41b07c55e2a1f09d3c6b8e7a4f21d0c9b85e36a7f14d2c0b9e8a71';

const GITHUB = 'https://token.actions.githubusercontent.com';
const RCO_WORKFLOW =
  'https://github.com/helix/rco/.github/workflows/release.yml@refs/heads/main';
const PAYMENTS_WORKFLOW =
  'https://github.com/helix/payments/.github/workflows/release.yml@refs/heads/main';

const keyPair = () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const der = key => key.export({ format: 'der', type: 'spki' });
const sha256 = buf => crypto.createHash('sha256').update(buf).digest();

// What `cosign sign` (v3, new bundle format) signs for an image.
const SIGN = 'https://sigstore.dev/cosign/sign/v1';
const statement = (digest, name, predicateType = SIGN, predicate = {}) =>
  Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name, digest: { sha256: digest.slice('sha256:'.length) } }],
      predicateType,
      predicate,
    }),
  );

async function main() {
  const start = new Date(Date.now() - 60_000);
  const ctKeys = keyPair();
  const ctLog = await initializeCTLog(ctKeys);
  const caKeys = keyPair();
  const ca = await initializeCA(caKeys, ctLog);
  const rogueKeys = keyPair();
  const rogue = await initializeCA(rogueKeys, ctLog);
  const tlogKeys = keyPair();
  const tlog = await initializeTLog(REKOR, tlogKeys);

  const intercept = (base, handler) =>
    nock(base)
      .persist()
      .post(handler.path)
      .reply(async (_uri, body) => {
        const r = await handler.fn(
          typeof body === 'string' ? body : JSON.stringify(body),
        );
        return [
          r.statusCode,
          r.response,
          { 'Content-Type': r.contentType || 'application/json' },
        ];
      });
  intercept(FULCIO, fulcioHandler(ca));
  intercept(ROGUE_FULCIO, fulcioHandler(rogue));
  intercept(REKOR, rekorHandler(tlog));
  nock.disableNetConnect();

  const signer = (fulcioBaseURL, iss, sub) =>
    new FulcioSigner({
      fulcioBaseURL,
      identityProvider: { getToken: async () => token(iss, sub) },
    });
  // The mock Rekor logs the proposed entry as its body: the intoto (0.0.2) entry cosign attest
  // writes has the body a real Rekor stores; a dsse (0.0.1) proposal does not.
  const witnesses = () => [
    new RekorWitness({ rekorBaseURL: REKOR, entryType: 'intoto' }),
  ];
  const dsse = async (fulcio, iss, sub, digest, name, ...predicate) =>
    bundleToJSON(
      await new DSSEBundleBuilder({
        signer: signer(fulcio, iss, sub),
        witnesses: witnesses(),
      }).create({
        data: statement(digest, name, ...predicate),
        type: 'application/vnd.in-toto+json',
      }),
    );

  const trustedRoot = trustedRootOf({
    start,
    rekorUrl: REKOR,
    fulcioUrl: FULCIO,
    tlog,
    ca,
    ctLog,
  });

  const write = (file, doc) =>
    fs.writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  const image = 'ghcr.io/helix/rco';
  write(path.join(HERE, 'trusted-root.json'), trustedRoot);
  write(
    path.join(HERE, 'bundle-dsse-release.json'),
    await dsse(FULCIO, GITHUB, RCO_WORKFLOW, RELEASE, image),
  );
  write(
    path.join(HERE, 'bundle-dsse-other-digest.json'),
    await dsse(FULCIO, GITHUB, RCO_WORKFLOW, OTHER, image),
  );
  write(
    path.join(HERE, 'bundle-dsse-payments.json'),
    await dsse(
      FULCIO,
      GITHUB,
      PAYMENTS_WORKFLOW,
      RELEASE,
      'ghcr.io/helix/payments',
    ),
  );
  // An attestation, not a signature (`cosign attest --type slsaprovenance1`): same signer and
  // digest, a SLSA provenance predicate.
  write(
    path.join(HERE, 'bundle-dsse-provenance.json'),
    await dsse(
      FULCIO,
      GITHUB,
      RCO_WORKFLOW,
      RELEASE,
      image,
      'https://slsa.dev/provenance/v1',
      {
        buildDefinition: {
          buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        },
      },
    ),
  );
  write(
    path.join(HERE, 'bundle-dsse-rogue-ca.json'),
    await dsse(ROGUE_FULCIO, GITHUB, RCO_WORKFLOW, RELEASE, image),
  );
  // A message signature over a blob (`cosign sign-blob --bundle`, sigstore-js `sign`): its
  // messageDigest is the blob's sha256, here an image manifest's, so the digest is the image's.
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      layers: [],
    }),
  );
  fs.writeFileSync(path.join(HERE, 'manifest.json'), manifest);
  write(
    path.join(HERE, 'bundle-message-manifest.json'),
    bundleToJSON(
      await new MessageSignatureBundleBuilder({
        signer: signer(FULCIO, GITHUB, RCO_WORKFLOW),
        witnesses: witnesses(),
      }).create({ data: manifest }),
    ),
  );
  // The local portal's demo: the demo release's digest, signed by the demo's CI workflow.
  fs.mkdirSync(path.join(EXAMPLES, 'sigstore'), { recursive: true });
  write(path.join(EXAMPLES, 'sigstore', 'demo-trusted-root.json'), trustedRoot);
  write(
    path.join(EXAMPLES, 'evidence', 'sigstore-bundle-rco-1.3.2.json'),
    await dsse(
      FULCIO,
      GITHUB,
      RCO_WORKFLOW,
      DEMO,
      'registry.helix.example/rco',
    ),
  );
  // The local portal's generated 90-day history (issue 17, service/demo/demoHistory.ts): each
  // release image of RCO and RCOT (digest: sha256 of "<service> <version>") signed by that
  // service's release workflow, so image-scanning judges the history as it judges the demo.
  const history = {};
  const services = [
    ['rco', i => `1.${Math.floor(i / 10)}.${i % 10}`],
    ['rcot', i => `0.${8 + Math.floor(i / 10)}.${i % 10}`],
  ];
  for (const [name, version] of services) {
    const workflow = `https://github.com/helix/${name}/.github/workflows/release.yml@refs/heads/main`;
    for (let i = 0; i < 40; i++) {
      const digest = `sha256:${crypto
        .createHash('sha256')
        .update(`${name} ${version(i)}`)
        .digest('hex')}`;
      history[digest] = await dsse(
        FULCIO,
        GITHUB,
        workflow,
        digest,
        'registry.helix.example/rco',
      );
    }
  }
  write(path.join(EXAMPLES, 'sigstore', 'demo-history-bundles.json'), history);
  console.log(`manifest digest: sha256:${sha256(manifest).toString('hex')}`);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
