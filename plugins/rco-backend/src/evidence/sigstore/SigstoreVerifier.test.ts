import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readSigstoreConfig } from './config';
import { SigstoreVerifier } from './SigstoreVerifier';
import { signingPolicyDigest } from './signingPolicy';
import crypto from 'node:crypto';
import {
  GITHUB,
  MANIFEST_DIGEST,
  OTHER,
  RCO_WORKFLOW,
  RELEASE,
  fixture,
} from './__fixtures__/fixtures';

const RCO = 'component:default/rco';

function verifier(sigstore: object | undefined) {
  return new SigstoreVerifier(
    readSigstoreConfig(
      new ConfigReader(sigstore ? { sigstore } : {}).getOptionalConfig(
        undefined as never,
      ) ?? new ConfigReader(sigstore ? { sigstore } : {}),
    ),
  );
}

const configured = (identities: object[] = []) =>
  verifier({
    trustedRoot: fixture('trusted-root.json'),
    identities: identities.length
      ? identities
      : [
          {
            entity: RCO,
            issuer: GITHUB,
            subject:
              'https://github.com/helix/rco/.github/workflows/release.yml@refs/heads/*',
          },
        ],
  });

describe('SigstoreVerifier (real bundles, offline)', () => {
  it('verifies a DSSE bundle signing the release digest, with the identity', () => {
    expect(
      configured().verify({
        entityRef: RCO,
        doc: fixture('bundle-dsse-release.json'),
        digest: RELEASE,
      }),
    ).toEqual({
      verifiedBy: 'console',
      ok: true,
      identity: { issuer: GITHUB, subject: RCO_WORKFLOW },
    });
  });

  it('verifies a message-signature bundle against its message digest', () => {
    expect(
      configured().verify({
        entityRef: RCO,
        doc: fixture('bundle-message-manifest.json'),
        digest: MANIFEST_DIGEST,
      }),
    ).toMatchObject({ ok: true, identity: { subject: RCO_WORKFLOW } });
  });

  it('fails a bundle for another digest, naming both', () => {
    const result = configured().verify({
      entityRef: RCO,
      doc: fixture('bundle-dsse-other-digest.json'),
      digest: RELEASE,
    });
    expect(result.ok).toBe(false);
    expect(result.reason).toBe(`signed ${OTHER}, not the release's ${RELEASE}`);
  });

  it('fails a message signature over another digest', () => {
    const result = configured().verify({
      entityRef: RCO,
      doc: fixture('bundle-message-manifest.json'),
      digest: RELEASE,
    });
    expect(result.reason).toBe(
      `signed ${MANIFEST_DIGEST}, not the release's ${RELEASE}`,
    );
  });

  it('fails a subject the policy does not allow, naming the signer and the policy', () => {
    const result = configured([
      {
        entity: RCO,
        issuer: GITHUB,
        subject: 'https://github.com/helix/payments/*',
      },
    ]).verify({
      entityRef: RCO,
      doc: fixture('bundle-dsse-release.json'),
      digest: RELEASE,
    });
    expect(result).toMatchObject({
      ok: false,
      identity: { subject: RCO_WORKFLOW },
    });
    expect(result.reason).toBe(
      `signed by ${RCO_WORKFLOW} (issuer ${GITHUB}), not an identity ${RCO} allows (https://github.com/helix/payments/* from ${GITHUB})`,
    );
  });

  it('fails an issuer the policy does not allow', () => {
    const result = configured([
      { entity: RCO, issuer: 'https://accounts.google.com', subject: '/.*/' },
    ]).verify({
      entityRef: RCO,
      doc: fixture('bundle-dsse-release.json'),
      digest: RELEASE,
    });
    expect(result.reason).toContain(`(issuer ${GITHUB}), not an identity`);
  });

  it('anchors the subject pattern: a pattern matching part of the subject does not allow it', () => {
    const result = configured([
      { entity: RCO, issuer: GITHUB, subject: '/helix\\/rco/' },
    ]).verify({
      entityRef: RCO,
      doc: fixture('bundle-dsse-release.json'),
      digest: RELEASE,
    });
    expect(result.ok).toBe(false);
  });

  it('uses the default identity only for entities without their own', () => {
    const v = configured([
      // `**` crosses `/` and `@` (a glob's `*` stays within one part of the subject).
      { issuer: GITHUB, subject: 'https://github.com/helix/**' },
      {
        entity: 'component:default/payments',
        issuer: GITHUB,
        subject: 'https://github.com/helix/payments/*',
      },
    ]);
    const doc = fixture('bundle-dsse-release.json');
    expect(v.verify({ entityRef: RCO, doc, digest: RELEASE }).ok).toBe(true);
    expect(
      v.verify({
        entityRef: 'component:default/payments',
        doc,
        digest: RELEASE,
      }).ok,
    ).toBe(false);
  });

  it('fails a tampered signature', () => {
    const doc = fixture('bundle-dsse-release.json');
    const sig = Buffer.from(doc.dsseEnvelope.signatures[0].sig, 'base64');
    sig[sig.length - 1] ^= 1;
    doc.dsseEnvelope.signatures[0].sig = sig.toString('base64');
    const result = configured().verify({
      entityRef: RCO,
      doc,
      digest: RELEASE,
    });
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(
      /^its (signature does not verify|transparency-log entry does not verify)/,
    );
  });

  it('fails a tampered payload (the statement re-pointed at the release)', () => {
    const doc = fixture('bundle-dsse-other-digest.json');
    const statement = JSON.parse(
      Buffer.from(doc.dsseEnvelope.payload, 'base64').toString(),
    );
    statement.subject[0].digest.sha256 = RELEASE.slice(7);
    doc.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString(
      'base64',
    );
    const result = configured().verify({
      entityRef: RCO,
      doc,
      digest: RELEASE,
    });
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/does not verify/);
  });

  it('fails a certificate from a CA the trusted root does not hold', () => {
    const result = configured().verify({
      entityRef: RCO,
      doc: fixture('bundle-dsse-rogue-ca.json'),
      digest: RELEASE,
    });
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(
      /^its certificate does not chain to a Fulcio CA of the trusted root at signing time/,
    );
  });

  it('says so when no trusted root is configured', () => {
    const result = verifier(undefined).verify({
      entityRef: RCO,
      doc: fixture('bundle-dsse-release.json'),
      digest: RELEASE,
    });
    expect(result).toEqual({
      verifiedBy: 'console',
      ok: false,
      reason:
        'not verified: no Sigstore trusted root is configured (rco.sigstore.trustedRootFile or rco.sigstore.trustedRoot)',
    });
  });

  it('says so when the entity has no identity policy', () => {
    const v = configured([
      { entity: 'component:default/payments', issuer: GITHUB, subject: '*' },
    ]);
    expect(
      v.verify({
        entityRef: RCO,
        doc: fixture('bundle-dsse-release.json'),
        digest: RELEASE,
      }).reason,
    ).toBe(
      `no signer identity is configured for ${RCO} (rco.sigstore.identities)`,
    );
  });

  it('refuses to start on a trusted root that is not one', () => {
    expect(() => verifier({ trustedRoot: '{"tlogs": 3}' })).toThrow(
      'rco.sigstore.trustedRoot is not a Sigstore trusted root: it holds no transparency log (tlogs) key',
    );
    const root = fixture('trusted-root.json');
    root.certificateAuthorities[0].certChain.certificates[0].rawBytes = 'AAAA';
    expect(() => verifier({ trustedRoot: root })).toThrow(
      /^rco.sigstore.trustedRoot is not a Sigstore trusted root: /,
    );
  });
});

