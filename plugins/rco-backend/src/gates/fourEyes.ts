import { FourEyesView, GateId } from '@helix-portal/plugin-rco-common';
import { SignoffRecord } from './types';

/** The roles that sign a release off. */
export type SignoffRole = 'po' | 'dpo' | 'security';
export const SIGNOFF_ROLES: readonly SignoffRole[] = ['po', 'dpo', 'security'];

const ROLE_TITLE: Record<SignoffRole, string> = {
  po: 'PO',
  dpo: 'DPO',
  security: 'Security',
};

/**
 * Gates that people pass by signing: no waiver lifts them (a waiver would be one person
 * standing in for the signers), only a break-glass override recorded by someone else than the
 * release's requester.
 */
export const SIGNOFF_GATES: readonly GateId[] = ['dpo-signoff'];

export const isSignoffGate = (gate: string) =>
  (SIGNOFF_GATES as readonly string[]).includes(gate);

/**
 * Which decisions someone may make today: whether rco config names each group. A decision of a
 * kind whose group is now unset does not count (the configuration names nobody who may grant
 * it), wherever decisions are judged. Only unset counts: a group changed to another one keeps
 * the decisions made under the old one, which its new members may revoke. Absent: every group is
 * configured (unit tests).
 */
export interface DecisionGroups {
  signoffGroups: Record<SignoffRole, boolean>;
  waiverGroup: boolean;
  breakGlassGroup: boolean;
}

/** Whether a role's sign-offs count: its group is configured. */
export const roleConfigured = (
  groups: DecisionGroups | undefined,
  role: SignoffRole,
) => !groups || groups.signoffGroups[role];

/** Why a role without a group blocks whatever anyone signed. */
export const nobodySignsOff = (role: SignoffRole) =>
  `Nobody may sign off as ${ROLE_TITLE[role]}: rco.signoffs.groups.${role} is not configured`;

/** Whether two actor refs name the same person (entity refs compare case-insensitively). */
export const sameActor = (a?: string, b?: string) =>
  !!a && !!b && a.toLowerCase() === b.toLowerCase();

/** A signer's standing decision in one role. */
export interface StandingDecision {
  id: string;
  role: SignoffRole;
  signer: string;
  decision: 'approved' | 'rejected';
  comment?: string;
  createdAt: Date;
}

/**
 * Each signer's newest decision per role for the release. A revocation is a decision too: when a
 * signer's newest decision is revoked they have no standing decision, and an older approval of
 * theirs does not come back. Revoking an older decision changes nothing that stands.
 *
 * Decisions are read per image (digest): a rejection is about the image, so it also stands for
 * the same digest requested under another version label, while an approval only counts for the
 * version label it was given for (the signer approved that release, not every name of the image).
 */
export function standingDecisions(
  signoffs: SignoffRecord[],
  release: { version?: string; digest?: string },
): StandingDecision[] {
  const forRelease = signoffs.filter(
    s => !!release.digest && s.release.digest === release.digest,
  );
  const revoked = new Set(
    forRelease.filter(s => s.decision === 'revoked').map(s => s.revokes),
  );
  const newest = new Map<string, SignoffRecord>();
  for (const s of forRelease) {
    if (s.decision === 'revoked') continue;
    const key = `${s.role}|${s.signer.toLowerCase()}`;
    const seen = newest.get(key);
    if (!seen || seen.createdAt <= s.createdAt) newest.set(key, s);
  }
  return [...newest.values()]
    .filter(s => !revoked.has(s.id))
    .filter(
      s => s.decision === 'rejected' || s.release.version === release.version,
    )
    .map(s => ({
      id: s.id,
      role: s.role,
      signer: s.signer,
      decision: s.decision as 'approved' | 'rejected',
      comment: s.comment,
      createdAt: s.createdAt,
    }));
}

/** One role's verdict. */
export interface RoleVerdict {
  status: 'approved' | 'rejected' | 'missing';
  reason?: string;
  /** Approvals that count. */
  approvals: StandingDecision[];
  rejections: StandingDecision[];
  /** Approvals that stand but do not count, and why. */
  notCounted: Array<StandingDecision & { why: string }>;
}

export interface FourEyesVerdict {
  requester?: string;
  confirmer?: string;
  roles: Record<SignoffRole, RoleVerdict>;
}

/**
 * The four-eyes rule, the one every path judges sign-offs with (the status and its dpo-signoff
 * gate, preflight, confirmation and the page): which approvals count per role and why the others
 * do not. The requester's approvals never count, nor do the approvals of whoever confirms the
 * deploy; without a release request on record nobody can tell, so no approval counts. A standing
 * rejection in a role holds the role, whoever else approved.
 */
