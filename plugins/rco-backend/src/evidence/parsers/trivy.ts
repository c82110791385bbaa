import { InputError } from '@backstage/errors';
import {
  evidenceDetectors,
  SecretFinding,
  Severity,
  VulnerabilityScanSummary,
} from '@helix-portal/plugin-rco-common';
import { EvidenceParser } from './types';
import { inputReference, namedImage } from '../imageIdentity';
import {
  deepClone,
  firstDigest,
  isRecord,
  JsonRecord,
  maskKeys,
  num,
  recordArray,
  str,
} from './mask';

/** Severities from worst to least; also the order findings are reported in. */
export const SEVERITIES: readonly Severity[] = [
  'CRITICAL',
  'HIGH',
  'MEDIUM',
  'LOW',
  'UNKNOWN',
];

export function emptyCounts(): Record<Severity, number> {
  return { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
}

/**
 * Trivy writes `CRITICAL`…`UNKNOWN`, Grype `Critical`…`Negligible`. Grype's Negligible is below
 * Low and is folded into LOW so the gates see one scale; anything unrecognised is UNKNOWN rather
 * than dropped, so it still shows in the counts.
 */
export function normaliseSeverity(value: unknown): Severity {
  const upper = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (upper === 'NEGLIGIBLE') return 'LOW';
  const known = SEVERITIES.find(severity => severity === upper);
  return known ?? 'UNKNOWN';
}

export type VulnerabilityFinding = VulnerabilityScanSummary['findings'][number];

export const MAX_FINDINGS = 50;

/**
 * The CRITICAL then HIGH findings, at most `MAX_FINDINGS`, in tool order within a severity.
 * Criticals go first so that a long list of HIGHs can never push a CRITICAL out of the cap.
 */
export function gateFindings(
  all: readonly VulnerabilityFinding[],
): VulnerabilityFinding[] {
  return [
    ...all.filter(finding => finding.severity === 'CRITICAL'),
    ...all.filter(finding => finding.severity === 'HIGH'),
  ].slice(0, MAX_FINDINGS);
}

/** Secret fields Trivy copies from the scanned file (it partly masks them; we mask fully). */
const SECRET_KEYS = ['Match'];
const CODE_LINE_KEYS = ['Content', 'Highlighted'];

/** Masks one Trivy secret finding in place (on the sanitized copy). */
function maskTrivySecret(secret: JsonRecord, what: string): void {
  maskKeys(secret, SECRET_KEYS);
  const code = secret.Code;
  if (!isRecord(code)) return;
  // Every line, not only the `IsCause` ones: context lines can hold neighbouring secrets.
  for (const line of recordArray(code.Lines, `${what}.Code.Lines`)) {
    maskKeys(line, CODE_LINE_KEYS);
  }
}

const isTrivyReport = (doc: unknown): doc is JsonRecord =>
  evidenceDetectors.trivy(doc);

/** Trivy `--format json` reports (SchemaVersion 2): image, filesystem, repository or config scans. */
export const trivyParser: EvidenceParser = {
  kind: 'trivy',
  detect: isTrivyReport,
  parse(doc) {
    if (!isTrivyReport(doc)) {
      throw new InputError('Not a Trivy JSON report (SchemaVersion 2)');
    }
    // Fail closed: without Results we cannot tell a clean scan from a truncated document.
    if (!Array.isArray(doc.Results)) {
      throw new InputError('Trivy report has no Results array');
    }
    // Findings are read from the copy and the copy's secrets masked afterwards, in one walk.
    const sanitized = deepClone(doc);
    const counts = emptyCounts();
    const misconfigurations = emptyCounts();
    const all: VulnerabilityFinding[] = [];
    const secrets: SecretFinding[] = [];

    recordArray(sanitized.Results, 'Trivy Results').forEach((result, r) => {
      const where = `Trivy Results[${r}]`;
      recordArray(result.Vulnerabilities, `${where}.Vulnerabilities`).forEach(
        (vuln, v) => {
          const id = str(vuln.VulnerabilityID);
          if (!id) {
            throw new InputError(
              `${where}.Vulnerabilities[${v}] has no VulnerabilityID`,
            );
          }
          const severity = normaliseSeverity(vuln.Severity);
          counts[severity] += 1;
          all.push({
            id,
            severity,
            package: str(vuln.PkgName) ?? str(vuln.PkgID) ?? '',
            installedVersion: str(vuln.InstalledVersion),
            fixedVersion: str(vuln.FixedVersion),
          });
        },
      );

      for (const misconf of recordArray(
        result.Misconfigurations,
        `${where}.Misconfigurations`,
      )) {
        // Only failures matter; passes appear only with --include-non-failures.
        const status = str(misconf.Status);
        if (status === undefined || status === 'FAIL') {
          misconfigurations[normaliseSeverity(misconf.Severity)] += 1;
        }
      }

      recordArray(result.Secrets, `${where}.Secrets`).forEach((secret, s) => {
        const rule = str(secret.RuleID);
        if (!rule) {
          throw new InputError(`${where}.Secrets[${s}] has no RuleID`);
        }
        secrets.push({
          rule,
          file: str(result.Target),
          line: num(secret.StartLine),
          fingerprint: str(secret.Fingerprint),
        });
        maskTrivySecret(secret, `${where}.Secrets[${s}]`);
      });
    });

    const metadata = isRecord(sanitized.Metadata) ? sanitized.Metadata : {};
    const repoDigests = Array.isArray(metadata.RepoDigests)
      ? metadata.RepoDigests
      : [];
    // RepoDigests is the registry manifest digest; ImageID (the config digest) only when the
    // image was scanned from a tarball or daemon and never had one.
    const digest = firstDigest([...repoDigests, metadata.ImageID]);
    const summary: VulnerabilityScanSummary = {
      type: 'vulnerability-scan',
      tool: 'trivy',
      artifact: str(sanitized.ArtifactName),
      counts,
      findings: gateFindings(all),
      secrets,
      misconfigurations,
    };
    // The image the report names: pinned references, tags, the reference it was pulled by
    // (Metadata.Reference) and, for an image scan, an ArtifactName that is a reference (a tag
    // counts as much as a digest; a tarball path names no image). ImageID is the image's config
    // digest, not its manifest digest: it is never compared with the digest a report is filed
    // under (they differ for every image), so it names nothing here.
    const artifactName = str(sanitized.ArtifactName);
    const artifactType = str(sanitized.ArtifactType);
    const imageScan =
      artifactType === undefined || artifactType === 'container_image';
    const image = namedImage({
      refs: [
        ...repoDigests,
        ...(Array.isArray(metadata.RepoTags) ? metadata.RepoTags : []),
        inputReference(metadata.Reference),
        imageScan ? inputReference(artifactName) : undefined,
      ],
    });
    return {
      summary,
      subject: digest ? { digest } : {},
      ...(image ? { image } : {}),
      sanitized,
    };
  },
};
