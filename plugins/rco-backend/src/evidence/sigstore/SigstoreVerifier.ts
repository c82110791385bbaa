import { SignatureVerificationView } from '@helix-portal/plugin-rco-common';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import {
  KeyFinderFunc,
  TrustMaterial,
  VerificationError,
  toTrustMaterial,
} from '@sigstore/verify';
import { createPublicKey } from 'node:crypto';
import { SigstoreConfig } from './config';
import { rulesFor } from './identityPolicy';
import { verifyBundle } from './verifyBundle';

/** What EvidenceService asks of signature verification (a stand-in in tests is allowed). */
export interface SignatureVerifier {
  verify(input: {
    entityRef: string;
    doc: unknown;
    digest?: string;
  }): SignatureVerificationView;
}

/**
 * The console's Sigstore verification, offline: the trusted root and the identity policy come
 * from configuration (rco.sigstore), nothing is fetched (no TUF, no Rekor lookup).
 */
export class SigstoreVerifier implements SignatureVerifier {
  private readonly root?: TrustedRoot;

  constructor(private readonly config: SigstoreConfig) {
    if (config.trustedRoot !== undefined) {
      try {
        this.root = TrustedRoot.fromJSON(config.trustedRoot);
        // Parses every certificate and key now, so a broken root stops the backend at start.
        toTrustMaterial(this.root);
        // Without a log key nothing can verify (every bundle needs its Rekor entry checked).
        if (!this.root.tlogs.length)
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
    return !!this.root;
  }

  verify(input: {
    entityRef: string;
    doc: unknown;
    digest?: string;
  }): SignatureVerificationView {
    return verifyBundle({
      ...input,
      trust: this.trustFor(input.entityRef),
      identities: rulesFor(this.config.identities, input.entityRef),
    });
  }

  /** The trusted root, with the public keys configured for this entity (key-based bundles). */
  private trustFor(entityRef: string): TrustMaterial | undefined {
    if (!this.root) return undefined;
    const keys = rulesFor(this.config.publicKeys, entityRef);
    const finder: KeyFinderFunc = hint => {
      const key = keys.find(k => k.hint === undefined || k.hint === hint);
      if (!key)
        throw new VerificationError({
          code: 'PUBLIC_KEY_ERROR',
          message: `no public key with hint "${hint}" is configured for ${entityRef} (rco.sigstore.publicKeys)`,
        });
      return { publicKey: createPublicKey(key.pem), validFor: () => true };
    };
    return toTrustMaterial(this.root, finder);
  }
}
