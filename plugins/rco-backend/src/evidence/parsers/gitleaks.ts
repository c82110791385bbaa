import { InputError } from '@backstage/errors';
import {
  evidenceDetectors,
  SecretFinding,
  SecretScanSummary,
} from '@helix-portal/plugin-rco-common';
import { EvidenceParser } from './types';
import { deepClone, maskKeys, num, recordArray, str } from './mask';

/**
 * Fields of a gitleaks finding that hold the secret: `Secret` itself, `Match` (the matched text
 * around it) and `Line` (the whole line, written by some versions).
 */
const SECRET_KEYS = ['Secret', 'Match', 'Line'];

/**
 * A gitleaks report is a JSON array of findings. Detection needs a finding: an empty report
 * (`[]`, a clean scan) looks like any other empty array, so it is accepted only when the kind is
 * given explicitly. `File` and `StartLine` tell a gitleaks finding from a Trivy secret (no
 * `File`) and from trufflehog (`DetectorName`).
 */
export const gitleaksParser: EvidenceParser = {
  kind: 'gitleaks',
  detect: evidenceDetectors.gitleaks,
  parse(doc) {
    if (!Array.isArray(doc)) {
      throw new InputError('gitleaks report is not a JSON array of findings');
    }
    // Masked on a copy: the caller's document still holds the secrets and must stay as it is.
    const sanitized = deepClone(doc);
    const findings: SecretFinding[] = recordArray(
      sanitized,
      'gitleaks report',
    ).map((finding, index) => {
      const rule = str(finding.RuleID);
      if (!rule) {
        throw new InputError(`gitleaks finding [${index}] has no RuleID`);
      }
      maskKeys(finding, SECRET_KEYS);
      const result: SecretFinding = { rule };
      const file = str(finding.File);
      const line = num(finding.StartLine);
      // `Commit:File:RuleID:StartLine` (or without commit): what .gitleaksignore lists.
      const fingerprint = str(finding.Fingerprint);
      if (file) result.file = file;
      if (line !== undefined) result.line = line;
      if (fingerprint) result.fingerprint = fingerprint;
      return result;
    });
    const summary: SecretScanSummary = {
      type: 'secret-scan',
      tool: 'gitleaks',
      findings,
    };
    // A finding's Commit is where the secret was found, not the release's commit: no subject.
    return { summary, subject: {}, sanitized };
  },
};
