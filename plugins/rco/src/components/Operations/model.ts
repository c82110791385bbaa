import { Duration } from 'luxon';
import {
  CapabilitiesResponse,
  OperationResponse,
  OverrideResponse,
  ReleaseStatusResponse,
  SignoffView,
  TERMINAL_OPERATION_STATES,
} from '@internal/plugin-rco-common';
import { shortDigest } from '../ReleaseContent/format';

/** The sign-off roles an environment can require, in the words the page uses. */
export const ROLE_TITLE: Record<'po' | 'dpo' | 'security', string> = {
  po: 'Product Owner',
  dpo: 'Data Protection Officer',
  security: 'Security',
};

/**
 * The longest break-glass override the portal grants: rco.breakGlass.maxDuration as the backend
 * reports it, PT4H (its default) from a backend that does not say.
 */
export function breakGlassMaxDuration(
  capabilities?: CapabilitiesResponse,
): Duration {
  const reported = capabilities?.operations?.breakGlassMaxDuration;
  const parsed = reported ? Duration.fromISO(reported) : undefined;
  return parsed?.isValid && parsed.toMillis() > 0
    ? parsed
    : Duration.fromObject({ hours: 4 });
}

/** "4 hours", "1 hour, 30 minutes". */
export function humanDuration(d: Duration): string {
  return d.rescale().toHuman();
}

/** An operation still moving: it holds its environment's lock and is worth polling. */
export const isActive = (op?: OperationResponse) =>
  !!op && !TERMINAL_OPERATION_STATES.includes(op.state);

/**
 * A fresh key per user intent: a double click or a retried request then answers the operation
 * the first one created instead of deploying twice.
 */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

/** What the operation did, in one line for the history and the progress heading. */
export function describeOperation(op: OperationResponse): string {
  if (op.type === 'deploy') {
    const version = op.release.version ? `v${op.release.version}` : 'release';
    return `Deploy ${version} (${shortDigest(op.release.digest)}) to ${
      op.environment
    }`;
  }
  const target = op.targetRevision
    ? `revision ${op.targetRevision}`
    : 'the previous revision';
  return op.type === 'rollback'
    ? `Roll back ${op.environment} to ${target}`
    : `Rollback dry-run of ${op.environment} to ${target}`;
}

/**
 * Mirrors the backend's preflight so the Deploy button can say why it is disabled. The backend
 * judges again on every request; this is for display only.
 */
export function blockersOf(options: {
  status: ReleaseStatusResponse;
  signoffs: SignoffView[];
  requiredSignoffs: Array<'po' | 'dpo' | 'security'>;
  actor?: string;
}) {
  const { status, signoffs, requiredSignoffs, actor } = options;
  const gates = status.gates.filter(
    g => g.status !== 'pass' && g.status !== 'waived',
  );
  const revoked = new Set(
    signoffs.filter(s => s.decision === 'revoked').map(s => s.revokes),
  );
  // The newest standing decision of each signer counts; the release requester's own approval
  // does not (four eyes), exactly as the backend's preflight judges it.
  const newest = new Map<string, SignoffView>();
  for (const s of signoffs) {
    if (s.decision === 'revoked' || revoked.has(s.id)) continue;
    if (
      s.release.version !== status.release.version ||
      s.release.digest !== status.release.digest
    ) {
      continue;
    }
    const key = `${s.role}|${s.signer}`;
    const seen = newest.get(key);
    if (!seen || seen.createdAt <= s.createdAt) newest.set(key, s);
  }
  const approved = new Set(
    [...newest.values()]
      .filter(s => s.decision === 'approved' && s.signer !== actor)
      .map(s => s.role),
  );
  return {
    gates,
    missingSignoffs: requiredSignoffs.filter(role => !approved.has(role)),
  };
}

/** The override that lets this release into this environment now, if any. */
export function activeOverrideFor(
  overrides: OverrideResponse[],
  environment: string | undefined,
  release: { version?: string; digest?: string },
  now = Date.now(),
) {
  return overrides.find(
    o =>
      !o.revokedAt &&
      Date.parse(o.expiresAt) > now &&
      (!environment || o.environment === environment) &&
      // The backend binds an override to exactly this version and digest.
      (o.release.version ?? null) === (release.version ?? null) &&
      (o.release.digest ?? null) === (release.digest ?? null),
  );
}