describe("the local portal's demo signature", () => {
  it('verifies with the rco.sigstore of app-config.development.yaml (the journey to Ready relies on it)', () => {
    const repo = path.resolve(__dirname, '../../../../..');
    const dev = parseYaml(
      fs.readFileSync(path.join(repo, 'app-config.development.yaml'), 'utf8'),
    );
    const demo = parseYaml(
      fs.readFileSync(
        path.join(repo, 'examples/rco/evidence/demo-evidence.yaml'),
        'utf8',
      ),
    );
    // Paths in the config are relative to the backend's working directory.
    const sigstore = {
      ...dev.rco.sigstore,
      trustedRootFile: path.join(
        repo,
        'packages/backend',
        dev.rco.sigstore.trustedRootFile,
      ),
    };
    const result = verifier(sigstore).verify({
      entityRef: demo.entity,
      doc: JSON.parse(
        fs.readFileSync(
          path.join(
            repo,
            'examples/rco/evidence/sigstore-bundle-rco-1.3.2.json',
          ),
          'utf8',
        ),
      ),
      digest: demo.release.digest,
    });
    expect(result).toMatchObject({ verifiedBy: 'console', ok: true });
  });
});

describe('public-good bundles (sigstore-js test fixtures, see __fixtures__/README.md)', () => {
  const HELLO = `sha256:68e656b251e67e8358bef8483ab0d51c6619f3e7a1a9f0e75838d41ff368f728`;
  const publicGood = verifier({
    trustedRoot: fixture('public-good-trusted-root.json'),
    identities: [
      {
        entity: RCO,
        issuer: 'https://github.com/login/oauth',
        subject: 'brian@dehamer.com',
      },
    ],
  });

  it('verifies a public-good message signature (Fulcio, CT log, Rekor SET) against its digest', () => {
    expect(
      publicGood.verify({
        entityRef: RCO,
        doc: fixture('public-good-message-signature.json'),
        digest: HELLO,
      }),
    ).toEqual({
      verifiedBy: 'console',
      ok: true,
      identity: {
        issuer: 'https://github.com/login/oauth',
        subject: 'brian@dehamer.com',
      },
    });
  });

  it('verifies a public-good key-based bundle with the key configured for the entity, by its hint', () => {
    const keyed = (entity: string, hint?: string) =>
      verifier({
        trustedRoot: fixture('public-good-trusted-root.json'),
        publicKeys: [
          {
            entity,
            ...(hint ? { hint } : {}),
            pem: fs.readFileSync(
              path.join(__dirname, '__fixtures__/public-good-key.pem'),
              'utf8',
            ),
          },
        ],
      }).verify({
        entityRef: RCO,
        doc: fixture('public-good-message-signature-key.json'),
        digest: HELLO,
      });
    const HINT =
      '9a76331edc1cfd3933040996615b1c06adbe6f9b4f11df4106dcceb66e3bdb1b';
    expect(keyed(RCO, HINT)).toEqual({
      verifiedBy: 'console',
      ok: true,
      identity: { keyId: HINT },
    });
    // The key configured for another entity is not this entity's.
    expect(keyed('component:default/payments').reason).toBe(
      `its signing key is not one configured for this entity (no public key with hint "${HINT}" is configured for ${RCO} (rco.sigstore.publicKeys))`,
    );
  });

  it('a bundle without a transparency-log entry (TSA only) does not verify', () => {
    expect(
      publicGood.verify({
        entityRef: RCO,
        doc: fixture('public-good-message-signature-v3-tsa-only.json'),
        digest: HELLO,
      }).reason,
    ).toMatch(/^its transparency-log entry does not verify/);
  });

  it('a DSSE bundle of a text payload (Rekor v2 entry) names no image: it signs none', () => {
    expect(
      publicGood.verify({
        entityRef: RCO,
        doc: fixture('public-good-dsse-text.json'),
        digest: HELLO,
      }).reason,
    ).toBe(
      'its DSSE payload is text/plain, not an in-toto statement naming the image',
    );
  });

  it('a public-good bundle does not verify against another trusted root', () => {
    const result = configured().verify({
      entityRef: RCO,
      doc: fixture('public-good-message-signature.json'),
      digest: HELLO,
    });
    expect(result.ok).toBe(false);
    // Its Rekor SET is signed by a key this root does not hold: no trusted signing time.
    expect(result.reason).toBe(
      'it has no verifiable signing time (timestamp could not be verified)',
    );
  });
});

