import { InputError } from '@backstage/errors';
import { SignatureSummary } from '@helix-portal/plugin-rco-common';
import { sigstoreBundleParser } from './sigstoreBundle';

/**
 * The Fulcio leaf certificate of a real public bundle (sigstore/sigstore-python,
 * test/assets/bundle_v3_github.whl.sigstore): keyless signing from a GitHub Actions workflow.
 */
const FULCIO_CERT = [
  'MIIGzzCCBlSgAwIBAgIUM29bvYkrDKnBVZmVeloTUMlZqNYwCgYIKoZIzj0EAwMwNzEVMBMGA1UEChMMc2lnc3RvcmUuZGV2',
  'MR4wHAYDVQQDExVzaWdzdG9yZS1pbnRlcm1lZGlhdGUwHhcNMjQwMzE5MjI0MTE1WhcNMjQwMzE5MjI1MTE1WjAAMFkwEwYH',
  'KoZIzj0CAQYIKoZIzj0DAQcDQgAE1q8wmpmK0vesCD05ZE1o5Jyu+g/CtLZLXNEZiIomh1jquPMCZrhlPdOfzQws+E+IUBX3',
  'pcVUxtn4rYKnMH39oaOCBXMwggVvMA4GA1UdDwEB/wQEAwIHgDATBgNVHSUEDDAKBggrBgEFBQcDAzAdBgNVHQ4EFgQU0PaU',
  'bhtp84Orb2YatvZkIjkZiOEwHwYDVR0jBBgwFoAU39Ppz1YkEZb5qNjpKFWixi4YZD8wZgYDVR0RAQH/BFwwWoZYaHR0cHM6',
  'Ly9naXRodWIuY29tL3RyYWlsb2ZiaXRzL3JmYzg3ODUucHkvLmdpdGh1Yi93b3JrZmxvd3MvcmVsZWFzZS55bWxAcmVmcy90',
  'YWdzL3YwLjEuMjA5BgorBgEEAYO/MAEBBCtodHRwczovL3Rva2VuLmFjdGlvbnMuZ2l0aHVidXNlcmNvbnRlbnQuY29tMBUG',
  'CisGAQQBg78wAQIEB3JlbGVhc2UwNgYKKwYBBAGDvzABAwQoZDhiNGE2NDQ1ZjM4YzQ4YjkxMzdhODA5OTcwNmQ5YjgwNzMx',
  'NDZlNDAVBgorBgEEAYO/MAEEBAdyZWxlYXNlMCQGCisGAQQBg78wAQUEFnRyYWlsb2ZiaXRzL3JmYzg3ODUucHkwHgYKKwYB',
  'BAGDvzABBgQQcmVmcy90YWdzL3YwLjEuMjA7BgorBgEEAYO/MAEIBC0MK2h0dHBzOi8vdG9rZW4uYWN0aW9ucy5naXRodWJ1',
  'c2VyY29udGVudC5jb20waAYKKwYBBAGDvzABCQRaDFhodHRwczovL2dpdGh1Yi5jb20vdHJhaWxvZmJpdHMvcmZjODc4NS5w',
  'eS8uZ2l0aHViL3dvcmtmbG93cy9yZWxlYXNlLnltbEByZWZzL3RhZ3MvdjAuMS4yMDgGCisGAQQBg78wAQoEKgwoZDhiNGE2',
  'NDQ1ZjM4YzQ4YjkxMzdhODA5OTcwNmQ5YjgwNzMxNDZlNDAdBgorBgEEAYO/MAELBA8MDWdpdGh1Yi1ob3N0ZWQwOQYKKwYB',
  'BAGDvzABDAQrDClodHRwczovL2dpdGh1Yi5jb20vdHJhaWxvZmJpdHMvcmZjODc4NS5weTA4BgorBgEEAYO/MAENBCoMKGQ4',
  'YjRhNjQ0NWYzOGM0OGI5MTM3YTgwOTk3MDZkOWI4MDczMTQ2ZTQwIAYKKwYBBAGDvzABDgQSDBByZWZzL3RhZ3MvdjAuMS4y',
  'MBkGCisGAQQBg78wAQ8ECwwJNzY4MjEzOTk3MC4GCisGAQQBg78wARAEIAweaHR0cHM6Ly9naXRodWIuY29tL3RyYWlsb2Zi',
  'aXRzMBcGCisGAQQBg78wAREECQwHMjMxNDQyMzBoBgorBgEEAYO/MAESBFoMWGh0dHBzOi8vZ2l0aHViLmNvbS90cmFpbG9m',
  'Yml0cy9yZmM4Nzg1LnB5Ly5naXRodWIvd29ya2Zsb3dzL3JlbGVhc2UueW1sQHJlZnMvdGFncy92MC4xLjIwOAYKKwYBBAGD',
  'vzABEwQqDChkOGI0YTY0NDVmMzhjNDhiOTEzN2E4MDk5NzA2ZDliODA3MzE0NmU0MBcGCisGAQQBg78wARQECQwHcmVsZWFz',
  'ZTBcBgorBgEEAYO/MAEVBE4MTGh0dHBzOi8vZ2l0aHViLmNvbS90cmFpbG9mYml0cy9yZmM4Nzg1LnB5L2FjdGlvbnMvcnVu',
  'cy84MzUxMDU4NTAxL2F0dGVtcHRzLzEwFgYKKwYBBAGDvzABFgQIDAZwdWJsaWMwgYoGCisGAQQB1nkCBAIEfAR6AHgAdgDd',
  'PTBqxscRMmMZHhyZZzcCokpeuN48rf+HinKALynujgAAAY5Y4EK+AAAEAwBHMEUCIDagfjpw1AZX374vFXGDSZgJ9Kqrcq7T',
  'k/Us3f7nmVQ1AiEA4esGBrDhflbIUujUmYC3eUWFFBgXHfABLiSDwciTQw8wCgYIKoZIzj0EAwMDaQAwZgIxAM6gKI5vKoqc',
  'vTkv87Foq3WXNYmAhPj3qaQ5ocXQXsWzHeNWGB6lSHTG3ENyapqYBgIxAMJW9ly3JXEdI5ydHfz+GZoh1kyc0XFUPp4V4kVj',
  'nUXY+KtoQWKSPHaZMkYC/szXhg==',
].join('');

