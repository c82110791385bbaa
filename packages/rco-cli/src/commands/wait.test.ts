import type { GateResult, GateStatus } from '@helix-portal/plugin-rco-common';
import { GATES } from '@helix-portal/plugin-rco-common';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { RcoClient } from '../lib/client';
import { CliError } from '../lib/errors';
import { judge, runWait, WAIT_EXIT } from './wait';

const gate = (status: GateStatus, i = 0): GateResult => ({
  id: GATES[i].id,
  title: GATES[i].title,
  verification: GATES[i].verification,
  section: 'security-baselines',
  status,
  reasons: [`reason of ${GATES[i].id}`],
  evidence: [],
  evaluatedAt: '2026-01-01T00:00:00Z',
});
const gates = (...statuses: GateStatus[]) => statuses.map((s, i) => gate(s, i));

describe('judge', () => {
  it.each<[GateStatus[], string]>([
    [['pass', 'pass', 'pass'], 'pass'],
    [['pass', 'waived', 'pass'], 'pass'],
    [['waived'], 'pass'],
    [['pass', 'missing'], 'waiting'],
    [['stale', 'pass'], 'waiting'],
    [['missing', 'fail'], 'fail'],
    [['fail', 'waived'], 'fail'],
    [[], 'waiting'],
  ])('%j → %s', (statuses, outcome) => {
    expect(judge(gates(...statuses))).toBe(outcome);
  });
});

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

/** What one poll gets: a verdict (about the digest asked for, or `digest`), a status, or silence. */
type Answer =
  | GateResult[]
  | number
  | 'hang'
  | 'html'
  | { gates: GateResult[]; digest?: string; environment?: string }
  | { status: number; retryAfter: string };

