import { InputError } from '@backstage/errors';
import {
  evidenceDetectors,
  SignatureSummary,
} from '@helix-portal/plugin-rco-common';
import { X509Certificate } from 'node:crypto';
import { EvidenceParser } from './types';
import { namedImage } from '../imageIdentity';
import { deepClone, isRecord, JsonRecord, recordArray, str } from './mask';

/** `…bundle+json;version=0.1`/`0.2` and `…bundle.v0.3+json` all start with this. */
const MEDIA_TYPE_PREFIX = 'application/vnd.dev.sigstore.bundle';

/** protobuf-specs HashAlgorithm names, as the JSON encoding spells them, and digest sizes. */
const HASH_ALGORITHMS: Record<string, { name: string; bytes: number }> = {
  SHA2_256: { name: 'sha256', bytes: 32 },
  SHA2_384: { name: 'sha384', bytes: 48 },
  SHA2_512: { name: 'sha512', bytes: 64 },
};

/** `<alg>:<hex>` of a bundle's `messageDigest`; none when absent (the spec makes it optional). */
function messageDigest(value: unknown): string[] {
  if (!isRecord(value)) return [];
  const algorithm = HASH_ALGORITHMS[String(value.algorithm)];
  const bytes = Buffer.from(str(value.digest) ?? '', 'base64');
  if (!algorithm || bytes.length === 0) return [];
  if (bytes.length !== algorithm.bytes) {
    throw new InputError(
      `Sigstore bundle messageDigest is not a ${value.algorithm} digest (base64 of ${algorithm.bytes} bytes)`,
    );
  }
  return [`${algorithm.name}:${bytes.toString('hex')}`];
}

/** DER of the Fulcio OIDC issuer extension OIDs 1.3.6.1.4.1.57264.1.8 (v2) and .1.1 (v1). */
const ISSUER_V2_OID = Buffer.from('060a2b0601040183bf300108', 'hex');
const ISSUER_V1_OID = Buffer.from('060a2b0601040183bf300101', 'hex');

const isBundle = (doc: unknown): doc is JsonRecord =>
  evidenceDetectors['sigstore-bundle'](doc);

/** The content of the DER element at `pos` (tag, then short or long form length). */
function derContent(der: Buffer, pos: number): Buffer | undefined {
  if (pos + 1 >= der.length) return undefined;
  let length = der[pos + 1];
  let start = pos + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 3) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i];
    start += bytes;
  }
  return start + length <= der.length
    ? der.subarray(start, start + length)
    : undefined;
}

/**
 * The OIDC issuer Fulcio wrote into the certificate. Node's X509Certificate does not expose
 * custom extensions, so the extension is found by its OID: `OID [critical] OCTET STRING`, whose
 * content is a DER UTF8String for v2 and the raw issuer bytes for the deprecated v1.
 */
function certificateIssuer(der: Buffer): string | undefined {
  for (const [oid, wrapped] of [
    [ISSUER_V2_OID, true],
    [ISSUER_V1_OID, false],
  ] as const) {
    const at = der.indexOf(oid);
    if (at < 0) continue;
    let pos = at + oid.length;
    if (der[pos] === 0x01) pos += 2 + der[pos + 1]; // the optional `critical` BOOLEAN
    if (der[pos] !== 0x04) continue;
    const octets = derContent(der, pos);
    const value =
      wrapped && octets?.[0] === 0x0c ? derContent(octets, 0) : octets;
    if (value && value.length > 0) return value.toString('utf8');
  }
  return undefined;
}

/** The signer identity a Fulcio certificate claims: its first SAN and the OIDC issuer. */
function certificateIdentity(
  rawBytes: string | undefined,
): SignatureSummary['identities'] {
  if (!rawBytes) return [];
  try {
    const der = Buffer.from(rawBytes, 'base64');
    const san = new X509Certificate(der).subjectAltName?.split(', ')[0];
    const unprefixed = san?.replace(/^(URI|email|DNS|IP Address):/, '');
    // Node quotes a SAN value holding separators (`URI:"…, …"`) as a JSON string.
    const subject = unprefixed?.startsWith('"')
      ? String(JSON.parse(unprefixed))
      : unprefixed;
    const issuer = certificateIssuer(der);
    if (!subject && !issuer) return [];
    return [{ ...(issuer ? { issuer } : {}), ...(subject ? { subject } : {}) }];
  } catch {
    // An unreadable certificate makes no identity claim; verification, elsewhere, will fail.
    return [];
  }
}