/** That bundle's `messageSignature` (v0.2 bundle, certificate chain, hashedrekord). */
const messageBundle = () => ({
  mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.2',
  verificationMaterial: {
    x509CertificateChain: { certificates: [{ rawBytes: FULCIO_CERT }] },
    tlogEntries: [
      {
        logIndex: '79605083',
        logId: { keyId: 'wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=' },
        kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
        integratedTime: '1710888076',
      },
    ],
  },
  messageSignature: {
    messageDigest: {
      algorithm: 'SHA2_256',
      digest: 'xOkunsyCi+8qp9uh3orJg1EfdTKg3xHHcNOQmaJc8gE=',
    },
    signature:
      'MEYCIQCeH6E3MpZngWA6RPg8HAl/Z764hTFYycNyF3R+mPTSbAIhAPgMS8qBM8lCEU2XW765myMMz2zuyu9iTF40PH+XZlJQ',
  },
});

const imageDigest = `sha256:${'7a'.repeat(32)}`;

const inToto = {
  _type: 'https://in-toto.io/Statement/v1',
  subject: [
    { name: 'ghcr.io/acme/app', digest: { sha256: imageDigest.slice(7) } },
    {
      name: 'ghcr.io/acme/app:1.4.2',
      digest: { sha256: imageDigest.slice(7) },
    },
  ],
  predicateType: 'https://slsa.dev/provenance/v1',
  predicate: { buildDefinition: {}, runDetails: {} },
};

/** A v0.3 attestation bundle (`cosign attest --new-bundle-format`, `gh attestation`). */
const dsseBundle = (statement: unknown = inToto) => ({
  mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  verificationMaterial: {
    certificate: { rawBytes: FULCIO_CERT },
    tlogEntries: [],
  },
  dsseEnvelope: {
    payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
    payloadType: 'application/vnd.in-toto+json',
    signatures: [{ sig: 'MEUCIQDo…', keyid: '' }],
  },
});

const identity = {
  issuer: 'https://token.actions.githubusercontent.com',
  subject:
    'https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2',
};

describe('sigstoreBundleParser', () => {
  it('reads a message-signature bundle: base64 digest as hex, identity from the certificate', () => {
    const doc = messageBundle();
    const parsed = sigstoreBundleParser.parse(doc);
    const hex = Buffer.from(
      doc.messageSignature.messageDigest.digest,
      'base64',
    ).toString('hex');
    expect(parsed.summary).toEqual<SignatureSummary>({
      type: 'signature',
      tool: 'sigstore-bundle',
      // Signature material only: nothing here has been checked against a trusted root.
      verified: false,
      signatures: 1,
      digests: [`sha256:${hex}`],
      identities: [identity],
    });
    expect(parsed.subject).toEqual({ digest: `sha256:${hex}` });
    expect(parsed.sanitized).toEqual(doc);
    expect(parsed.sanitized).not.toBe(doc);
  });

  it('reads the subject digests of a DSSE in-toto statement', () => {
    const parsed = sigstoreBundleParser.parse(dsseBundle());
    expect(parsed.summary).toMatchObject({
      verified: false,
      signatures: 1,
      digests: [imageDigest],
      identities: [identity],
    });
    expect(parsed.subject).toEqual({ digest: imageDigest });
  });

  it('keeps a bundle whose payload is not a readable statement, without digests', () => {
    // Key-based (a public key hint, no certificate) and a payload that is not JSON.
    const doc = {
      ...dsseBundle(),
      verificationMaterial: {
        publicKey: { hint: 'release-key' },
        tlogEntries: [],
      },
    };
    doc.dsseEnvelope.payload = Buffer.from('not json').toString('base64');
    const parsed = sigstoreBundleParser.parse(doc);
    expect(parsed.summary).toMatchObject({
      digests: [],
      identities: [],
      verified: false,
    });
    expect(parsed.subject).toEqual({});
  });

  it('rejects malformed bundles with an InputError naming the problem', () => {
    const { messageSignature: _m, ...neither } = messageBundle();
    expect(() => sigstoreBundleParser.parse(neither)).toThrow(InputError);
    expect(() => sigstoreBundleParser.parse(neither)).toThrow(
      'Sigstore bundle has neither messageSignature nor dsseEnvelope',
    );
    expect(() =>
      sigstoreBundleParser.parse({ ...dsseBundle(), ...messageBundle() }),
    ).toThrow('Sigstore bundle has both messageSignature and dsseEnvelope');
    const { verificationMaterial: _v, ...noMaterial } = dsseBundle();
    expect(() => sigstoreBundleParser.parse(noMaterial)).toThrow(
      'Sigstore bundle has no verificationMaterial',
    );
    const shortDigest = messageBundle();
    shortDigest.messageSignature.messageDigest.digest = 'AAAA';
    expect(() => sigstoreBundleParser.parse(shortDigest)).toThrow(
      'Sigstore bundle messageDigest is not a SHA2_256 digest',
    );
    const unsigned = dsseBundle();
    unsigned.dsseEnvelope.signatures = [];
    expect(() => sigstoreBundleParser.parse(unsigned)).toThrow(
      'Sigstore bundle dsseEnvelope has no signatures',
    );
  });
});
