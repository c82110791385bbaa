import type {
  GateResult,
  ReleaseStatusResponse,
} from '@helix-portal/plugin-rco-common';
import {
  AttemptsError,
  entityPath,
  isRetryable,
  RcoClient,
} from '../lib/client';
import { formatDuration } from '../lib/duration';
import {
  CliError,
  describeError,
  HttpError,
  NetworkError,
  oneLine,
} from '../lib/errors';
import { describeGate } from '../lib/format';
import { EntityRef, formatEntityRef } from '../lib/options';
import { ReleaseQuery } from './status';

/** Exit codes of `rco gates wait`. */
export const WAIT_EXIT = { pass: 0, fail: 1, timeout: 2, error: 3 } as const;

export type WaitOutcome = 'pass' | 'fail' | 'waiting';

/**
 * What the gates say: pass when every gate passes or is waived, fail as soon as one fails,
 * waiting while the others are only missing or stale (evidence may still arrive).
 */
export function judge(gates: GateResult[]): WaitOutcome {
  if (gates.some(g => g.status === 'fail')) return 'fail';
  if (
    gates.length > 0 &&
    gates.every(g => ['pass', 'waived'].includes(g.status))
  ) {
    return 'pass';
  }
  return 'waiting';
}

const pending = (gates: GateResult[]) =>
  gates.filter(g => g.status === 'missing' || g.status === 'stale');

/** How long one poll may take at most; the deadline may cut it shorter. */
export const POLL_TIMEOUT_MS = 120_000;

/** `component:default/rco version 1.4.0, sha256:…`: the release a verdict is about. */
function judgedRelease(status: ReleaseStatusResponse): string {
  const r = status.release ?? {};
  const about = [
    r.version && `version ${r.version}`,
    r.digest ?? 'no digest',
    r.environment && `in ${r.environment}`,
  ]
    .filter(Boolean)
    .join(', ');
  return oneLine(`${status.entityRef} ${about}`);
}

/**
 * Why a verdict is not about the release asked for, or undefined when it is. A backend that
 * does not know the digest yet (or a proxy that dropped the query) judges another release;
 * its verdict must not open the deploy.
 */
function otherRelease(
  status: ReleaseStatusResponse,
  query: ReleaseQuery,
): string | undefined {
  const r = status.release ?? {};
  const digestDiffers = r.digest !== query.digest;
  const versionDiffers =
    query.version !== undefined &&
    r.version !== undefined &&
    r.version !== query.version;
  // Gates judge evidence by environment (cluster state, approvals): a verdict for staging, or
  // for no environment at all (a proxy dropped the query), says nothing about production.
  const environmentDiffers =
    (r.environment ?? '') !== (query.environment ?? '');
  if (!digestDiffers && !versionDiffers && !environmentDiffers) {
    return undefined;
  }
  let where = '';
  if (query.environment) where = ` in ${query.environment}`;
  else if (r.environment) where = ' (no environment)';
  const judgedWhere =
    query.environment && !r.environment ? ' (no environment)' : '';
  return `The backend judged ${judgedRelease(status)}${judgedWhere}, not ${
    query.digest
  }${
    query.version ? ` version ${query.version}` : ''
  }${where}: waiting until it judges the release asked for.`;
}

/**
 * `rco gates wait`: polls the status route until the verdict is known or the time is up.
 * Each poll is one attempt bounded by the deadline; a failure that may pass (5xx, no
 * connection, no answer in time) is reported and the next poll tries again, so a backend
 * restart does not end a long wait; a 429 (a proxy or the backend limiting requests) too, and
 * the next poll waits as long as its Retry-After asks, within the deadline. An answer that will
 * not change (400/401/403/404) ends it with exit 3; the deadline ends it with exit 2, whatever
 * the last poll met.
 */
