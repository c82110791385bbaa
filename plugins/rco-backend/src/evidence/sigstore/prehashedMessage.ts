import type { MessageSignature } from '@sigstore/bundle';
import type { SignedEntity } from '@sigstore/verify';
import { p256 } from '@noble/curves/p256';
import { p384 } from '@noble/curves/p384';
import { KeyObject, timingSafeEqual } from 'node:crypto';

type SignatureContent = SignedEntity['signature'];

const equal = (a: Buffer, b: Buffer) =>
  a.length === b.length && timingSafeEqual(a, b);

const CURVES = { 'P-256': p256, 'P-384': p384 } as const;

/**
 * A message signature checked against its message digest rather than the signed blob: ECDSA signs
 * the hash of the message, so the bundle's digest is all the check needs (Node's crypto always
 * hashes the data itself, hence @noble/curves). Keys of another type cannot be checked this way
 * and fail verification.
 */
export function prehashedMessage(message: MessageSignature): SignatureContent {
  const digest = message.messageDigest?.digest ?? Buffer.alloc(0);
  return {
    signature: message.signature,
    compareSignature: signature => equal(signature, message.signature),
    compareDigest: d => equal(d, digest),
    compareSignedDigest: d => equal(d, digest),
    verifySignature(key: KeyObject) {
      const jwk = key.export({ format: 'jwk' });
      const curve = CURVES[jwk.crv as keyof typeof CURVES];
      if (jwk.kty !== 'EC' || !curve || !jwk.x || !jwk.y) return false;
      const point = Buffer.concat([
        Buffer.from([4]),
        Buffer.from(jwk.x, 'base64url'),
        Buffer.from(jwk.y, 'base64url'),
      ]);
      try {
        // Go and Node sign without normalising s: high-s signatures are valid ECDSA.
        return curve.verify(message.signature, digest, point, {
          lowS: false,
          prehash: false,
          format: 'der',
        });
      } catch {
        return false;
      }
    },
  };
}
