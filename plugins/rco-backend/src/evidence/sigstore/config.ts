import { Config } from '@backstage/config';
import { createHash, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import { IdentityRule, PublicKeyRule, subjectPattern } from './identityPolicy';

/** rco.sigstore: what the console verifies Sigstore bundles against. */
export interface SigstoreConfig {
  /** The Sigstore TrustedRoot JSON (Fulcio CAs, Rekor and CT log keys, TSAs); none: not configured. */
  trustedRoot?: unknown;
  /** Where it came from, for messages (a path, or "rco.sigstore.trustedRoot"). */
  trustedRootSource?: string;
  identities: IdentityRule[];
  publicKeys: PublicKeyRule[];
  /**
   * The in-toto predicate types of a DSSE bundle that sign the image; any other (a SLSA
   * provenance, a vulnerability attestation) is verified and shown but signs nothing. Message
   * signatures (cosign sign-blob over the manifest) always sign.
   */
  predicateTypes: string[];
}

/** What `cosign sign` (v3, new bundle format) signs for an image. */
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';

const ENTITY_REF = /^[a-z0-9-_.]+:[a-z0-9-_.]+\/[a-z0-9-_.]+$/i;

function entityOf(c: Config, where: string): string | undefined {
  const entity = c.getOptionalString('entity');
  if (entity === undefined) return undefined;
  if (!ENTITY_REF.test(entity))
    throw new Error(
      `${where}.entity: "${entity}" is not an entity ref such as component:default/rco`,
    );
  return entity.toLocaleLowerCase('en-US');
}

function readTrustedRoot(
  sigstore: Config,
): Pick<SigstoreConfig, 'trustedRoot' | 'trustedRootSource'> {
  const file = sigstore.getOptionalString('trustedRootFile');
  if (file) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(
        `rco.sigstore.trustedRootFile: cannot read ${file}: ${
          (error as Error).message
        }`,
      );
    }
    try {
      return { trustedRoot: JSON.parse(text), trustedRootSource: file };
    } catch {
      throw new Error(
        `rco.sigstore.trustedRootFile: ${file} is not JSON (a Sigstore trusted_root.json)`,
      );
    }
  }
  if (!sigstore.has('trustedRoot')) return {};
  const inline = sigstore.get('trustedRoot');
  if (typeof inline === 'string') {
    try {
      return {
        trustedRoot: JSON.parse(inline),
        trustedRootSource: 'rco.sigstore.trustedRoot',
      };
    } catch {
      throw new Error('rco.sigstore.trustedRoot is not JSON');
    }
  }
  return { trustedRoot: inline, trustedRootSource: 'rco.sigstore.trustedRoot' };
}

/** Reads rco.sigstore; a malformed entry stops the backend with the key that is wrong. */
export function readSigstoreConfig(rco?: Config): SigstoreConfig {
  const sigstore = rco?.getOptionalConfig('sigstore');
  if (!sigstore)
    return {
      identities: [],
      publicKeys: [],
      predicateTypes: [COSIGN_SIGN_PREDICATE],
    };
  const identities = (sigstore.getOptionalConfigArray('identities') ?? []).map(
    (c, i) => {
      const where = `rco.sigstore.identities[${i}]`;
      const pattern = c.getString('subject');
      return {
        entity: entityOf(c, where),
        issuer: c.getString('issuer'),
        subject: subjectPattern(pattern, `${where}.subject`),
        subjectPattern: pattern,
      };
    },
  );
  const publicKeys = (sigstore.getOptionalConfigArray('publicKeys') ?? []).map(
    (c, i) => {
      const where = `rco.sigstore.publicKeys[${i}]`;
      const pem = c.getString('pem');
      let fingerprint: string;
      try {
        // Parsed now, so a broken key stops the backend at start, not a later verification.
        fingerprint = createHash('sha256')
          .update(createPublicKey(pem).export({ type: 'spki', format: 'der' }))
          .digest('hex');
      } catch (error) {
        throw new Error(
          `${where}.pem is not a PEM public key: ${(error as Error).message}`,
        );
      }
      const hint = c.getOptionalString('hint');
      return {
        entity: entityOf(c, where),
        hint,
        name: c.getOptionalString('name') ?? hint ?? `sha256:${fingerprint}`,
        pem,
      };
    },
  );
  const predicateTypes = sigstore.getOptionalStringArray('predicateTypes') ?? [
    COSIGN_SIGN_PREDICATE,
  ];
  return {
    ...readTrustedRoot(sigstore),
    identities,
    publicKeys,
    predicateTypes,
  };
}
