import { SignatureVerificationView } from '@helix-portal/plugin-rco-common';
import {
  Bundle,
  bundleFromJSON,
  isBundleWithDsseEnvelope,
} from '@sigstore/bundle';
import {
  SignedEntity,
  TrustMaterial,
  VerificationError,
  Verifier,
  toSignedEntity,
} from '@sigstore/verify';
import { createPublicKey } from 'node:crypto';
import { prehashedMessage } from './prehashedMessage';
import { IdentityRule, matchIdentity, PublicKeyRule } from './identityPolicy';

export interface BundleCheck {
  /** The bundle as uploaded (JSON), before any masking. */
  doc: unknown;
  entityRef: string;
  /** The digest the bundle is filed under: the release's image. */
  digest?: string;
  /** The trusted root (no public keys); undefined when none is configured. */
  trust?: TrustMaterial;
  /** The entity's identity rules and keys (its own, else the default: they fall back together). */
  identities: IdentityRule[];
  publicKeys: PublicKeyRule[];
  /** The in-toto predicate types that sign the image (rco.sigstore.predicateTypes). */
  predicateTypes: string[];
}

const IN_TOTO = 'application/vnd.in-toto+json';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const failed = (
  reason: string,
  identity?: SignatureVerificationView['identity'],
): SignatureVerificationView => ({
  verifiedBy: 'console',
  ok: false,
  reason,
  ...(identity ? { identity } : {}),
});

/**
 * The sha256 digests the bundle signs (in-toto subjects, or a message signature's digest) and,
 * for an in-toto statement, its predicate type.
 */
function signedDigests(
  bundle: Bundle,
): { digests: string[]; predicateType?: string } | string {
  if (isBundleWithDsseEnvelope(bundle)) {
    const envelope = bundle.content.dsseEnvelope;
    if (envelope.payloadType !== IN_TOTO)
      return `its DSSE payload is ${envelope.payloadType}, not an in-toto statement naming the image`;
    try {
      const statement = JSON.parse(envelope.payload.toString('utf8'));
      return {
        digests: (Array.isArray(statement?.subject) ? statement.subject : [])
          .map((s: { digest?: { sha256?: unknown } }) => s?.digest?.sha256)
          .filter((d: unknown): d is string => typeof d === 'string')
          .map((d: string) => `sha256:${d.toLowerCase()}`),
        predicateType:
          typeof statement?.predicateType === 'string'
            ? statement.predicateType
            : '(none)',
      };
    } catch {
      return 'its in-toto statement is not JSON';
    }
  }
  if (bundle.content.$case !== 'messageSignature')
    return 'it holds neither a DSSE envelope nor a message signature';
  const { messageDigest } = bundle.content.messageSignature;
  // protobuf-specs HashAlgorithm.SHA2_256 is 1; an image digest is a sha256.
  if (!messageDigest || messageDigest.algorithm !== 1)
    return 'its message signature carries no sha256 message digest';
  return { digests: [`sha256:${hex(messageDigest.digest)}`] };
}

/** Why the verifier refused, in words (the library's message names the failing check). */
function inWords(error: unknown): string {
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message ?? String(error);
  if (code === 'CERTIFICATE_ERROR')
    return `its certificate does not chain to a Fulcio CA of the trusted root at signing time (${message})`;
  if (code.startsWith('TLOG'))
    return `its transparency-log entry does not verify against the trusted root's Rekor key (${message})`;
  if (code === 'SIGNATURE_ERROR')
    return `its signature does not verify (${message})`;
  if (code === 'PUBLIC_KEY_ERROR')
    return `its signing key is not one configured for this entity (${message})`;
  if (code === 'TIMESTAMP_ERROR')
    return `it has no verifiable signing time (${message})`;
  return `it does not verify (${message})`;
}

/**
 * Verifies a Sigstore bundle offline, as the console's own judgement: that it signs the release
 * digest, its signature, the certificate chain to the trusted root's Fulcio CA at the logged
 * signing time, the Rekor inclusion (SET or proof) against the trusted root's log keys, and the
 * signer identity against the entity's configured policy. Never throws: the outcome, with its
 * reason, is what the evidence records (a failed bundle is kept, so the page can say why).
 */
