import { EvidenceRecord } from '../../database/EvidenceStore';
import { evidenceOf, inAge, shortDigest, summaryOf } from '../helpers';
import { fresh, missing, Rule } from './shared';

export const imageScanning: Rule = ctx => {
  const digest = ctx.release.digest;
  if (!digest)
    return missing([
      'No image digest given for the release: scans are bound to a digest',
    ]);
  const forDigest = (r: EvidenceRecord) => r.subject.digest === digest;
  // An image does not change: every in-age scan of the digest stands, and a finding of one is
  // not erased by a later clean one (the worst stands unless a waiver covers it).
  const scans = inAge(ctx, evidenceOf(ctx, ['trivy', 'grype'], forDigest));
  const blocking = ctx.config.blockingSeverities;
  const blockingOf = (r: EvidenceRecord) => {
    const s = summaryOf(r, 'vulnerability-scan')!;
    return blocking.reduce(
      (n, sev) => n + (s.counts[sev as keyof typeof s.counts] ?? 0),
      0,
    );
  };
  const failing = scans.filter(r => blockingOf(r) > 0);
  const scan = failing[0] ?? scans[0];
  // As for scans, the worse stands: a failed cosign verification of the digest within the
  // maximum age fails the gate even when a verified result came after it (only a waiver covers
  // it). A Sigstore bundle is not a verification, so a verified cosign result stands even when
  // an unverified bundle was uploaded after it.
  const failedVerification = inAge(
    ctx,
    evidenceOf(ctx, ['cosign'], forDigest),
  ).find(r => summaryOf(r, 'signature')?.verified === false);
  const [signature] = [
    ...(failedVerification ? [failedVerification] : []),
    ...evidenceOf(
      ctx,
      ['cosign'],
      r => forDigest(r) && !!summaryOf(r, 'signature')?.verified,
    ),
    ...evidenceOf(ctx, ['cosign', 'sigstore-bundle'], forDigest),
  ];
  const [sbom] = evidenceOf(ctx, ['cyclonedx', 'spdx'], forDigest);
  const reasons: string[] = [];
  const used = [
    ...(failing.length ? failing : scans.slice(0, 1)),
    signature,
    sbom,
  ].filter(Boolean) as EvidenceRecord[];
  let failed = false;
  if (scan) {
    const s = summaryOf(scan, 'vulnerability-scan')!;
    const tools = [
      ...new Set(
        (failing.length ? failing : [scan]).map(r =>
          summaryOf(r, 'vulnerability-scan')!.tool === 'trivy'
            ? 'Trivy'
            : 'Grype',
        ),
      ),
    ].join(' and ');
    if (failing.length) {
      failed = true;
      // The worst count of each severity across the failing reports, and all their findings.
      const summaries = failing.map(r => summaryOf(r, 'vulnerability-scan')!);
      const counts = blocking.map(
        sev =>
          `${Math.max(
            ...summaries.map(x => x.counts[sev as keyof typeof x.counts] ?? 0),
          )} ${sev}`,
      );
      const ids = [
        ...new Set(
          summaries.flatMap(x =>
            x.findings
              .filter(f => blocking.includes(f.severity))
              .map(f => f.id),
          ),
        ),
      ];
      const which =
        failing.length > 1
          ? `${tools} reports (${failing.length})`
          : `${tools} report`;
      if (scans[0] !== failing[0])
        reasons.push(
          `A later clean scan of ${shortDigest(
            digest,
          )} does not erase these findings`,
        );
      reasons.push(
        `${which} for ${shortDigest(digest)} has ${counts.join(' and ')}: ${ids
          .slice(0, 8)
          .join(', ')}${ids.length > 8 ? `, … (${ids.length} in all)` : ''}`,
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
