import { shortDigest } from '../helpers';
import { missing, Rule } from './shared';
import { activeSignoffs } from '../signoffs';

export const dpoSignoff: Rule = ctx => {
  const { version, digest } = ctx.release;
  if (!version || !digest)
    return missing([
      'Sign-offs bind to a release: give its version and digest',
    ]);
  if (!ctx.requester) {
    return missing([
      `No release request on record for ${version}: the four-eyes rule needs to know who asked`,
    ]);
  }
  const active = activeSignoffs(ctx, 'dpo');
  const approval = active.find(
    s => s.decision === 'approved' && s.signer !== ctx.requester,
  );
  const rejection = active.find(s => s.decision === 'rejected');
  if (rejection)
    return {
      status: 'fail',
      reasons: [
        `DPO ${rejection.signer} rejected ${version} (${shortDigest(
          digest,
        )}): ${rejection.comment ?? ''}`,
      ],
      used: [],
    };
  if (approval)
    return {
      status: 'pass',
      reasons: [
        `Approved by DPO ${
          approval.signer
        } at ${approval.createdAt.toISOString()}`,
      ],
      used: [],
    };
  return missing([`No DPO approval of ${version} (${shortDigest(digest)})`]);
};
