import { EvidenceRecord } from '../../database/EvidenceStore';
import { evidenceOf, shortDigest, summaryOf } from '../helpers';
import { fresh, missing, Rule } from './shared';

export const imageScanning: Rule = ctx => {
  const digest = ctx.release.digest;
  if (!digest)
    return missing([
      'No image digest given for the release: scans are bound to a digest',
    ]);
  const forDigest = (r: EvidenceRecord) => r.subject.digest === digest;
  const [scan] = evidenceOf(ctx, ['trivy', 'grype'], forDigest);
  // A verified cosign result stands even when an unverified bundle was uploaded after it.
  const [signature] = [
    ...evidenceOf(
      ctx,
      ['cosign'],
      r => forDigest(r) && !!summaryOf(r, 'signature')?.verified,
    ),
    ...evidenceOf(ctx, ['cosign', 'sigstore-bundle'], forDigest),
  ];
  const [sbom] = evidenceOf(ctx, ['cyclonedx', 'spdx'], forDigest);
  const reasons: string[] = [];
  const used = [scan, signature, sbom].filter(Boolean) as EvidenceRecord[];
  let failed = false;
  if (scan) {
    const s = summaryOf(scan, 'vulnerability-scan')!;
    const blocking = ctx.config.blockingSeverities;
    const counts = blocking.map(
      sev => `${s.counts[sev as keyof typeof s.counts] ?? 0} ${sev}`,
    );
    const total = blocking.reduce(
      (n, sev) => n + (s.counts[sev as keyof typeof s.counts] ?? 0),
      0,
    );
    if (total > 0) {
      failed = true;
      const ids = [
        ...new Set(
          s.findings.filter(f => blocking.includes(f.severity)).map(f => f.id),
        ),
      ];
      reasons.push(
        `${s.tool === 'trivy' ? 'Trivy' : 'Grype'} report for ${shortDigest(
          digest,
        )} has ${counts.join(' and ')}: ${ids.slice(0, 8).join(', ')}${
          ids.length > 8 ? `, … (${ids.length} in all)` : ''
        }`,
      );
    } else
      reasons.push(
        `${s.tool === 'trivy' ? 'Trivy' : 'Grype'} report for ${shortDigest(
          digest,
        )} has no ${blocking.join(' or ')} findings`,
      );
  } else reasons.push(`No Trivy or Grype report for ${shortDigest(digest)}`);
  if (signature) {
    const s = summaryOf(signature, 'signature')!;
    if (!s.verified) {
      failed = failed || s.tool === 'cosign';
      reasons.push(
        s.tool === 'cosign'
          ? `Cosign verification of ${shortDigest(digest)} did not succeed`
          : `Sigstore bundle present for ${shortDigest(
              digest,
            )} but no cosign verify result`,
      );
    } else
      reasons.push(
        `Cosign verified ${s.signatures} signature(s) of ${shortDigest(
          digest,
        )}`,
      );
  } else reasons.push(`No Cosign verification of ${shortDigest(digest)}`);
  if (sbom)
    reasons.push(
      `SBOM (${summaryOf(sbom, 'sbom')!.format}) for ${shortDigest(digest)}`,
    );
  else reasons.push(`No SBOM (CycloneDX or SPDX) for ${shortDigest(digest)}`);
  if (failed) return { status: 'fail', reasons, used, freshness: fresh(used) };
  const verified = signature && summaryOf(signature, 'signature')!.verified;
  if (!scan || !verified || !sbom) return missing(reasons, used);
  return { status: 'pass', reasons, used, freshness: fresh(used) };
};
