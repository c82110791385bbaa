import { Duration } from 'luxon';
import {
  CapabilitiesResponse,
  EnvironmentView,
  FourEyesView,
  OperationResponse,
  OverrideResponse,
  TERMINAL_OPERATION_STATES,
} from '@helix-portal/plugin-rco-common';
import { parseEntityRef } from '@backstage/catalog-model';
import { revisionWords } from './revisions';

/** The sign-off roles an environment can require, in the words the page uses. */
export const ROLE_TITLE: Record<'po' | 'dpo' | 'security', string> = {
  po: 'Product Owner',
  dpo: 'Data Protection Officer',
  security: 'Security',
};

/**
 * The sign-offs an environment still needs for the release on the tab: its required roles the
 * backend's current four-eyes verdict does not count as approved. Without a verdict every
 * required role is listed (nothing is assumed given).
 */
export function pendingSignoffs(
  required: EnvironmentView['requiredSignoffs'],
  fourEyes?: FourEyesView,
): EnvironmentView['requiredSignoffs'] {
  return required.filter(r => fourEyes?.roles[r]?.status !== 'approved');
}

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

/**
 * Whether an operation is a canary waiting for someone to press Promote: still `running` to the
 * state machine, but nothing moves until a person acts, so the page never says "Running".
 */
export const isPausedForPromote = (op?: OperationResponse) =>
  op?.state === 'running' && op.progress?.phase === 'paused';

/** The words for an operation's state, as every place on the page shows it. */
export const PAUSED_LABEL = 'Paused: waiting for Promote';

/** The service's name for sentences: its catalog title, else the name in its ref. */
export function serviceTitle(op: OperationResponse, title?: string): string {
  if (title) return title;
  try {
    return parseEntityRef(op.entityRef).name;
  } catch {
    return op.entityRef;
  }
}

/**
 * What the operation did, in one line for the history and the progress heading, with the
 * service's title and the version, and a revision number only where a revision is meant:
 * "Deploy RCO (Remote-Call Orchestrator) 1.3.2 to production", "Roll back RCO
 * (Remote-Call Orchestrator) in production to revision 4 (v1.3.1)".
 */
export function describeOperation(
  op: OperationResponse,
  o: { title?: string; versions?: Map<string, string> } = {},
): string {
  const service = serviceTitle(op, o.title);
  if (op.type === 'deploy') {
    return `Deploy ${service} ${op.release.version ?? 'release'} to ${
      op.environment
    }`;
  }
  const versions = new Map(o.versions);
  if (
    op.targetRevision &&
    op.release.version &&
    !versions.has(op.targetRevision)
  )
    versions.set(op.targetRevision, op.release.version);
  const target = op.targetRevision
    ? revisionWords(op.targetRevision, versions)
    : 'the previous revision';
  return op.type === 'rollback'
    ? `Roll back ${service} in ${op.environment} to ${target}`
    : `Rollback dry-run of ${service} in ${op.environment} to ${target}`;
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
