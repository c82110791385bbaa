import { InputError } from '@backstage/errors';
import {
  evidenceDetectors,
  SecretFinding,
  SecretScanSummary,
} from '@helix-portal/plugin-rco-common';
import { EvidenceParser } from './types';
import { deepClone, isRecord, JsonRecord, maskKeys, num, str } from './mask';

/**
 * Fields of a trufflehog result that hold the credential. `Redacted` is the detector's own
 * "safe to show" part, but for some detectors (AWS) it is the whole key id: masked too.
 */
const SECRET_KEYS = ['Raw', 'RawV2', 'Redacted'];

function isFinding(
  item: unknown,
): item is JsonRecord & { DetectorName: string } {
  return (
    isRecord(item) &&
    typeof item.DetectorName === 'string' &&
    'SourceMetadata' in item
  );
}

/**
 * trufflehog logs are JSON lines too (`level`, `msg`) and end up in the same file when stderr
 * is captured with stdout; they carry no finding and are skipped, not rejected.
 */
function isLogLine(item: unknown): boolean {
  return (
    isRecord(item) &&
    !('DetectorName' in item) &&
    typeof item.msg === 'string' &&
    'level' in item
  );
}

/**
 * `trufflehog … --json` writes one result per line; the upload decoder hands NDJSON over as an
 * array of the line objects, and a single-line output may arrive as that one object.
 */
function lines(doc: unknown): unknown[] {
  return Array.isArray(doc) ? doc : [doc];
}

/**
 * Where a result was found. `SourceMetadata.Data` has one key naming the source (`Git`,
 * `Github`, `Filesystem`, `Docker`, …); most sources use `file` and `line`.
 */
function location(finding: JsonRecord): { file?: string; line?: number } {
  const metadata = isRecord(finding.SourceMetadata)
    ? finding.SourceMetadata
    : {};
  const data = isRecord(metadata.Data) ? metadata.Data : {};
  const source = Object.values(data).find(isRecord) ?? {};
  return { file: str(source.file) ?? str(source.path), line: num(source.line) };
}

export const trufflehogParser: EvidenceParser = {
  kind: 'trufflehog',
  detect: evidenceDetectors.trufflehog,
  parse(doc) {
    // Masked on a copy: the caller's document still holds the secrets and must stay as it is.
    const sanitized = deepClone(doc);
    const findings: SecretFinding[] = [];
    lines(sanitized).forEach((item, index) => {
      if (isLogLine(item)) return;
      if (!isFinding(item)) {
        throw new InputError(
          `trufflehog line ${
            index + 1
          } is not a result (no DetectorName and SourceMetadata)`,
        );
      }
      maskKeys(item, SECRET_KEYS);
      const { file, line } = location(item);
      const finding: SecretFinding = { rule: item.DetectorName };
      if (file) finding.file = file;
      if (line !== undefined) finding.line = line;
      // Only a detector that checked the credential against its service can say it is live.
      if (typeof item.Verified === 'boolean') finding.verified = item.Verified;
      findings.push(finding);
    });
    const summary: SecretScanSummary = {
      type: 'secret-scan',
      tool: 'trufflehog',
      findings,
    };
    return { summary, subject: {}, sanitized };
  },
};