/** The leaf certificate: `certificate` since v0.3, first of `x509CertificateChain` before. */
function leafCertificate(material: JsonRecord): string | undefined {
  if (isRecord(material.certificate)) return str(material.certificate.rawBytes);
  if (isRecord(material.x509CertificateChain)) {
    const chain = recordArray(
      material.x509CertificateChain.certificates,
      'Sigstore bundle certificates',
    );
    return str(chain[0]?.rawBytes);
  }
  return undefined;
}

/** The names of the in-toto statement's subjects (image repositories, for container attestations). */
function statementNames(envelope: JsonRecord): string[] {
  if (envelope.payloadType !== 'application/vnd.in-toto+json') return [];
  try {
    const statement: unknown = JSON.parse(
      Buffer.from(String(envelope.payload), 'base64').toString('utf8'),
    );
    if (!isRecord(statement) || !Array.isArray(statement.subject)) return [];
    return statement.subject.flatMap(subject =>
      isRecord(subject) && typeof subject.name === 'string'
        ? [subject.name]
        : [],
    );
  } catch {
    return [];
  }
}

/** `sha256:<hex>` of each in-toto statement subject, when the DSSE payload is one. */
function statementDigests(envelope: JsonRecord): string[] {
  if (envelope.payloadType !== 'application/vnd.in-toto+json') return [];
  try {
    const statement: unknown = JSON.parse(
      Buffer.from(String(envelope.payload), 'base64').toString('utf8'),
    );
    if (!isRecord(statement) || !Array.isArray(statement.subject)) return [];
    return statement.subject.flatMap(subject => {
      const hex =
        isRecord(subject) && isRecord(subject.digest)
          ? subject.digest.sha256
          : undefined;
      return typeof hex === 'string' && /^[a-f0-9]{64}$/i.test(hex)
        ? [`sha256:${hex.toLowerCase()}`]
        : [];
    });
  } catch {
    return []; // an undecodable payload names no subject; the bundle is still signature material
  }
}

/** A Sigstore bundle (cosign `--bundle`, `gh attestation`, sigstore-js/python), v0.1 to v0.3. */
export const sigstoreBundleParser: EvidenceParser = {
  kind: 'sigstore-bundle',
  detect: isBundle,
  parse(doc) {
    if (!isBundle(doc)) {
      throw new InputError(
        `Not a Sigstore bundle (mediaType ${MEDIA_TYPE_PREFIX}…)`,
      );
    }
    if (!isRecord(doc.verificationMaterial)) {
      throw new InputError('Sigstore bundle has no verificationMaterial');
    }
    const message = doc.messageSignature;
    const envelope = doc.dsseEnvelope;
    if (message !== undefined && envelope !== undefined) {
      throw new InputError(
        'Sigstore bundle has both messageSignature and dsseEnvelope',
      );
    }
    let digests: string[];
    let signatures: number;
    if (isRecord(message)) {
      if (!str(message.signature)) {
        throw new InputError(
          'Sigstore bundle messageSignature has no signature',
        );
      }
      digests = messageDigest(message.messageDigest);
      signatures = 1;
    } else if (isRecord(envelope)) {
      if (!str(envelope.payload) || !str(envelope.payloadType)) {
        throw new InputError(
          'Sigstore bundle dsseEnvelope has no payload or payloadType',
        );
      }
      signatures = recordArray(
        envelope.signatures,
        'Sigstore bundle dsseEnvelope.signatures',
      ).length;
      if (signatures === 0) {
        throw new InputError('Sigstore bundle dsseEnvelope has no signatures');
      }
      digests = [...new Set(statementDigests(envelope))];
    } else {
      throw new InputError(
        'Sigstore bundle has neither messageSignature nor dsseEnvelope',
      );
    }
    const summary: SignatureSummary = {
      type: 'signature',
      tool: 'sigstore-bundle',
      // A bundle is signature material, not a verification result: checking it needs the
      // trusted root, the digest it is filed under and the entity's identity policy, none of which
      // this parser has. EvidenceService has the console verify it (evidence/sigstore) and
      // records the outcome in `verified` and `verification`.
      verified: false,
      signatures,
      digests,
      // Claimed by the certificate, unverified like the rest of the bundle.
      identities: certificateIdentity(
        leafCertificate(doc.verificationMaterial),
      ),
    };
    const digest = digests.find(d => d.startsWith('sha256:'));
    // Only in-toto subjects name an image; a message digest is of a blob, which may be anything.
    const image = isRecord(envelope)
      ? namedImage({ repositories: statementNames(envelope), digests })
      : undefined;
    return {
      summary,
      subject: digest ? { digest } : {},
      ...(image ? { image } : {}),
      // Certificates, signatures and log entries are public material, not secrets.
      sanitized: deepClone(doc),
    };
  },
};
