import {
  GateSnapshot,
  ReleaseStatusResponse,
} from '@internal/plugin-rco-common';
import { canonicalJson, sha256 } from '../lib/canonicalJson';
import { activeSignoffs } from '../gates/rules';
import { GateContext, SignoffRecord } from '../gates/types';
import { OverrideRecord } from '../database/OverrideStore';

type Role = 'po' | 'dpo' | 'security';

/** What preflight decided, in words the 409 and the page can show. */
export interface PreflightResult {
  allowed: boolean;
  /** Gates that are neither passing nor waived. */
  blockingGates: string[];
  missingSignoffs: Role[];
  reasons: string[];
  snapshot: GateSnapshot;
  override?: OverrideRecord;
}

/**
 * Judges a deploy against the gates of its release and the sign-offs its environment requires.
 * A failing gate blocks unless a break-glass override for this environment and release is
 * active; missing sign-offs block even then (an override lifts gates, not people's approval).
 */
export function preflight(options: {
  status: ReleaseStatusResponse;
  signoffs: SignoffRecord[];
  requester?: string;
  requiredSignoffs: Role[];
  override?: OverrideRecord;
  now: Date;
}): PreflightResult {
  const { status } = options;
  const blockingGates = status.gates
    .filter(g => g.status !== 'pass' && g.status !== 'waived')
    .map(g => g.id);
  const ctx = {
    signoffs: options.signoffs,
    release: status.release,
  } as unknown as GateContext;
  const approvals = (['po', 'dpo', 'security'] as Role[]).flatMap(role =>
    activeSignoffs(ctx, role)
      .filter(s => s.decision === 'approved' && s.signer !== options.requester)
      .map(s => ({ role, signer: s.signer })),
  );
  const missingSignoffs = options.requiredSignoffs.filter(
    role => !approvals.some(a => a.role === role),
  );
  const reasons: string[] = [];
  if (blockingGates.length) {
    const detail = status.gates
      .filter(g => blockingGates.includes(g.id))
      .map(g => `${g.id} (${g.status})`)
      .join(', ');
    reasons.push(
      options.override
        ? `Gates not passing: ${detail}; allowed by break-glass override ${options.override.id} of ${options.override.createdBy}: ${options.override.justification}`
        : `Blocked by ${blockingGates.length} gate${
            blockingGates.length === 1 ? '' : 's'
          }: ${detail}`,
    );
  }
  if (missingSignoffs.length) {
    reasons.push(
      `Missing sign-offs of ${
        status.release.version ?? 'the release'
      }: ${missingSignoffs.map(r => r.toUpperCase()).join(', ')}`,
    );
  }
  const gates = status.gates.map(g => ({ id: g.id, status: g.status }));
  const snapshotBody = {
    entityRef: status.entityRef,
    release: status.release,
    gates,
    signoffs: approvals,
    overrideId: options.override?.id ?? null,
  };
  return {
    allowed:
      (blockingGates.length === 0 || !!options.override) &&
      missingSignoffs.length === 0,
    blockingGates,
    missingSignoffs,
    reasons,
    override: blockingGates.length ? options.override : undefined,
    snapshot: {
      hash: sha256(canonicalJson(snapshotBody)),
      evaluatedAt: options.now.toISOString(),
      gates,
      signoffs: approvals,
    },
  };
}
