import {
  EvidenceKind,
  EvidenceSubject,
  EvidenceSummary,
  NamedImage,
} from '@helix-portal/plugin-rco-common';

/** What a parser makes of one document. */
export interface ParsedEvidence {
  summary: EvidenceSummary;
  /** What the document itself says it is about (digest, version, commit). */
  subject: EvidenceSubject;
  /**
   * The image the document itself names (repositories, tags, digests), checked against the
   * digest it is filed under and the entity's repositories (evidence/imageIdentity.ts).
   * Absent when the document names no image.
   */
  image?: NamedImage;
  /**
   * The document as it may be stored and downloaded: every secret value masked (gitleaks
   * `Secret`/`Match`, trufflehog `Raw`/`RawV2`, Trivy secret `Match` and code lines), the rest
   * untouched. Never the caller's object mutated in place.
   */
  sanitized: unknown;
}

/**
 * Reads one evidence format. `detect` decides from the document alone (no query parameter);
 * `parse` throws an `InputError` naming what is wrong when a document of this kind is malformed.
 */
export interface EvidenceParser {
  kind: EvidenceKind;
  detect(doc: unknown): boolean;
  parse(doc: unknown): ParsedEvidence;
}
