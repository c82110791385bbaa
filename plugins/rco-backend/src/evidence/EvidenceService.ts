import { InputError } from '@backstage/errors';
import {
  EVIDENCE_KINDS,
  EvidenceKind,
  IMAGE_DIGEST_PATTERN,
} from '@helix-portal/plugin-rco-common';
import { canonicalJson, sha256 } from '../lib/canonicalJson';
import {
  EvidenceRecord,
  EvidenceSource,
  EvidenceStore,
  NewEvidence,
} from '../database/EvidenceStore';
import { decodeEvidenceBody } from './decode';
import { maskDocument } from './secrets/maskDocument';
import { rawTextHoldsSecret, serialiseMasked } from './secrets/maskRaw';
import { EvidenceParser } from './parsers/types';
import { resolveSubject } from './imageIdentity';
import { assertUploadable } from './collectedOnly';
import { Clock, systemClock } from '../lib/clock';
import type { SignatureVerifier } from './sigstore/SigstoreVerifier';

/** Query parameters of an upload: they describe the release the document is about. */
export interface UploadOptions {
  entityRef: string;
  body: Buffer;
  kind?: string;
  version?: string;
  digest?: string;
  commit?: string;
  environment?: string;
  source: EvidenceSource;
  submitter: string;
  now?: Date;
}

/**
 * Turns uploaded documents into stored evidence: decode, recognise the format, normalise,
 * mask secrets, then store every document of the upload or none.
 */
export class EvidenceService {
  private readonly byKind: Map<EvidenceKind, EvidenceParser>;

  constructor(
    private readonly store: EvidenceStore,
    private readonly parsers: EvidenceParser[],
    /** The image repositories an entity's releases live in (none: the repository check is skipped). */
    private readonly repositoriesOf: (entityRef: string) => string[] = () => [],
    /** Dates uploads (the local portal's demo clock can be ahead of the system's). */
    private readonly clock: Clock = systemClock,
    /** The console's own Sigstore verification (issue 13); none: bundles stay unverified. */
    private readonly signatures?: SignatureVerifier,
  ) {
    this.byKind = new Map(parsers.map(p => [p.kind, p]));
  }

  async upload(
    options: UploadOptions,
  ): Promise<Array<{ record: EvidenceRecord; created: boolean }>> {
    return this.store.add(await this.prepare(options));
  }

