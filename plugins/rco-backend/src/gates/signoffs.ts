import { GateContext } from './types';

/**
 * Sign-offs of one role for the release that stand: not revoked, and only each signer's newest
 * decision (an approval after a rejection replaces it).
 */
export function activeSignoffs(
  ctx: GateContext,
  role: 'po' | 'dpo' | 'security',
) {
  const revoked = new Set(
    ctx.signoffs.filter(s => s.decision === 'revoked').map(s => s.revokes),
  );
  const standing = ctx.signoffs.filter(
    s =>
      s.role === role &&
      s.decision !== 'revoked' &&
      !revoked.has(s.id) &&
      s.release.version === ctx.release.version &&
      s.release.digest === ctx.release.digest,
  );
  const newestBySigner = new Map<string, (typeof standing)[number]>();
  for (const s of standing) {
    const seen = newestBySigner.get(s.signer);
    if (!seen || seen.createdAt <= s.createdAt) newestBySigner.set(s.signer, s);
  }
  return [...newestBySigner.values()];
}
