import { SignatureVerificationView } from '@helix-portal/plugin-rco-common';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import {
  TrustMaterial,
  VerificationError,
  toTrustMaterial,
} from '@sigstore/verify';
import { SigstoreConfig } from './config';
import { policyFor } from './identityPolicy';
import { signingPolicyDigest } from './signingPolicy';
import { verifyBundle } from './verifyBundle';

/** What EvidenceService asks of signature verification (a stand-in in tests is allowed). */
export interface SignatureVerifier {
  verify(input: {
    entityRef: string;
    doc: unknown;
    digest?: string;
  }): SignatureVerificationView;
  /** The digest of the signing policy in force for the entity, recorded with each outcome (R2 M1). */
  policy(entityRef: string): string;
}

/**
 * The console's Sigstore verification, offline: the trusted root and the identity policy come
 * from configuration (rco.sigstore), nothing is fetched (no TUF, no Rekor lookup).
 */
export class SigstoreVerifier implements SignatureVerifier {
  /** The trusted root without public keys: keys are the entity's, chosen per bundle. */
  private readonly trust?: TrustMaterial;

  constructor(private readonly config: SigstoreConfig) {
    if (config.trustedRoot !== undefined) {
      try {
        const root = TrustedRoot.fromJSON(config.trustedRoot);
        // Parses every certificate and key now, so a broken root stops the backend at start.
        this.trust = toTrustMaterial(root, hint => {
          throw new VerificationError({
            code: 'PUBLIC_KEY_ERROR',
            message: `no public key with hint "${hint}" is configured`,
          });
        });
        // Without a log key nothing can verify (every bundle needs its Rekor entry checked).
        if (!root.tlogs.length)
          throw new Error('it holds no transparency log (tlogs) key');
      } catch (error) {
        throw new Error(
          `${config.trustedRootSource} is not a Sigstore trusted root: ${
            (error as Error).message
          }`,
        );
      }
    }
  }

  /** Whether bundles can be verified at all (a trusted root is configured). */
  get configured(): boolean {
    return !!this.trust;
  }

  verify(input: {
    entityRef: string;
    doc: unknown;
    digest?: string;
  }): SignatureVerificationView {
    const policy = policyFor(this.config, input.entityRef);
    return verifyBundle({
      ...input,
      trust: this.trust,
      identities: policy.identities,
      publicKeys: policy.publicKeys,
      predicateTypes: this.config.predicateTypes,
    });
  }

  policy(entityRef: string): string {
    return signingPolicyDigest(this.config, entityRef);
  }
}
