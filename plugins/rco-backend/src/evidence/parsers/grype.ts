import { InputError } from '@backstage/errors';
import {
  evidenceDetectors,
  VulnerabilityScanSummary,
} from '@helix-portal/plugin-rco-common';
import { EvidenceParser } from './types';
import { inputReference, namedImage } from '../imageIdentity';
import {
  deepClone,
  firstDigest,
  isRecord,
  JsonRecord,
  recordArray,
  str,
} from './mask';
import {
  emptyCounts,
  gateFindings,
  normaliseSeverity,
  VulnerabilityFinding,
} from './trivy';

/**
 * A Grype report names itself in `descriptor.name`; `source.target` is the fallback for reports
 * trimmed of their descriptor. `matches` alone is too generic a key to claim a document.
 */
const isGrypeReport = (doc: unknown): doc is JsonRecord =>
  evidenceDetectors.grype(doc);

/** Grype lists every version that fixes the vulnerability; all of them are useful to a reader. */
function fixedVersion(vulnerability: JsonRecord): string | undefined {
  const fix = vulnerability.fix;
  if (!isRecord(fix) || !Array.isArray(fix.versions)) return undefined;
  const versions = fix.versions.filter(
    (v): v is string => typeof v === 'string' && v !== '',
  );
  return versions.length > 0 ? versions.join(', ') : undefined;
}

/**
 * What was scanned: an image (`source.target` is an object with `userInput`, `tags`, digests)
 * or a directory / file (`source.target` is the path).
 */
function readTarget(doc: JsonRecord): { artifact?: string; digest?: string } {
  const source = isRecord(doc.source) ? doc.source : {};
  const target = source.target;
  if (typeof target === 'string') return { artifact: str(target) };
  if (!isRecord(target)) return {};
  const tags = Array.isArray(target.tags) ? target.tags : [];
  const repoDigests = Array.isArray(target.repoDigests)
    ? target.repoDigests
    : [];
  return {
    artifact: str(target.userInput) ?? str(tags[0]),
    // The manifest digest is what registries and cosign address; the image (config) ID is the
    // last resort, as for Trivy.
    digest: firstDigest([
      target.manifestDigest,
      ...repoDigests,
      target.imageID,
    ]),
  };
}

/**
 * The image an image scan names: its manifest digest, pinned references and tags, and the
 * user's input when it is a reference. A bare word is one (`alpine` is docker.io/library/alpine);
 * `docker-archive:`, `dir:` and the like name files. `imageID` is the config digest, not the
 * manifest digest, so it is never compared with the digest the report is filed under.
 */
function targetImage(doc: JsonRecord) {
  const source = isRecord(doc.source) ? doc.source : {};
  const target = source.target;
  if (source.type !== 'image' || !isRecord(target)) return undefined;
  return namedImage({
    refs: [
      ...(Array.isArray(target.repoDigests) ? target.repoDigests : []),
      ...(Array.isArray(target.tags) ? target.tags : []),
      inputReference(target.userInput),
    ],
    digests: [target.manifestDigest],
  });
}

/** Grype `-o json` reports. `ignoredMatches` are left out of the counts, as Grype does. */
export const grypeParser: EvidenceParser = {
  kind: 'grype',
  detect: isGrypeReport,
  parse(doc) {
    if (!isGrypeReport(doc)) {
      throw new InputError(
        'Not a Grype JSON report (no descriptor.name "grype")',
      );
    }
    if (!Array.isArray(doc.matches)) {
      throw new InputError('Grype report has no matches array');
    }
    const counts = emptyCounts();
    const all: VulnerabilityFinding[] = [];
    recordArray(doc.matches, 'Grype matches').forEach((match, index) => {
      const where = `Grype matches[${index}]`;
      const vulnerability = isRecord(match.vulnerability)
        ? match.vulnerability
        : {};
      const artifact = isRecord(match.artifact) ? match.artifact : {};
      const id = str(vulnerability.id);
      const name = str(artifact.name);
      if (!id) throw new InputError(`${where} has no vulnerability.id`);
      if (!name) throw new InputError(`${where} has no artifact.name`);
      const severity = normaliseSeverity(vulnerability.severity);
      counts[severity] += 1;
      all.push({
        id,
        severity,
        package: name,
        installedVersion: str(artifact.version),
        fixedVersion: fixedVersion(vulnerability),
      });
    });

    const { artifact, digest } = readTarget(doc);
    const image = targetImage(doc);
    const summary: VulnerabilityScanSummary = {
      type: 'vulnerability-scan',
      tool: 'grype',
      artifact,
      counts,
      findings: gateFindings(all),
      // Grype scans packages only: no secret or misconfiguration results to report.
      secrets: [],
      misconfigurations: emptyCounts(),
    };
    return {
      summary,
      subject: digest ? { digest } : {},
      ...(image ? { image } : {}),
      // Grype reports hold no secret values; the copy only guarantees the input is untouched.
      sanitized: deepClone(doc),
    };
  },
};