  /**
   * The records an upload would store, parsed and masked, without storing them: collected
   * objects (src/collectors) go through the same readers and masking as an upload of that kind.
   */
  async prepare(options: UploadOptions): Promise<NewEvidence[]> {
    const hint = options.kind;
    if (
      hint !== undefined &&
      !(EVIDENCE_KINDS as readonly string[]).includes(hint)
    ) {
      throw new InputError(
        `Unknown evidence kind "${hint}". Accepted kinds: ${EVIDENCE_KINDS.join(
          ', ',
        )}`,
      );
    }
    if (hint !== undefined)
      assertUploadable(hint as EvidenceKind, options.source, 'The upload');
    if (
      options.digest !== undefined &&
      !IMAGE_DIGEST_PATTERN.test(options.digest)
    ) {
      throw new InputError('digest must look like sha256:<64 hex characters>');
    }
    const documents = decodeEvidenceBody(options.body);
    // Every string of every document is masked before a parser sees it, so neither the stored
    // raw nor the summary built from it can hold a secret (the parsers' masks come on top).
    const masks: Array<{ doc: unknown; masked: boolean }> = [];
    for (const { doc, text, format } of documents) {
      const masked = await maskDocument(doc);
      // The text kept verbatim holds more than its parsed value (YAML comments, the earlier
      // value of a repeated JSON key): it is kept only if the text masker finds nothing in it.
      const rawHasSecret =
        text !== undefined && (await rawTextHoldsSecret(text, format));
      masks.push({ doc: masked.doc, masked: masked.masked || rawHasSecret });
    }
    const collectedAt = options.now ?? this.clock.now();
    const records: NewEvidence[] = documents.map(
      ({ doc, text, format }, index) => {
        const where =
          documents.length > 1
            ? `Document ${index + 1} of the upload`
            : 'The document';
        const { parser, parsed } = this.read(
          masks[index].doc,
          hint as EvidenceKind | undefined,
          where,
        );
        assertUploadable(parser.kind, options.source, where, masks[index].doc);
        // Readers always hand back a copy; it differs from the upload only where something was masked.
        const unchanged =
          !masks[index].masked &&
          (parsed.sanitized === doc ||
            JSON.stringify(parsed.sanitized) === JSON.stringify(doc));
        // The document says what it is about; the query only fills in what it does not say.
        const subject = resolveSubject({
          where,
          document: { ...parsed.subject, image: parsed.image },
          query: {
            version: options.version,
            digest: options.digest,
            commit: options.commit,
            environment: options.environment,
          },
          repositories: this.repositoriesOf(options.entityRef),
        });
        const stored =
          unchanged && text
            ? { raw: text, rawFormat: format }
            : serialiseMasked(parsed.sanitized, format);
        return {
          entityRef: options.entityRef,
          kind: parser.kind,
          // The hash of what is stored. Of the upload it would let anyone who can download the
          // masked raw (everything but the secret) test guesses of a short secret offline.
          sha256: sha256(
            unchanged
              ? text ?? canonicalJson(doc)
              : canonicalJson(parsed.sanitized),
          ),
          subject,
          source: options.source,
          submitter: options.submitter,
          collectedAt,
          // The image the document names is kept with it: the page shows a document naming
          // none as "image asserted by <submitter>".
          summary: parsed.image
            ? ({
                ...parsed.summary,
                image: parsed.image,
              } as typeof parsed.summary)
            : parsed.summary,
          // The upload is kept as sent unless a secret had to be masked out of it (then the
          // masked document, re-serialised: YAML stays YAML).
          ...stored,
        };
      },
    );
    // A Sigstore bundle is verified by the console against the digest it is filed under and the
    // entity's signing policy (the document as uploaded: masking must not alter what was
    // signed). A bundle that fails is kept with the reason, so the page can say why; it never
    // signs the image.
    return records.map((record, index) => {
      if (
        record.kind !== 'sigstore-bundle' ||
        record.summary.type !== 'signature'
      )
        return record;
      const verification = this.signatures?.verify({
        entityRef: options.entityRef,
        doc: documents[index].doc,
        digest: record.subject.digest,
      }) ?? {
        verifiedBy: 'console' as const,
        ok: false,
        reason:
          'not verified: the console has no Sigstore verification installed',
      };
      // The policy it was judged under: under another one it no longer counts, and the same
      // bundle uploaded again is verified anew, a new record (R2 M1).
      const signingPolicy = this.signatures?.policy(options.entityRef);
      return {
        ...record,
        summary: {
          ...record.summary,
          verified: verification.ok,
          verification,
          ...(signingPolicy ? { signingPolicy } : {}),
        },
      };
    });
  }

  private read(doc: unknown, hint: EvidenceKind | undefined, where: string) {
    if (hint) {
      const parser = this.byKind.get(hint);
      if (!parser)
        throw new InputError(`Evidence kind "${hint}" has no reader installed`);
      // An explicit kind lets documents through that detection cannot tell apart (a clean
      // gitleaks report is just []); the reader itself still validates them.
      try {
        return { parser, parsed: parser.parse(doc) };
      } catch (error) {
        throw new InputError(
          `${where} is not ${hint} output (kind=${hint} was given): ${
            (error as Error).message
          }`,
        );
      }
    }
    const parser = this.parsers.find(p => p.detect(doc));
    if (!parser) {
      throw new InputError(
        `${where} is not a recognised evidence format. Accepted kinds: ${EVIDENCE_KINDS.join(
          ', ',
        )}; pass ?kind= to say which`,
      );
    }
    return { parser, parsed: parser.parse(doc) };
  }
}
