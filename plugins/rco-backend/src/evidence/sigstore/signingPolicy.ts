import { canonicalJson, sha256 } from '../../lib/canonicalJson';
import { SigstoreConfig } from './config';
import { policyFor } from './identityPolicy';

/**
 * Bumped when the meaning of a policy changes without its configuration changing (how subject
 * patterns match, which bundles sign): every verification made before then no longer counts.
 */
const POLICY_SEMANTICS = 'rco-sigstore-policy/2';

const rootDigests = new WeakMap<object, string>();

function rootDigest(config: SigstoreConfig): string | null {
  if (config.trustedRoot === undefined) return null;
  let digest = rootDigests.get(config);
  if (!digest) {
    digest = sha256(canonicalJson(config.trustedRoot));
    rootDigests.set(config, digest);
  }
  return digest;
}

/** Items in the order of their canonical forms, duplicates once. */
function sortedSet<T>(items: T[]): unknown[] {
  return [...new Set(items.map(i => canonicalJson(i)))]
    .sort()
    .map(c => JSON.parse(c));
}

/**
 * The digest of the signing policy in force for one entity: everything a verification's outcome
 * depends on besides the bundle and the digest it is filed under (the trusted root, the entity's
 * signer identities and keys, the predicate types that sign). A verification records it
 * (SignatureSummary.signingPolicy); under another digest it no longer counts, and the same bundle
 * uploaded again is a new record (DatabaseEvidenceStore's dedupe key includes it).
 */
export function signingPolicyDigest(
  config: SigstoreConfig,
  entityRef: string,
): string {
  const policy = policyFor(config, entityRef);
  return sha256(
    canonicalJson({
      semantics: POLICY_SEMANTICS,
      trustedRoot: rootDigest(config),
      // Sets, not lists: the order rules are written in config does not change what they
      // allow, so reordering them must not void every verification made under them.
      identities: sortedSet(
        policy.identities.map(i => ({
          issuer: i.issuer,
          subject: i.subjectPattern,
        })),
      ),
      publicKeys: sortedSet(
        policy.publicKeys.map(k => ({
          hint: k.hint ?? null,
          name: k.name,
          pem: k.pem.trim(),
        })),
      ),
      predicateTypes: [...new Set(config.predicateTypes)].sort(),
    }),
  );
}
