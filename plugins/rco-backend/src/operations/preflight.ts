import {
  GateSnapshot,
  ReleaseStatusResponse,
  RoadBlocker,
} from '@helix-portal/plugin-rco-common';
import { canonicalJson, sha256 } from '../lib/canonicalJson';
import {
  DecisionGroups,
  fourEyes,
  nobodySignsOff,
  roleConfigured,
  sameActor,
  SignoffRole,
  unapprovedRoles,
} from '../gates/fourEyes';
import { SignoffRecord } from '../gates/types';
import { OverrideRecord } from '../database/OverrideStore';

type Role = SignoffRole;

/** What preflight decided, in words the 409 and the page can show. */
export interface PreflightResult {
  allowed: boolean;
  /** Gates that are neither passing nor waived. */
  blockingGates: string[];
  missingSignoffs: Role[];
  reasons: string[];
  snapshot: GateSnapshot;
  override?: OverrideRecord;
  /**
   * The road's blockers of this deploy (promotion, soak, analysis, marked, window, freeze);
   * `overriddenBy` set on those a break-glass override lifted.
   */
  road: RoadBlocker[];
  /**
   * The active override that counts (four eyes, a configured group), even when nothing needed it
   * (`override` is then unset): what a stricter policy would have met (the replay, issue 17).
   */
  available?: OverrideRecord;
  /** The DPO sign-off, judged again with the confirmer, holds the deploy though the gate passed. */
  signoffGateHeld: boolean;
}

/**
 * Judges a deploy against the gates of its release and the sign-offs its environment requires,
 * with the four-eyes rule of gates/fourEyes.ts: the requester's and the confirmer's approvals
 * never count. A failing gate blocks unless a break-glass override for this environment and
 * release is active, and an override recorded by the release's requester is no override (four
 * eyes); missing sign-offs block even then (an override lifts gates, not people's approval).
 * The road's blockers (issue 15: promotion, soak, analysis, marks, window, freeze) block like a
 * failing gate, and the same override lifts them: break-glass is the one audited way past the
 * road, and its reasons name every blocker it lifted.
 */
export function preflight(options: {
  status: ReleaseStatusResponse;
  signoffs: SignoffRecord[];
  requester?: string;
  /** Who confirms the deploy: the operation's requester. */
  confirmer?: string;
  requiredSignoffs: Role[];
  override?: OverrideRecord;
  /** The configured groups (ReleaseService.judge): decisions under an unset one do not count. */
  groups?: DecisionGroups;
  /** What the road holds this deploy by (RoadService.blockers); none when absent. */
  road?: RoadBlocker[];
  now: Date;
}): PreflightResult {
  const { status, requester, groups } = options;
  // An override counts only while rco.breakGlass.group names who may record one.
  const breakGlassConfigured = !groups || groups.breakGlassGroup;
  const override =
    !options.override ||
    !breakGlassConfigured ||
    sameActor(options.override.createdBy, requester)
      ? undefined
      : options.override;
  const verdict = fourEyes({
    signoffs: options.signoffs,
    release: status.release,
    requester,
    confirmer: options.confirmer,
    groups,
  });
  // The status judged the sign-off gate without knowing who deploys: judged again here with the
  // confirmer, whose own DPO approval does not count.
  const judged = status.gates.map(g =>
    g.id === 'dpo-signoff' &&
    g.status === 'pass' &&
    verdict.roles.dpo.status !== 'approved'
      ? {
          ...g,
          status:
            verdict.roles.dpo.status === 'rejected'
              ? ('fail' as const)
              : ('missing' as const),
        }
      : g,
  );
  const blockingGates = judged
    .filter(g => g.status !== 'pass' && g.status !== 'waived')
    .map(g => g.id);
  const approvals = (['po', 'dpo', 'security'] as Role[]).flatMap(role =>
    verdict.roles[role].approvals.map(s => ({ role, signer: s.signer })),
  );
  const unapproved = unapprovedRoles(verdict, options.requiredSignoffs);
  const missingSignoffs = unapproved.map(u => u.role);
  const reasons: string[] = [];
  if (options.override && !breakGlassConfigured) {
    reasons.push(
      `Break-glass override ${options.override.id} by ${options.override.createdBy} does not count: rco.breakGlass.group is not configured, so nobody may break glass`,
    );
  } else if (options.override && !override) {
    reasons.push(
      `Break-glass override ${options.override.id} was recorded by ${requester}, who requested the release: it does not count (four eyes)`,
    );
  }
  if (blockingGates.length) {
    const detail = judged
      .filter(g => blockingGates.includes(g.id))
      .map(g => `${g.id} (${g.status})`)
      .join(', ');
    reasons.push(
      override
        ? `Gates not passing: ${detail}; allowed by break-glass override ${override.id} of ${override.createdBy}: ${override.justification}`
        : `Blocked by ${blockingGates.length} gate${
            blockingGates.length === 1 ? '' : 's'
          }: ${detail}`,
    );
  }
  const roadBlockers = options.road ?? [];
  const road = override
    ? roadBlockers.map(b => ({ ...b, overriddenBy: override.id }))
    : roadBlockers;
  if (roadBlockers.length && override) {
    reasons.push(
      `Road blockers lifted by break-glass override ${override.id} of ${
        override.createdBy
      }: ${roadBlockers.map(b => b.message).join('; ')}`,
    );
  } else {
    reasons.push(...roadBlockers.map(b => b.message));
  }
  if (judged.some((g, i) => g !== status.gates[i])) {
    reasons.push(verdict.roles.dpo.reason ?? '');
  }
  // A sign-off gate nobody may pass says why, not just that it is missing.
  if (blockingGates.includes('dpo-signoff') && !roleConfigured(groups, 'dpo')) {
    reasons.push(nobodySignsOff('dpo'));
  }
  if (missingSignoffs.length) {
    reasons.push(
      `Missing sign-offs of ${
        status.release.version ?? 'the release'
      }: ${missingSignoffs.map(r => r.toUpperCase()).join(', ')}`,
    );
    // Why each one is missing, when it is more than "nobody signed" (four eyes, a rejection).
    for (const u of unapproved) {
      if (
        verdict.roles[u.role].notCounted.length ||
        !roleConfigured(groups, u.role) ||
        u.reason.includes('rejected')
      )
        reasons.push(u.reason);
    }
  }
  const gates = judged.map(g => ({ id: g.id, status: g.status }));
  const snapshotBody = {
    entityRef: status.entityRef,
    release: status.release,
    gates,
    signoffs: approvals,
    overrideId: override?.id ?? null,
    // Only when the road held it: earlier snapshots keep their hashes.
    ...(road.length
      ? { road: road.map(b => ({ kind: b.kind, message: b.message })) }
      : {}),
  };
  return {
    allowed:
      (blockingGates.length === 0 || !!override) &&
      (roadBlockers.length === 0 || !!override) &&
      missingSignoffs.length === 0,
    blockingGates,
    missingSignoffs,
    reasons: [...new Set(reasons)],
    override:
      blockingGates.length || roadBlockers.length ? override : undefined,
    available: override,
    signoffGateHeld: judged.some(
      (g, i) => g !== status.gates[i] && g.status !== 'pass',
    ),
    road,
    snapshot: {
      hash: sha256(canonicalJson(snapshotBody)),
      evaluatedAt: options.now.toISOString(),
      gates,
      signoffs: approvals,
    },
  };
}
