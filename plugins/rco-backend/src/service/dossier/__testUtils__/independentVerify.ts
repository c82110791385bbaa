import { p256 } from '@noble/curves/p256';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { createPublicKey } from 'node:crypto';

/**
 * Verifiers of DSSE envelopes that share no code with the signer (../dsse.ts): the PAE bytes
 * are rebuilt from the DSSE spec, the signature is checked by @noble/curves and by Sigstore's
 * verifier. Tests only.
 */

/** A DSSE envelope as JSON. */
export interface Envelope {
  payloadType: string;
  payload: string;
  signatures: Array<{ keyid?: string; sig: string }>;
}

/** DSSE v1 PAE, written from the spec (github.com/secure-systems-lab/dsse, protocol.md). */
export function specPae(payloadType: string, payload: Buffer): Buffer {
  const t = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from('DSSEv1', 'ascii'),
    Buffer.from(' ', 'ascii'),
    Buffer.from(String(t.length), 'ascii'),
    Buffer.from(' ', 'ascii'),
    t,
    Buffer.from(' ', 'ascii'),
    Buffer.from(String(payload.length), 'ascii'),
    Buffer.from(' ', 'ascii'),
    payload,
  ]);
}

/** The uncompressed SEC1 point of a PEM public key, as @noble/curves takes it. */
export function rawPoint(publicKeyPem: string): Uint8Array {
  const jwk = createPublicKey(publicKeyPem).export({ format: 'jwk' });
  return Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x!, 'base64url'),
    Buffer.from(jwk.y!, 'base64url'),
  ]);
}

/** Verifies an envelope with @noble/curves: sha256 over the PAE, DER signature, low S only. */
export function nobleVerifies(envelope: Envelope, publicKeyPem: string) {
  const pae = specPae(
    envelope.payloadType,
    Buffer.from(envelope.payload, 'base64'),
  );
  return p256.verify(
    Buffer.from(envelope.signatures[0].sig, 'base64'),
    pae,
    rawPoint(publicKeyPem),
    { prehash: true, format: 'der', lowS: true },
  );
}

/** Verifies a Sigstore bundle (public key named by hint, no log) with @sigstore/verify. */
export function sigstoreBundleVerifies(json: unknown, publicKeyPem: string) {
  const bundle = bundleFromJSON(json);
  const hint = (json as any).verificationMaterial?.publicKey?.hint;
  const trust = toTrustMaterial(
    TrustedRoot.fromJSON({
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [],
      certificateAuthorities: [],
      ctlogs: [],
      timestampAuthorities: [],
    }),
    asked => {
      if (asked !== hint) throw new Error(`unknown key ${asked}`);
      return {
        publicKey: createPublicKey(publicKeyPem),
        validFor: () => true,
      };
    },
  );
  const verifier = new Verifier(trust, {
    tlogThreshold: 0,
    ctlogThreshold: 0,
    timestampThreshold: 0,
  });
  try {
    verifier.verify(toSignedEntity(bundle));
    return true;
  } catch {
    return false;
  }
}

/** Verifies an envelope as a Sigstore bundle (v0.3, public key, no log) with @sigstore/verify. */
export function sigstoreVerifies(envelope: Envelope, publicKeyPem: string) {
  return sigstoreBundleVerifies(
    {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: {
        publicKey: { hint: 'portal' },
        tlogEntries: [],
        timestampVerificationData: { rfc3161Timestamps: [] },
      },
      dsseEnvelope: {
        payload: envelope.payload,
        payloadType: envelope.payloadType,
        signatures: [{ keyid: '', sig: envelope.signatures[0].sig }],
      },
    },
    publicKeyPem,
  );
}
