import { EvidenceRecord } from '../../database/EvidenceStore';
import { evidenceOf, inAge, shortDigest, summaryOf } from '../helpers';
import { fresh, missing, Rule } from './shared';
import {
  consoleVerified,
  EARLIER_POLICY_REASON,
  signatureState,
} from '../../evidence/sigstore/signatureState';
import { SignatureVerificationView } from '@helix-portal/plugin-rco-common';

/** The signature part of the gate in words: who signed, or why nothing signs the image yet. */
function signatureReason(
  state: SignatureVerificationView | undefined,
  digest: string,
): string {
  const short = shortDigest(digest);
  if (!state)
    return `No Sigstore bundle for ${short}: no signature the console can verify`;
  if (state.verifiedBy === 'claim')
    return `Only CI's claim that ${short} is signed (cosign verify output): the console verifies Sigstore bundles, not reports; upload the bundle`;
  if (!state.ok && state.reason === EARLIER_POLICY_REASON)
    return `Sigstore bundle for ${short} was ${EARLIER_POLICY_REASON} (rco.sigstore changed since)`;
  if (!state.ok)
    return `Sigstore bundle for ${short} did not verify: ${state.reason}`;
  const who = state.identity?.subject
    ? `${state.identity.subject} (${state.identity.issuer})`
    : `key ${state.identity?.keyId ?? 'configured for the service'}`;
  return `Signature of ${short} verified by the console: signed by ${who}`;
}

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
  // Only a signature the console verified itself signs the image (issue 13): a Sigstore bundle
  // checked against the trusted root and the entity's signer identities. A `cosign verify`
  // report is CI's claim, shown but never enough; a bundle that failed says why. A failed bundle
  // does not fail the gate (anyone with the entity's CI token can upload a broken one; it says
  // nothing bad about the image), it only does not sign it.
  const signatures = evidenceOf(ctx, ['sigstore-bundle', 'cosign'], forDigest);
  const stateOf = (r: EvidenceRecord) =>
    signatureState(summaryOf(r, 'signature')!);
  const signature =
    signatures.find(r => consoleVerified(summaryOf(r, 'signature')!)) ??
    signatures.find(r => stateOf(r).verifiedBy === 'console') ??
    signatures[0];
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
  const signed =
    !!signature && consoleVerified(summaryOf(signature, 'signature')!);
  reasons.push(signatureReason(signature && stateOf(signature), digest));
  if (sbom)
    reasons.push(
      `SBOM (${summaryOf(sbom, 'sbom')!.format}) for ${shortDigest(digest)}`,
    );
  else reasons.push(`No SBOM (CycloneDX or SPDX) for ${shortDigest(digest)}`);
  if (failed) return { status: 'fail', reasons, used, freshness: fresh(used) };
  if (!scan || !signed || !sbom) return missing(reasons, used);
  return { status: 'pass', reasons, used, freshness: fresh(used) };
};
