import { InputError } from '@backstage/errors';
import { EVIDENCE_KINDS, EvidenceKind } from '@internal/plugin-rco-common';
import { canonicalJson, sha256 } from '../lib/canonicalJson';
import {
  EvidenceRecord,
  EvidenceSource,
  EvidenceStore,
  NewEvidence,
} from '../database/EvidenceStore';
import { decodeEvidenceBody } from './decode';
import { EvidenceParser } from './parsers/types';

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

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Turns uploaded documents into stored evidence: decode, recognise the format, normalise,
 * mask secrets, then store every document of the upload or none.
 */
export class EvidenceService {
  private readonly byKind: Map<EvidenceKind, EvidenceParser>;

  constructor(
    private readonly store: EvidenceStore,
    private readonly parsers: EvidenceParser[],
  ) {
    this.byKind = new Map(parsers.map(p => [p.kind, p]));
  }

  async upload(
    options: UploadOptions,
  ): Promise<Array<{ record: EvidenceRecord; created: boolean }>> {
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
    if (options.digest !== undefined && !DIGEST.test(options.digest)) {
      throw new InputError('digest must look like sha256:<64 hex characters>');
    }
    const documents = decodeEvidenceBody(options.body);
    const collectedAt = options.now ?? new Date();
    const records: NewEvidence[] = documents.map(
      ({ doc, text, format }, index) => {
        const where =
          documents.length > 1
            ? `Document ${index + 1} of the upload`
            : 'The document';
        const { parser, parsed } = this.read(
          doc,
          hint as EvidenceKind | undefined,
          where,
        );
        // Readers always hand back a copy; it differs from the upload only where something was masked.
        const unchanged =
          parsed.sanitized === doc ||
          JSON.stringify(parsed.sanitized) === JSON.stringify(doc);
        const subject = {
          version: options.version ?? parsed.subject.version,
          digest: options.digest ?? parsed.subject.digest,
          commit: options.commit ?? parsed.subject.commit,
          environment: options.environment ?? parsed.subject.environment,
        };
        return {
          entityRef: options.entityRef,
          kind: parser.kind,
          sha256: sha256(text ?? canonicalJson(doc)),
          subject,
          source: options.source,
          submitter: options.submitter,
          collectedAt,
          summary: parsed.summary,
          // The upload is kept as sent unless a secret had to be masked out of it.
          raw:
            unchanged && text
              ? text
              : JSON.stringify(parsed.sanitized, null, 2),
          rawFormat: unchanged && text ? format : 'json',
        };
      },
    );
    return this.store.add(records);
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