/** A status route that answers each poll with the next answer (the last repeats). */
async function statusServer(answers: Answer[]) {
  let polls = 0;
  const srv = http.createServer((req, res) => {
    const next = answers[Math.min(polls++, answers.length - 1)];
    if (next === 'hang') return; // never answers
    if (next === 'html') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!DOCTYPE html><html>Sign in</html>');
      return;
    }
    if (typeof next === 'object' && 'status' in next) {
      res.writeHead(next.status, {
        'Content-Type': 'application/json',
        'Retry-After': next.retryAfter,
      });
      res.end(JSON.stringify({ error: { message: 'slow down' } }));
      return;
    }
    if (typeof next === 'number') {
      res.writeHead(next, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'nope' } }));
      return;
    }
    const params = new URL(req.url!, 'http://x').searchParams;
    const list = Array.isArray(next) ? next : next.gates;
    // The backend judges the release and environment asked for, unless the answer says otherwise.
    const digest =
      (!Array.isArray(next) && next.digest) || params.get('digest');
    const environment =
      !Array.isArray(next) && 'environment' in next
        ? next.environment
        : params.get('environment') ?? undefined;
    const passing = list.filter(g => g.status === 'pass').length;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        entityRef: 'component:default/rco',
        release: { version: '1.3.2', digest, environment },
        gates: list,
        pillars: [],
        summary: {
          passing,
          total: list.length,
          blockedBy: [],
          waived: [],
          ready: false,
          text: `${passing} of ${list.length} gates pass`,
        },
        evaluatedAt: '2026-01-01T00:00:00Z',
      }),
    );
  });
  await new Promise<void>(r => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return {
    url,
    polls: () => polls,
    close: () =>
      new Promise<void>(r => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

/** A clock that only moves when the wait sleeps, so minutes pass at once. */
const fakeClock = () => {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => void (now += ms),
  };
};
const realClock = () => ({
  now: Date.now,
  sleep: (ms: number) => new Promise<void>(r => setTimeout(r, ms)),
});

async function wait(
  answers: Answer[],
  timeoutMs = 10_000,
  clock: {
    now: () => number;
    sleep: (ms: number) => Promise<void>;
  } = fakeClock(),
  environment?: string,
) {
  const backend = await statusServer(answers);
  const out: string[] = [];
  const err: string[] = [];
  const started = clock.now();
  try {
    const client = new RcoClient({ url: backend.url, token: 't', retries: 4 });
    const code = await runWait(
      client,
      backend.url,
      { kind: 'component', namespace: 'default', name: 'rco' },
      { digest: DIGEST, environment },
      { timeoutMs, intervalMs: 1000 },
      l => out.push(l),
      l => err.push(l),
      clock,
    ).catch((e: any) => e);
    return {
      code,
      out,
      err,
      polls: backend.polls(),
      waited: clock.now() - started,
    };
  } finally {
    await backend.close();
  }
}

const release = `component:default/rco version 1.3.2, ${DIGEST}`;

describe('runWait', () => {
  it('exits 0 when the missing gate turns green, printing each change once', async () => {
    const res = await wait([
      gates('pass', 'missing'),
      gates('pass', 'missing'),
      gates('pass', 'waived'),
    ]);
    expect(res.code).toBe(WAIT_EXIT.pass);
    expect(res.out).toEqual([
      `1/2 gates pass for ${release}; waiting for secret-hygiene (missing)`,
      `All 2 gates pass for ${release} (secret-hygiene waived): 1 of 2 gates pass`,
    ]);
    expect(res.polls).toBe(3);
  });

  it('exits 1 as soon as a gate fails, naming the release, gate, reasons and section', async () => {
    const res = await wait([
      gates('missing', 'pass'),
      gates('fail', 'missing'),
    ]);
    expect(res.code).toBe(WAIT_EXIT.fail);
    expect(res.err).toEqual([
      `1 gate failing for ${release}:`,
      '  ✗ acronym-clarity (Acronym Clarity) fail: reason of acronym-clarity [runbook section security-baselines]',
    ]);
  });

  it('exits 2 at the timeout, listing what is still missing or stale', async () => {
    const res = await wait([gates('stale', 'missing', 'pass')], 3000);
    expect(res.code).toBe(WAIT_EXIT.timeout);
    expect(res.waited).toBe(3000);
    expect(res.err[0]).toBe('Timed out after 3s; still not passing:');
    expect(res.err.slice(1)).toEqual([
      '  … acronym-clarity (Acronym Clarity) stale: reason of acronym-clarity [runbook section security-baselines]',
      '  … secret-hygiene (Secret Hygiene) missing: reason of secret-hygiene [runbook section security-baselines]',
    ]);
  });

  it('never passes on the verdict of another release: it waits for the one asked for', async () => {
    const other = { gates: gates('pass', 'pass'), digest: OTHER };
    const never = await wait([other], 3000);
    expect(never.code).toBe(WAIT_EXIT.timeout);
    expect(never.out).toEqual([]);
    expect(never.err[0]).toBe(
      `The backend judged component:default/rco version 1.3.2, ${OTHER}, not ${DIGEST}: waiting until it judges the release asked for.`,
    );
    expect(never.err[1]).toMatch(
      /^Timed out after 3s; the last poll gave no verdict on the release: The backend judged/,
    );
    const later = await wait([other, other, gates('pass', 'pass')]);
    expect(later.code).toBe(WAIT_EXIT.pass);
    expect(later.out).toEqual([
      `All 2 gates pass for ${release}: 2 of 2 gates pass`,
    ]);
  });

  it('keeps polling through a backend restart (503, 502) until the verdict comes', async () => {
    const res = await wait([503, 502, 503, gates('pass')], 60_000);
    expect(res.code).toBe(WAIT_EXIT.pass);
    expect(res.polls).toBe(4);
    expect(res.err).toHaveLength(3);
    expect(res.err[0]).toBe(
      "Poll 1 got no verdict: The backend failed (503). Try again later; the backend's logs say why. The backend says: nope. Still waiting (1m left).",
    );
    expect(res.err.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('exits 2, not 3, when the backend is down until the deadline', async () => {
    const res = await wait([503], 5000);
    expect(res.code).toBe(WAIT_EXIT.timeout);
    expect(res.err[res.err.length - 1]).toMatch(
      /^Timed out after 5s; the last poll gave no verdict on the release: The backend failed \(503\)/,
    );
  });

  it('stops at the deadline when the backend never answers', async () => {
    const started = Date.now();
    const res = await wait(['hang'], 1500, realClock());
    expect(res.code).toBe(WAIT_EXIT.timeout);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(res.err.join('\n')).toContain('it did not answer in time');
  });

  it('reports the last verdict when the deadline cuts a slow poll short', async () => {
    const res = await wait(
      [gates('pass', 'missing'), 'hang'],
      2000,
      realClock(),
    );
    expect(res.code).toBe(WAIT_EXIT.timeout);
    expect(res.err).toEqual([
      'Timed out after 2s; still not passing:',
      '  … secret-hygiene (Secret Hygiene) missing: reason of secret-hygiene [runbook section security-baselines]',
    ]);
  });

  it.each([
    [403, '(403 Forbidden)'],
    [404, 'Not found (404)'],
    [401, '(401 Unauthorized)'],
    [400, 'The backend refused the request (400)'],
  ])(
    'ends with exit 3 at once when the backend answers %d',
    async (status, says) => {
      const res = await wait([gates('missing'), status]);
      expect(res.code).toBeInstanceOf(CliError);
      expect(res.code.exitCode).toBe(WAIT_EXIT.error);
      expect(res.code.message).toContain(says);
      expect(res.polls).toBe(2);
    },
  );

  it('ends with exit 3 when the answer is a web page, saying to check --url', async () => {
    const res = await wait(['html']);
    expect(res.code).toBeInstanceOf(CliError);
    expect(res.code.exitCode).toBe(WAIT_EXIT.error);
    expect(res.code.message).toMatch(
      /answered 200, but the answer was not JSON: check --url points at the Backstage backend/,
    );
  });

  it('prints a reason that holds a line break and a workflow command on one line', async () => {
    const evil = {
      ...gate('fail'),
      reasons: ['bad\n::warning file=x::injected\r\n::add-mask::x'],
    };
    const res = await wait([[evil]]);
    expect(res.code).toBe(WAIT_EXIT.fail);
    expect(res.err[1]).toBe(
      '  ✗ acronym-clarity (Acronym Clarity) fail: bad\\n::warning file=x::injected\\r\\n::add-mask::x [runbook section security-baselines]',
    );
  });

  it('never passes on a verdict judged for another environment (second review, finding 3)', async () => {
    const staging = { gates: gates('pass', 'pass'), environment: 'staging' };
    const never = await wait([staging], 3000, fakeClock(), 'production');
    expect(never.code).toBe(WAIT_EXIT.timeout);
    expect(never.out).toEqual([]);
    expect(never.err[0]).toBe(
      `The backend judged component:default/rco version 1.3.2, ${DIGEST}, in staging, not ${DIGEST} in production: waiting until it judges the release asked for.`,
    );
    // Judged with no environment at all (a proxy dropped the query): not production's verdict.
    const none = { gates: gates('pass'), environment: undefined };
    const dropped = await wait([none], 3000, fakeClock(), 'production');
    expect(dropped.code).toBe(WAIT_EXIT.timeout);
    expect(dropped.err[0]).toContain('no environment');
    // Asked for none, judged for one: not taken either.
    const unasked = await wait([staging], 3000);
    expect(unasked.code).toBe(WAIT_EXIT.timeout);
    expect(unasked.err[0]).toContain(
      `in staging, not ${DIGEST} (no environment):`,
    );
    // The right environment's verdict ends the wait.
    const later = await wait(
      [staging, gates('pass', 'pass')],
      10_000,
      fakeClock(),
      'production',
    );
    expect(later.code).toBe(WAIT_EXIT.pass);
    expect(later.out).toEqual([
      `All 2 gates pass for ${release}, in production: 2 of 2 gates pass`,
    ]);
  });

  it('keeps polling through 429, waiting as long as Retry-After asks (second review, finding 4)', async () => {
    const res = await wait(
      [{ status: 429, retryAfter: '30' }, 429, gates('pass')],
      60_000,
    );
    expect(res.code).toBe(WAIT_EXIT.pass);
    expect(res.polls).toBe(3);
    // 30 s as asked, then the 1 s interval (a 429 without Retry-After).
    expect(res.waited).toBe(31_000);
    expect(res.err[0]).toMatch(
      /^Poll 1 got no verdict: .*\(429 Too Many Requests\).*Still waiting/,
    );
  });

  it('does not sleep past the deadline for a long Retry-After: exit 2', async () => {
    const res = await wait([{ status: 429, retryAfter: '3600' }], 5000);
    expect(res.code).toBe(WAIT_EXIT.timeout);
    expect(res.waited).toBe(5000);
    expect(res.polls).toBe(1);
  });
});
