import { InputError } from '@backstage/errors';
import { DeployTarget } from '@helix-portal/plugin-rco-node';

/**
 * Checks on what goes onto helm's command line, and the timing rules of helm calls.
 */

/** Reads (history, status, dry runs) do not wait for resources: a minute means no answer. */
export const READ_DEADLINE_MS = 60_000;

/** Helm's release name rule (DNS-1123 subdomain, at most 53 characters). */
const RELEASE_NAME =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Time past helm's own `--timeout` before the driver stops it: helm needs a moment after its wait
 * to record the release state. A tenth of the timeout, between 1 and 30 seconds.
 */
export const graceMs = (timeoutMs: number) =>
  Math.min(30_000, Math.max(1_000, Math.round(timeoutMs / 10)));

/** Helm's `--timeout` in whole seconds (at least one). */
export const timeoutSeconds = (timeoutMs: number) =>
  Math.max(1, Math.ceil(timeoutMs / 1000));

/** An argument helm would read as a flag, or that carries control characters, is refused. */
function checkArg(value: string, what: string): string {
  // eslint-disable-next-line no-control-regex
  if (!value || value.startsWith('-') || /[\u0000-\u001f]/.test(value)) {
    throw new InputError(`Invalid ${what} '${value}' for helm`);
  }
  return value;
}

/**
 * The target's helm settings, checked so that nothing from config can become a helm flag.
 *
 * @throws InputError when the target has no helm settings or an invalid name.
 */
export function checkTarget(target: DeployTarget) {
  const helm = target.helm;
  if (!helm) {
    throw new InputError(
      `${target.entityRef} in ${target.environment} uses the helm driver but names no helm release and chart`,
    );
  }
  if (!RELEASE_NAME.test(helm.release) || helm.release.length > 53) {
    throw new InputError(`Invalid helm release name '${helm.release}'`);
  }
  if (!NAMESPACE.test(target.namespace) || target.namespace.length > 63) {
    throw new InputError(`Invalid namespace '${target.namespace}'`);
  }
  checkArg(helm.chart, 'chart');
  if (helm.chartVersion !== undefined) {
    checkArg(helm.chartVersion, 'chart version');
  }
  return helm;
}

/**
 * The revision argument of `helm rollback`: nothing (the previous revision) or a positive number.
 *
 * @throws InputError for anything else.
 */
export function revisionArgs(revision: string | undefined): string[] {
  if (revision === undefined) return [];
  if (!/^[1-9]\d*$/.test(revision)) {
    throw new InputError(`Invalid helm revision '${revision}'`);
  }
  return [revision];
}

/**
 * The error for a call given up because `ctx.signal` aborted (the backend is stopping). Named
 * `AbortError` like the platform's own abort errors.
 */
export function abortedError(what: string): Error {
  const error = new Error(
    `${what} was interrupted because the backend is stopping; observe() reconciles the release from its history.`,
  );
  error.name = 'AbortError';
  return error;
}
