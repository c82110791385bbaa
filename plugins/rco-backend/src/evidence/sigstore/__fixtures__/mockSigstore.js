// What signing against a throwaway Sigstore (@sigstore/mock's Fulcio CA, CT log and Rekor) needs
// besides the mock: the OIDC token its Fulcio reads and the trusted root that verifies what it
// signed. In one place for the fixtures generate.js writes and for the demo history tests' own
// Sigstore (service/demo/history/__testUtils__/signing.ts), so both sign and verify alike.
// Plain CommonJS without side effects, so `node generate.js` requires it as it is.
const crypto = require('node:crypto');

const b64 = buf => Buffer.from(buf).toString('base64');
const sha256 = buf => crypto.createHash('sha256').update(buf).digest();

/**
 * An unsigned JWT: the mock Fulcio reads its claims without checking a signature.
 *
 * @param {string} iss
 * @param {string} sub
 */
function token(iss, sub) {
  const part = o => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({
    iss,
    sub,
    aud: 'sigstore',
    exp: Math.floor(Date.now() / 1000) + 600,
  })}.`;
}

/**
 * The trusted root of @sigstore/mock's logs and CA, valid from `start`.
 *
 * @param {{
 *   start: Date,
 *   rekorUrl: string,
 *   fulcioUrl: string,
 *   tlog: { publicKey: ArrayBufferView },
 *   ca: { rootCertificate: ArrayBufferView },
 *   ctLog: { publicKey: ArrayBufferView, logID: ArrayBufferView },
 * }} o
 */
function trustedRootOf(o) {
  const validFor = { start: o.start.toISOString() };
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: o.rekorUrl,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: b64(o.tlog.publicKey),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor,
        },
        logId: { keyId: b64(sha256(o.tlog.publicKey)) },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'rco-test', commonName: 'rco-test' },
        uri: o.fulcioUrl,
        certChain: { certificates: [{ rawBytes: b64(o.ca.rootCertificate) }] },
        validFor,
      },
    ],
    ctlogs: [
      {
        baseUrl: 'https://ctfe.rco-test.invalid',
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: b64(o.ctLog.publicKey),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor,
        },
        logId: { keyId: b64(o.ctLog.logID) },
      },
    ],
    timestampAuthorities: [],
  };
}

module.exports = { token, trustedRootOf };
