import { InputError } from '@backstage/errors';
import {
  evidenceDetectors,
  SignatureSummary,
} from '@helix-portal/plugin-rco-common';
import { EvidenceParser } from './types';
import { namedImage } from '../imageIdentity';
import { CLAIM_REASON } from '../sigstore/signatureState';
import { deepClone, isRecord, JsonRecord, sha256Digest, str } from './mask';

/** The `critical.type` of a simple-signing payload that cosign signs for a container image. */
const SIGNATURE_TYPE = 'cosign container image signature';

/** Fulcio certificate extensions cosign copies into `optional` for keyless signatures. */
const FULCIO_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const FULCIO_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';

function isCosignSignature(item: unknown): item is JsonRecord {
  return (
    isRecord(item) &&
    isRecord(item.critical) &&
    typeof item.critical.type === 'string' &&
    item.critical.type.toLowerCase() === SIGNATURE_TYPE
  );
}

type Identity = SignatureSummary['identities'][number];

/**
 * The keyless identity of one signature: cosign adds `Issuer` and `Subject` to `optional`
 * (newer versions), and the raw Fulcio extensions (issuer only) in every version. Key-based
 * signatures have `optional: null` or only annotations, hence no identity.
 */
function identityOf(optional: unknown): Identity | undefined {
  if (!isRecord(optional)) return undefined;
  const issuer =
    str(optional.Issuer) ??
    str(optional[FULCIO_ISSUER_V2]) ??
    str(optional[FULCIO_ISSUER_V1]);
  const subject = str(optional.Subject);
  if (!issuer && !subject) return undefined;
  const identity: Identity = {};
  if (issuer) identity.issuer = issuer;
  if (subject) identity.subject = subject;
  return identity;
}

/** Output of `cosign verify` (key-based or keyless): the signatures that verified. */
export const cosignParser: EvidenceParser = {
  kind: 'cosign',
  // `cosign verify` prints a JSON array of the simple-signing payloads it verified.
  detect: evidenceDetectors.cosign,
  parse(doc) {
    if (!Array.isArray(doc)) {
      throw new InputError(
        'cosign verify output is not a JSON array of signatures',
      );
    }
    if (doc.length === 0) {
      throw new InputError('cosign verify output has no signatures');
    }
    const digests: string[] = [];
    const references: unknown[] = [];
    const identities: Identity[] = [];
    doc.forEach((item, index) => {
      const where = `cosign signature [${index}]`;
      if (!isCosignSignature(item)) {
        throw new InputError(`${where} is not a "${SIGNATURE_TYPE}" payload`);
      }
      const critical = isRecord(item.critical) ? item.critical : {};
      const image = isRecord(critical.image) ? critical.image : {};
      const raw = str(image['docker-manifest-digest']);
      // Exactly a digest, not a reference that happens to contain one.
      const digest = raw?.startsWith('sha256:') ? sha256Digest(raw) : undefined;
      if (!digest) {
        throw new InputError(
          `${where} has no sha256 critical.image.docker-manifest-digest`,
        );
      }
      if (!digests.includes(digest)) digests.push(digest);
      const identityRef = isRecord(critical.identity)
        ? critical.identity['docker-reference']
        : undefined;
      if (typeof identityRef === 'string') references.push(identityRef);
      const identity = identityOf(item.optional);
      if (
        identity &&
        !identities.some(
          i => i.issuer === identity.issuer && i.subject === identity.subject,
        )
      ) {
        identities.push(identity);
      }
    });
    const summary: SignatureSummary = {
      type: 'signature',
      tool: 'cosign',
      // cosign prints these payloads only after checking every signature, but the output holds
      // no signature, certificate or log entry: nothing here can be checked, and anyone can write
      // this JSON. It is CI's claim, shown as such; only a bundle the console verifies signs the
      // image (issue 13).
      verified: false,
      verification: {
        verifiedBy: 'claim',
        ok: true,
        reason: CLAIM_REASON,
        ...(identities[0] ? { identity: identities[0] } : {}),
      },
      signatures: doc.length,
      digests,
      identities,
    };
    return {
      summary,
      subject: { digest: digests[0] },
      image: namedImage({ repositories: references, digests }),
      // Payloads hold references, digests and public identities, not secret values.
      sanitized: deepClone(doc),
    };
  },
};
