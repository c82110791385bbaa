import {
  EvidenceSummary,
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

/** What a verification made under a signing policy no longer in force says (R2 M1). */
export const EARLIER_POLICY_REASON =
  'verified under an earlier signing policy; upload the bundle again';

/**
 * The evidence as the current signing policy judges it: a Sigstore bundle verified under another
 * policy (operators changed the trusted root, the entity's signer identities or keys, or the
 * predicate types that sign since), or before the console recorded the policy, no longer counts,
 * whatever it concluded then. Uploaded again, the bundle is verified under the current one (a new
 * record). The stored record is not changed: this is how the gates, the pillars and the page read it.
 */
export function underSigningPolicy<
  T extends { kind: string; summary: EvidenceSummary },
>(records: T[], current: string | undefined): T[] {
  if (current === undefined) return records;
  return records.map(record => {
    const summary = record.summary;
    if (
      record.kind !== 'sigstore-bundle' ||
      summary.type !== 'signature' ||
      summary.verification?.verifiedBy !== 'console' ||
      summary.signingPolicy === current
    )
      return record;
    const identity = summary.verification.identity;
    return {
      ...record,
      summary: {
        ...summary,
        verified: false,
        verification: {
          verifiedBy: 'console',
          ok: false,
          reason: EARLIER_POLICY_REASON,
          ...(identity ? { identity } : {}),
        },
      },
    };
  });
}
