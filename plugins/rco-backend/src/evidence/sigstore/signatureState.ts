import {
  SignatureSummary,
  SignatureVerificationView,
} from '@helix-portal/plugin-rco-common';

export const CLAIM_REASON =
  "CI's claim: cosign verify output says it verified, but the console cannot check a report (upload the Sigstore bundle instead)";

/**
 * How a stored signature counts, read the same way by the gate, the pillar and the page. A record
 * stored before the console verified signatures (issue 13) has no `verification`: a cosign report
 * was CI's claim then too (its `verified: true` only repeated what CI said), and a bundle was
 * never checked.
 */
export function signatureState(
  summary: SignatureSummary,
): SignatureVerificationView {
  if (summary.verification) return summary.verification;
  const identity = summary.identities[0];
  if (summary.tool === 'cosign')
    return {
      verifiedBy: 'claim',
      ok: summary.verified,
      reason: CLAIM_REASON,
      ...(identity ? { identity } : {}),
    };
  return {
    verifiedBy: 'console',
    ok: false,
    reason:
      'uploaded before the console verified Sigstore bundles: upload it again to have it verified',
    ...(identity ? { identity } : {}),
  };
}

/** Only a signature the console verified itself signs the image. */
export const consoleVerified = (summary: SignatureSummary) => {
  const state = signatureState(summary);
  return state.verifiedBy === 'console' && state.ok;
};