export function fourEyes(input: {
  signoffs: SignoffRecord[];
  release: { version?: string; digest?: string };
  requester?: string;
  /** Who confirms the deploy (the operation's requester); unknown for the status. */
  confirmer?: string;
  /** The configured groups: a role without one counts no decision. */
  groups?: DecisionGroups;
}): FourEyesVerdict {
  const { release, requester, confirmer } = input;
  const standing = standingDecisions(input.signoffs, release);
  const judge = (role: SignoffRole): RoleVerdict => {
    const mine = standing.filter(s => s.role === role);
    const title = ROLE_TITLE[role];
    if (!roleConfigured(input.groups, role)) {
      // Shown, not counted: whoever signed was in a group the configuration no longer names.
      return {
        status: 'missing',
        reason: nobodySignsOff(role),
        approvals: [],
        rejections: [],
        notCounted: mine.map(s => ({
          ...s,
          why: `signed as ${title}, but rco.signoffs.groups.${role} is not configured: no ${title} sign-off counts`,
        })),
      };
    }
    const rejections = mine.filter(s => s.decision === 'rejected');
    const approvals: StandingDecision[] = [];
    const notCounted: RoleVerdict['notCounted'] = [];
    for (const s of mine.filter(d => d.decision === 'approved')) {
      const why = whyNotCounted(s.signer, requester, confirmer);
      if (why) notCounted.push({ ...s, why });
      else approvals.push(s);
    }
    if (!release.version || !release.digest) {
      return {
        status: 'missing',
        reason: 'Sign-offs bind to a release: give its version and digest',
        approvals: [],
        rejections,
        notCounted,
      };
    }
    if (rejections.length) {
      const r = rejections[0];
      return {
        status: 'rejected',
        reason: `${title} ${r.signer} rejected ${release.version}${
          r.comment ? `: ${r.comment}` : ''
        }`,
        approvals,
        rejections,
        notCounted,
      };
    }
    if (approvals.length)
      return { status: 'approved', approvals, rejections, notCounted };
    return {
      status: 'missing',
      reason: notCounted.length
        ? `No ${title} approval of ${release.version} counts: ${notCounted
            .map(n => `${n.signer} ${n.why}`)
            .join('; ')}`
        : `No ${title} approval of ${release.version}`,
      approvals,
      rejections,
      notCounted,
    };
  };
  return {
    requester,
    confirmer,
    roles: { po: judge('po'), dpo: judge('dpo'), security: judge('security') },
  };
}

function whyNotCounted(
  signer: string,
  requester?: string,
  confirmer?: string,
): string | undefined {
  if (!requester) {
    return 'signed, but no release request is on record: the four-eyes rule needs to know who asked';
  }
  if (sameActor(signer, requester)) {
    return 'requested the release and cannot approve it too (four eyes)';
  }
  if (sameActor(signer, confirmer)) {
    return 'confirms the deploy and cannot approve it too (four eyes)';
  }
  return undefined;
}

/** The required roles a verdict does not approve, with the reason of each. */
export function unapprovedRoles(
  verdict: FourEyesVerdict,
  required: readonly SignoffRole[],
): Array<{ role: SignoffRole; reason: string }> {
  return required
    .filter(role => verdict.roles[role].status !== 'approved')
    .map(role => ({ role, reason: verdict.roles[role].reason ?? '' }));
}

/** The verdict as the API writes it (dates as ISO strings). */
export function fourEyesView(verdict: FourEyesVerdict): FourEyesView {
  const view = (d: StandingDecision, notCounted?: string) => ({
    id: d.id,
    signer: d.signer,
    decision: d.decision,
    createdAt: d.createdAt.toISOString(),
    ...(d.comment ? { comment: d.comment } : {}),
    ...(notCounted ? { notCounted } : {}),
  });
  const role = (r: RoleVerdict): FourEyesView['roles']['po'] => ({
    status: r.status,
    ...(r.reason ? { reason: r.reason } : {}),
    decisions: [
      ...r.approvals.map(a => view(a)),
      ...r.notCounted.map(a => view(a, a.why)),
      ...r.rejections.map(a => view(a)),
    ].sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
  });
  return {
    requester: verdict.requester,
    confirmer: verdict.confirmer,
    roles: {
      po: role(verdict.roles.po),
      dpo: role(verdict.roles.dpo),
      security: role(verdict.roles.security),
    },
  };
}
