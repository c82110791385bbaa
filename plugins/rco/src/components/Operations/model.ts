import { Duration } from 'luxon';
import {
  CapabilitiesResponse,
  OperationResponse,
  OverrideResponse,
  TERMINAL_OPERATION_STATES,
} from '@helix-portal/plugin-rco-common';
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
