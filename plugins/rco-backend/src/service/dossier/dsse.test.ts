import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DsseEnvelope,
  ephemeralDemoKey,
  readAttestationKey,
  signEnvelope,
} from './dsse';
import { verificationSummary } from './vsa';
import {
  nobleVerifies,
  sigstoreVerifies,
  specPae,
} from './__testUtils__/independentVerify';

/**
 * The signature is checked by code that did not make it (__testUtils__/independentVerify): the
 * PAE bytes rebuilt from the DSSE spec and verified by @noble/curves, the envelope verified by
 * Sigstore's own verifier (@sigstore/verify, which computes the PAE itself), and openssl.
 */

const DIGEST = `sha256:${'d'.repeat(64)}`;

function statement(ready = true) {
  return Buffer.from(
    JSON.stringify(
      verificationSummary({
        image: {
          digest: DIGEST,
          repository: 'registry.example/rco',
          fallbackName: 'component:default/rco',
        },
        verifierId: 'https://portal.example',
        timeVerified: new Date('2026-11-30T12:00:00Z'),
        releaseUri: 'https://portal.example/catalog/default/component/rco',
        configDigest: 'e'.repeat(64),
        inputs: [
          {
            name: 'evidence/trivy-1/raw.json',
            digest: { sha256: 'f'.repeat(64) },
          },
        ],
        ready,
      }),
    ),
  );
}

/** A fresh P-256 key as openssl writes it (SEC1 "EC PRIVATE KEY"). */
function opensslKey(dir: string) {
  const file = path.join(dir, 'key.pem');
  execFileSync('openssl', [
    'ecparam',
    '-name',
    'prime256v1',
    '-genkey',
    '-noout',
    '-out',
    file,
  ]);
  return fs.readFileSync(file, 'utf8');
}

describe('DSSE signing of the VSA', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-dsse-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('computes the PAE as the DSSE spec defines it (lengths in bytes, not characters)', () => {
    const payload = statement();
    const envelope = signEnvelope(ephemeralDemoKey(), payload);
    expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
    expect(Buffer.from(envelope.payload, 'base64').equals(payload)).toBe(true);
    // The spec's own example: DSSEv1 SP 29 SP http://example.com/HelloWorld SP 11 SP hello world
    expect(
      specPae(
        'http://example.com/HelloWorld',
        Buffer.from('hello world'),
      ).toString(),
    ).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
    expect(specPae('a', Buffer.from('héllo')).toString('latin1')).toBe(
      'DSSEv1 1 a 6 h\u00c3\u00a9llo',
    );
  });

  it('signs so that @noble/curves, @sigstore/verify and openssl verify it; a tampered envelope fails all three', () => {
    const key = readAttestationKey(opensslKey(dir), 'portal-2026');
    const envelope = signEnvelope(key, statement());
    expect(envelope.signatures[0].keyid).toBe('portal-2026');
    expect(
      JSON.parse(Buffer.from(envelope.payload, 'base64').toString()),
    ).toMatchObject({
      _type: 'https://in-toto.io/Statement/v1',
      predicateType: 'https://slsa.dev/verification_summary/v1',
      subject: [
        { name: 'registry.example/rco', digest: { sha256: 'd'.repeat(64) } },
      ],
      predicate: { verificationResult: 'PASSED' },
    });
    expect(nobleVerifies(envelope, key.publicKeyPem)).toBe(true);
    expect(sigstoreVerifies(envelope, key.publicKeyPem)).toBe(true);

    // PASSED changed to FAILED in the payload, the signature kept.
    const tampered = {
      ...envelope,
      payload: Buffer.from(
        Buffer.from(envelope.payload, 'base64')
          .toString()
          .replace('PASSED', 'FAILED'),
      ).toString('base64'),
    };
    const otherType = { ...envelope, payloadType: 'application/json' };
    for (const bad of [tampered, otherType]) {
      expect(nobleVerifies(bad, key.publicKeyPem)).toBe(false);
      expect(sigstoreVerifies(bad, key.publicKeyPem)).toBe(false);
    }
    // Another key does not verify it either.
    expect(nobleVerifies(envelope, ephemeralDemoKey().publicKeyPem)).toBe(
      false,
    );

    // openssl, as the README tells a person to do it: the PAE bytes, the DER signature.
    const openssl = (env: DsseEnvelope) => {
      fs.writeFileSync(path.join(dir, 'pub.pem'), key.publicKeyPem);
      fs.writeFileSync(
        path.join(dir, 'pae.bin'),
        specPae(env.payloadType, Buffer.from(env.payload, 'base64')),
      );
      fs.writeFileSync(
        path.join(dir, 'sig.der'),
        Buffer.from(env.signatures[0].sig, 'base64'),
      );
      try {
        return execFileSync(
          'openssl',
          [
            'dgst',
            '-sha256',
            '-verify',
            'pub.pem',
            '-signature',
            'sig.der',
            'pae.bin',
          ],
          { cwd: dir, stdio: 'pipe' },
        ).toString();
      } catch (error: any) {
        return `${error.stdout}${error.stderr}`;
      }
    };
    expect(openssl(envelope)).toMatch(/Verified OK/);
    expect(openssl(tampered)).toMatch(/Verification failure/);
  });

  it('signs with a low S every time (strict verifiers refuse the other half)', () => {
    const key = ephemeralDemoKey();
    for (let i = 0; i < 40; i++) {
      const envelope = signEnvelope(key, Buffer.from(`payload ${i}`));
      // lowS: true refuses a high S.
      expect(nobleVerifies(envelope, key.publicKeyPem)).toBe(true);
    }
  });

  it.each([
    ['not a key', 'hello', /is not a PEM private key/],
    [
      'an RSA key',
      generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      /must be an ECDSA P-256 key; got rsa/,
    ],
    [
      'a P-384 key',
      generateKeyPairSync('ec', { namedCurve: 'P-384' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      /must be an ECDSA P-256 key; got ec on secp384r1/,
    ],
    [
      'a public key',
      ephemeralDemoKey().publicKeyPem,
      /is not a PEM private key/,
    ],
  ])(
    'refuses %s, naming the setting and never the key',
    (_what, pem, message) => {
      let error: Error | undefined;
      try {
        readAttestationKey(pem, undefined);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).toMatch(/^rco\.attestation\.privateKey /);
      expect(error?.message).toMatch(message);
      // No line of the PEM appears in the message.
      for (const line of pem
        .split('\n')
        .filter(l => l.length > 8 && !l.startsWith('-----'))) {
        expect(error?.message).not.toContain(line);
      }
    },
  );

  it('reads PKCS#8 and SEC1 keys and serves the public key as SPKI PEM', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (const type of ['pkcs8', 'sec1'] as const) {
      const key = readAttestationKey(
        privateKey.export({ type, format: 'pem' }).toString(),
        '',
      );
      expect(key.keyId).toBeUndefined();
      expect(key.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
      expect(
        signEnvelope(key, Buffer.from('x')).signatures[0],
      ).not.toHaveProperty('keyid');
    }
  });
});