describe('R2: public keys (key-based bundles)', () => {
  const HELLO = `sha256:68e656b251e67e8358bef8483ab0d51c6619f3e7a1a9f0e75838d41ff368f728`;
  const HINT =
    '9a76331edc1cfd3933040996615b1c06adbe6f9b4f11df4106dcceb66e3bdb1b';
  const pem = fs.readFileSync(
    path.join(__dirname, '__fixtures__/public-good-key.pem'),
    'utf8',
  );
  const otherPem = () =>
    crypto
      .generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
  const keyed = (sigstore: object, entityRef = RCO) =>
    verifier({
      trustedRoot: fixture('public-good-trusted-root.json'),
      ...sigstore,
    }).verify({
      entityRef,
      doc: fixture('public-good-message-signature-key.json'),
      digest: HELLO,
    });

  it('prefers the key whose hint is exact over a key configured without a hint listed before it', () => {
    expect(
      keyed({
        publicKeys: [
          { entity: RCO, name: 'other', pem: otherPem() },
          { entity: RCO, name: 'release-key', hint: HINT, pem },
        ],
      }),
    ).toEqual({
      verifiedBy: 'console',
      ok: true,
      identity: { keyId: 'release-key' },
    });
  });

  it('without an exact hint, tries each key configured without a hint', () => {
    expect(
      keyed({
        publicKeys: [
          { entity: RCO, name: 'old-key', pem: otherPem() },
          { entity: RCO, name: 'new-key', pem },
        ],
      }),
    ).toEqual({
      verifiedBy: 'console',
      ok: true,
      identity: { keyId: 'new-key' },
    });
    // None of them: the signature does not verify.
    expect(
      keyed({ publicKeys: [{ entity: RCO, pem: otherPem() }] }).reason,
    ).toMatch(/^its signature does not verify/);
  });

  it('names the key as configured, not by the hint the bundle claims', () => {
    const unnamed = keyed({ publicKeys: [{ entity: RCO, pem }] });
    const fingerprint = crypto
      .createHash('sha256')
      .update(
        crypto.createPublicKey(pem).export({ type: 'spki', format: 'der' }),
      )
      .digest('hex');
    expect(unnamed.identity).toEqual({ keyId: `sha256:${fingerprint}` });
  });

  it('refuses: an entity with its own signer identity accepts a bundle signed with the default keys', () => {
    const sigstore = {
      publicKeys: [{ name: 'default-key', pem }],
      identities: [
        {
          entity: RCO,
          issuer: GITHUB,
          subject:
            'https://github.com/helix/rco/.github/workflows/release.yml@refs/heads/main',
        },
      ],
    };
    // An entity without its own policy uses the defaults, keys included.
    expect(keyed(sigstore, 'component:default/payments').ok).toBe(true);
    expect(keyed(sigstore).reason).toBe(
      `its signing key is not one configured for this entity (no public key with hint "${HINT}" is configured for ${RCO} (rco.sigstore.publicKeys))`,
    );
  });

  it('refuses to start on a key that is not a PEM public key', () => {
    expect(() => verifier({ publicKeys: [{ pem: 'not a key' }] })).toThrow(
      /^rco.sigstore.publicKeys\[0\].pem is not a PEM public key/,
    );
  });
});

