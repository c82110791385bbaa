import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  sign,
} from 'node:crypto';

/** The DSSE payload type of an in-toto statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** A DSSE envelope as the spec serialises it (payload and signatures base64, standard alphabet). */
export interface DsseEnvelope {
  payloadType: string;
  payload: string;
  signatures: Array<{ keyid?: string; sig: string }>;
}

/** The portal's attestation key (rco.attestation), read once at start. */
export interface AttestationKey {
  privateKey: KeyObject;
  /** PEM (SPKI) of the public key, served at GET /attestation/public-key. */
  publicKeyPem: string;
  keyId?: string;
}

/**
 * Reads an ECDSA P-256 private key from PEM. Errors name the setting and what is wrong, never
 * the key (not even part of it: a PEM that does not parse may still be a secret).
 */
export function readAttestationKey(
  pem: string,
  keyId: string | undefined,
  setting = 'rco.attestation.privateKey',
): AttestationKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error(
      `${setting} is not a PEM private key (expected an ECDSA P-256 key, e.g. from 'openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt')`,
    );
  }
  const curve = privateKey.asymmetricKeyDetails?.namedCurve;
  if (privateKey.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
    throw new Error(
      `${setting} must be an ECDSA P-256 key; got ${
        privateKey.asymmetricKeyType
      }${curve ? ` on ${curve}` : ''}`,
    );
  }
  return {
    privateKey,
    publicKeyPem: createPublicKey(privateKey)
      .export({ type: 'spki', format: 'pem' })
      .toString(),
    keyId: keyId || undefined,
  };
}

/**
 * A key made at start for the local portal only (rco.demoEvidence, which the production guard
 * refuses): its signatures prove nothing beyond that process, and it says so in its key id.
 */
export function ephemeralDemoKey(): AttestationKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey,
    publicKeyPem: createPublicKey(privateKey)
      .export({ type: 'spki', format: 'pem' })
      .toString(),
    keyId: 'rco-demo-ephemeral',
  };
}

/**
 * DSSE v1 pre-authentication encoding: `DSSEv1 SP LEN(type) SP type SP LEN(body) SP body`,
 * lengths as ASCII decimal byte counts. The signature covers these bytes, never the JSON.
 */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ]);
}

// The order of P-256: signatures are given the low S (some verifiers refuse the other).
const N = BigInt(
  '0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
);

/** ASN.1 DER of an unsigned integer (a leading zero when the top bit is set). */
function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

/** ECDSA P-256 over SHA-256, DER-encoded with low S (what cosign and openssl verify). */
function signP256(key: KeyObject, data: Buffer): Buffer {
  const raw = sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
  const r = BigInt(`0x${raw.subarray(0, 32).toString('hex')}`);
  let s = BigInt(`0x${raw.subarray(32).toString('hex')}`);
  if (s > N / BigInt(2)) s = N - s;
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** Signs `payload` into a DSSE envelope with the portal's key. */
export function signEnvelope(
  key: AttestationKey,
  payload: Buffer,
  payloadType = IN_TOTO_PAYLOAD_TYPE,
): DsseEnvelope {
  const sig = signP256(key.privateKey, preAuthEncoding(payloadType, payload));
  return {
    payloadType,
    payload: payload.toString('base64'),
    signatures: [
      {
        ...(key.keyId ? { keyid: key.keyId } : {}),
        sig: sig.toString('base64'),
      },
    ],
  };
}

/**
 * The envelope as a Sigstore bundle (v0.3) naming the key by hint, without a log entry: what
 * `cosign verify-blob-attestation --bundle` (its default format from cosign 3) and the Sigstore
 * clients read. The signature is the envelope's.
 */
export function sigstoreBundle(envelope: DsseEnvelope, keyHint?: string) {
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      publicKey: { hint: keyHint ?? '' },
      tlogEntries: [],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: envelope,
  };
}
