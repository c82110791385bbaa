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

/** A status route that answers each poll with the next verdict (the last repeats). */
async function statusServer(verdicts: Array<GateResult[] | number>) {
  let polls = 0;
  const srv = http.createServer((_req, res) => {
    const next = verdicts[Math.min(polls++, verdicts.length - 1)];
    if (typeof next === 'number') {
      res.writeHead(next, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'nope' } }));
      return;
    }
    const passing = next.filter(g => g.status === 'pass').length;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        entityRef: 'component:default/rco',
        release: {},
        gates: next,
        pillars: [],
        summary: {
          passing,
          total: next.length,
          blockedBy: [],
          waived: [],
          ready: false,
          text: `${passing} of ${next.length} gates pass`,
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
    close: () => new Promise<void>(r => srv.close(() => r())),
  };
}

async function wait(
  verdicts: Array<GateResult[] | number>,
  timeoutMs = 10_000,
) {
  const backend = await statusServer(verdicts);
  const out: string[] = [];
  const err: string[] = [];
  let now = 0;
  const clock = {
    now: () => now,
    sleep: async (ms: number) => void (now += ms),
  };
  try {
    const client = new RcoClient({ url: backend.url, token: 't', retries: 0 });
    const code = await runWait(
      client,
      backend.url,
      { kind: 'component', namespace: 'default', name: 'rco' },
      { digest: 'sha256:ab' },
      { timeoutMs, intervalMs: 1000 },
      l => out.push(l),
      l => err.push(l),
      clock,
    ).catch((e: any) => e);
    return { code, out, err, polls: backend.polls(), waited: now };
  } finally {
    await backend.close();
  }
}

describe('runWait', () => {
  it('exits 0 when the missing gate turns green, printing each change once', async () => {
    const res = await wait([
      gates('pass', 'missing'),
      gates('pass', 'missing'),
      gates('pass', 'waived'),
    ]);
    expect(res.code).toBe(WAIT_EXIT.pass);
    expect(res.out).toEqual([
      '1/2 gates pass; waiting for secret-hygiene (missing)',
      'All 2 gates pass (secret-hygiene waived): 1 of 2 gates pass',
    ]);
    expect(res.polls).toBe(3);
  });

  it('exits 1 as soon as a gate fails, naming gate, reasons and section', async () => {
    const res = await wait([
      gates('missing', 'pass'),
      gates('fail', 'missing'),
    ]);
    expect(res.code).toBe(WAIT_EXIT.fail);
    expect(res.err).toEqual([
      '1 gate failing for component:default/rco:',
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

  it('ends with exit 3 when the backend refuses to answer', async () => {
    const res = await wait([gates('missing'), 403]);
    expect(res.code).toBeInstanceOf(CliError);
    expect(res.code.exitCode).toBe(WAIT_EXIT.error);
    expect(res.code.message).toContain('(403 Forbidden)');
  });
});
