import { shortDigest } from '../helpers';
import { fourEyes, nobodySignsOff, roleConfigured } from '../fourEyes';
import { missing, Rule } from './shared';

/**
 * The DPO's sign-off of this release, judged by the four-eyes rule (gates/fourEyes.ts): the
 * requester's approval never counts, a standing rejection fails the gate. No waiver lifts it
 * (evaluate.ts ignores waivers of sign-off gates); only break-glass lets a deploy past it.
 */
export const dpoSignoff: Rule = ctx => {
  const { version, digest } = ctx.release;
  // Before anything else: no group, no DPO, so nothing anyone signs passes this gate.
  if (!roleConfigured(ctx.groups, 'dpo'))
    return missing([nobodySignsOff('dpo')]);
  if (!version || !digest)
    return missing([
      'Sign-offs bind to a release: give its version and digest',
    ]);
  if (!ctx.requester) {
    return missing([
      `No release request on record for ${version}: the four-eyes rule needs to know who asked`,
    ]);
  }
  const dpo = fourEyes({
    signoffs: ctx.signoffs,
    release: ctx.release,
    requester: ctx.requester,
  }).roles.dpo;
  const rejection = dpo.rejections[0];
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
  const approval = dpo.approvals[0];
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
  return missing([
    `No DPO approval of ${version} (${shortDigest(digest)})`,
    ...dpo.notCounted.map(n => `${n.signer} ${n.why}`),
  ]);
};