describe('R2: only signatures sign the image (rco.sigstore.predicateTypes)', () => {
  it('a verified SLSA provenance attestation of the release does not sign it, and says so', () => {
    const result = configured().verify({
      entityRef: RCO,
      doc: fixture('bundle-dsse-provenance.json'),
      digest: RELEASE,
    });
    expect(result).toEqual({
      verifiedBy: 'console',
      ok: false,
      identity: { issuer: GITHUB, subject: RCO_WORKFLOW },
      reason:
        'verified, but it is an attestation of https://slsa.dev/provenance/v1, not a signature of the image: only https://sigstore.dev/cosign/sign/v1 and message signatures sign it (rco.sigstore.predicateTypes)',
    });
  });

  it('signs when the operators list its predicate type', () => {
    const v = verifier({
      trustedRoot: fixture('trusted-root.json'),
      identities: [{ entity: RCO, issuer: GITHUB, subject: RCO_WORKFLOW }],
      predicateTypes: [
        'https://sigstore.dev/cosign/sign/v1',
        'https://slsa.dev/provenance/v1',
      ],
    });
    expect(
      v.verify({
        entityRef: RCO,
        doc: fixture('bundle-dsse-provenance.json'),
        digest: RELEASE,
      }).ok,
    ).toBe(true);
  });
});

