import { standingDecisions } from './fourEyes';
import { GateContext } from './types';

/**
 * Sign-offs of one role for the release that stand: each signer's newest decision, and none
 * when that decision was revoked (an older one never comes back). The four-eyes rule in
 * fourEyes.ts decides which of the approvals count.
 */
export function activeSignoffs(
  ctx: Pick<GateContext, 'signoffs' | 'release'>,
  role: 'po' | 'dpo' | 'security',
) {
  return standingDecisions(ctx.signoffs, ctx.release).filter(
    s => s.role === role,
  );
}