export async function runWait(
  client: RcoClient,
  url: string,
  entity: EntityRef,
  query: ReleaseQuery,
  timing: { timeoutMs: number; intervalMs: number },
  out: (line: string) => void,
  err: (line: string) => void,
  clock: { now: () => number; sleep: (ms: number) => Promise<void> } = {
    now: Date.now,
    sleep: ms => new Promise(r => setTimeout(r, ms)),
  },
): Promise<number> {
  const deadline = clock.now() + timing.timeoutMs;
  const ctx = {
    url,
    entity: formatEntityRef(entity),
    action: 'read the status of',
  };
  let last = '';
  let waiting: GateResult[] = [];
  let polls = 0;
  /** Why the latest poll gave no verdict on the release asked for. */
  let problem: string | undefined;
  /** Whether the latest verdict was about the release asked for. */
  let judged = false;
  for (;;) {
    polls++;
    let status: ReleaseStatusResponse | undefined;
    /** How long a 429 or 503 asked the next poll to wait (Retry-After). */
    let retryAfter = 0;
    try {
      status = await client.get<ReleaseStatusResponse>(
        `${entityPath(entity)}/status`,
        {
          digest: query.digest,
          version: query.version,
          environment: query.environment,
        },
        {
          retries: 0,
          requestTimeoutMs: Math.min(POLL_TIMEOUT_MS, deadline - clock.now()),
        },
      );
    } catch (error) {
      if (error instanceof CliError) {
        throw new CliError(error.message, WAIT_EXIT.error);
      }
      const cause = error instanceof AttemptsError ? error.cause : error;
      const sentence = describeError(cause, ctx);
      if (!isRetryable(cause)) throw new CliError(sentence, WAIT_EXIT.error);
      if (cause instanceof HttpError) retryAfter = cause.retryAfterMs ?? 0;
      const left = Math.max(0, deadline - clock.now());
      const cutByDeadline =
        left === 0 && cause instanceof NetworkError && cause.code === 'TIMEOUT';
      // A poll the deadline cut short says nothing new when an earlier one gave a verdict.
      if (!cutByDeadline || !judged) {
        problem = sentence;
        err(
          `Poll ${polls} got no verdict: ${sentence}${
            left > 0 ? ` Still waiting (${formatDuration(left)} left).` : ''
          }`,
        );
      }
    }
    if (status) {
      const elsewhere = otherRelease(status, query);
      problem = elsewhere;
      judged = !elsewhere;
      if (elsewhere) {
        if (elsewhere !== last) err(elsewhere);
        last = elsewhere;
      } else {
        const outcome = judge(status.gates);
        const release = judgedRelease(status);
        if (outcome === 'pass') {
          const waived = status.gates.filter(g => g.status === 'waived');
          out(
            `All ${status.gates.length} gates pass for ${release}${
              waived.length
                ? ` (${waived.map(g => g.id).join(', ')} waived)`
                : ''
            }: ${oneLine(status.summary.text)}`,
          );
          return WAIT_EXIT.pass;
        }
        if (outcome === 'fail') {
          const failing = status.gates.filter(g => g.status === 'fail');
          err(
            `${failing.length} gate${
              failing.length === 1 ? '' : 's'
            } failing for ${release}:`,
          );
          failing.forEach(g => err(`  ✗ ${describeGate(g)}`));
          return WAIT_EXIT.fail;
        }
        waiting = pending(status.gates);
        const line = `${status.summary.passing}/${
          status.summary.total
        } gates pass for ${release}; waiting for ${waiting
          .map(g => `${g.id} (${g.status})`)
          .join(', ')}`;
        if (line !== last) out(oneLine(line));
        last = line;
      }
    }
    // Nothing is asked past the deadline: a poll that would start there could not finish.
    const left = deadline - clock.now();
    if (left > 0) {
      await clock.sleep(
        Math.min(Math.max(timing.intervalMs, retryAfter), left),
      );
    }
    if (deadline - clock.now() <= 0) {
      err(
        `Timed out after ${formatDuration(timing.timeoutMs)}; ${
          problem
            ? `the last poll gave no verdict on the release: ${problem}`
            : 'still not passing:'
        }`,
      );
      waiting.forEach(g => err(`  … ${describeGate(g)}`));
      return WAIT_EXIT.timeout;
    }
  }
}