export function verifyBundle(check: BundleCheck): SignatureVerificationView {
  const { entityRef, digest, trust } = check;
  if (!trust)
    return failed(
      'not verified: no Sigstore trusted root is configured (rco.sigstore.trustedRootFile or rco.sigstore.trustedRoot)',
    );
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(check.doc);
  } catch (error) {
    return failed(`not a valid Sigstore bundle: ${(error as Error).message}`);
  }
  if (!digest)
    return failed('no release digest to check the signature against');
  const signs = signedDigests(bundle);
  if (typeof signs === 'string') return failed(signs);
  const { digests, predicateType } = signs;
  if (!digests.includes(digest))
    return failed(
      `signed ${
        digests.join(', ') || 'no sha256 digest'
      }, not the release's ${digest}`,
    );
  let entity: SignedEntity;
  try {
    entity = toSignedEntity(bundle);
    // A message signature is over the signed blob (an image manifest), which the console does
    // not have; its digest is, and an ECDSA signature is checked against the digest directly.
    if (bundle.content.$case === 'messageSignature')
      entity = {
        ...entity,
        signature: prehashedMessage(bundle.content.messageSignature),
      };
  } catch (error) {
    return failed(`not a usable Sigstore bundle: ${(error as Error).message}`);
  }
  let signer;
  let keyName: string | undefined;
  try {
    if (entity.key.$case === 'public-key') {
      const verified = verifyWithKeys(entity, check, entity.key.hint);
      signer = verified.signer;
      keyName = verified.name;
    } else signer = new Verifier(trust).verify(entity);
  } catch (error) {
    return failed(inWords(error));
  }
  let identity: NonNullable<SignatureVerificationView['identity']>;
  if (keyName !== undefined) {
    // The key is one configured for the entity (its own, else the default): it is allowed.
    // Named as configured; the bundle's hint is the signer's word.
    identity = { keyId: keyName };
  } else {
    const claimed = {
      issuer: signer.identity?.extensions?.issuer,
      subject: signer.identity?.subjectAlternativeName,
    };
    identity = Object.fromEntries(
      Object.entries(claimed).filter(([, v]) => v !== undefined),
    );
    const allowed = matchIdentity(check.identities, claimed, entityRef);
    if (!allowed.ok) return failed(allowed.reason, identity);
  }
  // A verified attestation (a SLSA provenance, a vulnerability scan) says something about the
  // image; only a signature predicate says its signer vouches for the image itself.
  if (
    predicateType !== undefined &&
    !check.predicateTypes.includes(predicateType)
  )
    return failed(
      `verified, but it is an attestation of ${predicateType}, not a signature of the image: only ${check.predicateTypes.join(
        ', ',
      )} and message signatures sign it (rco.sigstore.predicateTypes)`,
      identity,
    );
  return { verifiedBy: 'console', ok: true, identity };
}

/**
 * A key-based bundle against the entity's configured keys: those whose hint is exactly the
 * bundle's first, else every key configured without a hint, each tried in turn (the bundle's
 * hint is only a hint: a key configured without one may be any key).
 */
function verifyWithKeys(
  entity: SignedEntity,
  check: BundleCheck,
  hint: string,
): { signer: ReturnType<Verifier['verify']>; name: string } {
  const exact = check.publicKeys.filter(k => k.hint === hint);
  const candidates = exact.length
    ? exact
    : check.publicKeys.filter(k => k.hint === undefined);
  if (!candidates.length)
    throw new VerificationError({
      code: 'PUBLIC_KEY_ERROR',
      message: `no public key with hint "${hint}" is configured for ${check.entityRef} (rco.sigstore.publicKeys)`,
    });
  let failure: unknown;
  for (const key of candidates) {
    const trust: TrustMaterial = {
      ...check.trust!,
      publicKey: () => ({
        publicKey: createPublicKey(key.pem),
        validFor: () => true,
      }),
    };
    try {
      return { signer: new Verifier(trust).verify(entity), name: key.name };
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}
