import type {
  GateResult,
  ReleaseStatusResponse,
} from '@helix-portal/plugin-rco-common';
import { RcoClient } from '../lib/client';
import { formatDuration } from '../lib/duration';
import { describeGate } from '../lib/format';
import { EntityRef } from '../lib/options';
import { fetchStatus, ReleaseQuery } from './status';

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

/** `rco gates wait`: polls the status route until the verdict is known or the time is up. */
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
  let last = '';
  let status: ReleaseStatusResponse | undefined;
  for (;;) {
    // Each poll retries 5xx and connection errors itself; what is left (4xx, the backend
    // still down after the retries) ends the wait with exit 3: the verdict is unknown.
    status = await fetchStatus(client, url, entity, query, WAIT_EXIT.error);
    const outcome = judge(status.gates);
    if (outcome === 'pass') {
      const waived = status.gates.filter(g => g.status === 'waived');
      out(
        `All ${status.gates.length} gates pass${
          waived.length ? ` (${waived.map(g => g.id).join(', ')} waived)` : ''
        }: ${status.summary.text}`,
      );
      return WAIT_EXIT.pass;
    }
    if (outcome === 'fail') {
      const failing = status.gates.filter(g => g.status === 'fail');
      err(
        `${failing.length} gate${failing.length === 1 ? '' : 's'} failing for ${
          status.entityRef
        }:`,
      );
      failing.forEach(g => err(`  ✗ ${describeGate(g)}`));
      return WAIT_EXIT.fail;
    }
    const waiting = pending(status.gates);
    const line = `${status.summary.passing}/${
      status.summary.total
    } gates pass; waiting for ${waiting
      .map(g => `${g.id} (${g.status})`)
      .join(', ')}`;
    if (line !== last) out(line);
    last = line;
    const left = deadline - clock.now();
    if (left <= 0) {
      err(
        `Timed out after ${formatDuration(
          timing.timeoutMs,
        )}; still not passing:`,
      );
      waiting.forEach(g => err(`  … ${describeGate(g)}`));
      return WAIT_EXIT.timeout;
    }
    await clock.sleep(Math.min(timing.intervalMs, left));
  }
}
