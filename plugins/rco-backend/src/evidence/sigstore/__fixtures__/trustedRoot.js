// The trusted root of a throwaway Sigstore (its Rekor key, Fulcio CA and CT log key; no TSA), in
// one place for the fixtures generate.js writes and for the demo history tests' own Sigstore
// (service/demo/history/__testUtils__/signing.ts): both verify with the same shape of root.
// Plain CommonJS without side effects, so `node generate.js` requires it as it is.
const crypto = require('node:crypto');

const b64 = buf => Buffer.from(buf).toString('base64');
const sha256 = buf => crypto.createHash('sha256').update(buf).digest();

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

module.exports = { trustedRootOf };