describe('R2 M1: the signing policy digest', () => {
  const read = (sigstore: object) =>
    readSigstoreConfig(new ConfigReader({ sigstore }));
  const base = {
    trustedRoot: fixture('trusted-root.json'),
    identities: [{ entity: RCO, issuer: GITHUB, subject: RCO_WORKFLOW }],
  };
  const digest = (sigstore: object, entityRef = RCO) =>
    signingPolicyDigest(read(sigstore), entityRef);

  it("changes with the trusted root, the entity's identities and keys, and the predicate types", () => {
    const now = digest(base);
    expect(digest(base)).toBe(now);
    expect(
      digest({
        ...base,
        trustedRoot: fixture('public-good-trusted-root.json'),
      }),
    ).not.toBe(now);
    expect(digest({ ...base, identities: [] })).not.toBe(now);
    expect(
      digest({
        ...base,
        identities: [{ ...base.identities[0], subject: '**' }],
      }),
    ).not.toBe(now);
    expect(
      digest({
        ...base,
        publicKeys: [
          {
            entity: RCO,
            pem: fs.readFileSync(
              path.join(__dirname, '__fixtures__/public-good-key.pem'),
              'utf8',
            ),
          },
        ],
      }),
    ).not.toBe(now);
    expect(
      digest({ ...base, predicateTypes: ['https://slsa.dev/provenance/v1'] }),
    ).not.toBe(now);
  });

  it('does not change with the order of identities, keys and predicate types in config', () => {
    const pems = [
      fs.readFileSync(
        path.join(__dirname, '__fixtures__/public-good-key.pem'),
        'utf8',
      ),
      crypto
        .generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .publicKey.export({ type: 'spki', format: 'pem' })
        .toString(),
    ];
    const identities = [
      base.identities[0],
      { entity: RCO, issuer: GITHUB, subject: '/https://github.com/helix/.*/' },
    ];
    const publicKeys = pems.map((pem, i) => ({
      entity: RCO,
      name: `key-${i}`,
      pem,
    }));
    const predicateTypes = [
      'https://sigstore.dev/cosign/sign/v1',
      'https://slsa.dev/provenance/v1',
    ];
    expect(
      digest({
        ...base,
        identities: [...identities].reverse(),
        publicKeys: [...publicKeys].reverse(),
        predicateTypes: [...predicateTypes].reverse(),
      }),
    ).toBe(digest({ ...base, identities, publicKeys, predicateTypes }));
  });

  it("does not change with another entity's own rules", () => {
    expect(
      digest({
        ...base,
        identities: [
          ...base.identities,
          {
            entity: 'component:default/payments',
            issuer: GITHUB,
            subject: '**',
          },
        ],
      }),
    ).toBe(digest(base));
  });
});
