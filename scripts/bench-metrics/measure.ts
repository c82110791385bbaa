/* eslint-disable no-console */
// The figures of `yarn bench:metrics`, asked over HTTP of the real plugin's routes as the Metrics
// page asks them (supertest on the test backend's server: request, JSON and response parsing
// included), each printed beside its target with the load average.
import os from 'node:os';
import request from 'supertest';
import { asUser } from '../../plugins/rco-backend/src/__testUtils__/operationsBackend';
import { profiled } from './profiler';

const TARGETS = { first: 2000, warm: 200, replay: 5000 };
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
const ms = (n: number) => `${Math.round(n)} ms`;
const load = () =>
  os
    .loadavg()
    .map(l => l.toFixed(2))
    .join(' ');

export async function measure(app: any) {
  const timed = async (fn: () => Promise<request.Response>) => {
    const t = performance.now();
    const res = await fn();
    if (res.status !== 200)
      throw new Error(`${res.status} ${res.text.slice(0, 300)}`);
    return { ms: performance.now() - t, body: res.body };
  };
  const portfolio = () =>
    timed(() =>
      request(app)
        .get('/api/rco/metrics?environment=production')
        .set('Authorization', asUser('alice')),
    );
  const rows: Array<[string, number, number | undefined, string]> = [];
  const first = await profiled('metrics-first', portfolio);
  rows.push([
    'GET /metrics, first (cold instance)',
    first.ms,
    TARGETS.first,
    `load ${load()}`,
  ]);
  const warm: number[] = [];
  for (let i = 0; i < 20; i++) warm.push((await portfolio()).ms);
  rows.push([
    'GET /metrics, warm (median of 20)',
    median(warm),
    TARGETS.warm,
    `max ${ms(Math.max(...warm))}`,
  ]);
  const replay = async (change: object) => {
    const runs = [];
    for (let i = 0; i < 3; i++)
      runs.push(
        await timed(() =>
          request(app)
            .post('/api/rco/replay')
            .set('Authorization', asUser('alice'))
            .send({ change }),
        ),
      );
    return { ms: median(runs.map(r => r.ms)), body: runs[0].body, runs };
  };
  const scan = await profiled('replay-image-scanning', () =>
    replay({
      gate: 'image-scanning',
      blockingSeverities: ['CRITICAL', 'HIGH', 'MEDIUM'],
    }),
  );
  rows.push([
    'POST /replay image-scanning +MEDIUM (median of 3)',
    scan.ms,
    TARGETS.replay,
    `server ${scan.body.durationMs} ms`,
  ]);
  const rto = await replay({ gate: 'rto-rpo-verification', maxAge: 'PT1H' });
  rows.push([
    'POST /replay rto-rpo maxAge PT1H (median of 3)',
    rto.ms,
    TARGETS.replay,
    `server ${rto.body.durationMs} ms`,
  ]);
  const entity = () =>
    timed(() =>
      request(app)
        .get(
          '/api/rco/entities/component/default/svc-0001/metrics?environment=production',
        )
        .set('Authorization', asUser('alice')),
    );
  rows.push(['GET entity metrics, first', (await entity()).ms, undefined, '']);
  const entityWarm: number[] = [];
  for (let i = 0; i < 20; i++) entityWarm.push((await entity()).ms);
  rows.push([
    'GET entity metrics, warm (median of 20)',
    median(entityWarm),
    undefined,
    '',
  ]);

  console.log(
    `\n== measured over HTTP (real plugin routes, supertest), load ${load()} ==`,
  );
  console.log(
    `${'figure'.padEnd(52)}${'measured'.padStart(10)}${'target'.padStart(
      10,
    )}  verdict`,
  );
  for (const [name, value, target, note] of rows)
    console.log(
      `${name.padEnd(52)}${ms(value).padStart(10)}${(target
        ? `≤ ${ms(target)}`
        : '—'
      ).padStart(10)}  ${
        target ? (value <= target ? 'PASS' : 'MISS') : '    '
      }  ${note}`,
    );
  const d = first.body;
  console.log(
    `\nportfolio answer: ${d.scope.services} services, ${Math.round(
      JSON.stringify(d).length / 1024,
    )} KiB of JSON; ${(d.delivery?.metrics ?? [])
      .map((m: any) => `${m.id} ${m.value ?? '—'} (sample ${m.sample ?? '—'})`)
      .join('; ')}`,
  );
  for (const [name, r] of [
    ['image-scanning', scan],
    ['rto-rpo-verification', rto],
  ] as const) {
    const b = r.body.baseline;
    console.log(
      `replay ${name}: baseline ${b.matched}/${b.replayed} matched, ${
        b.unreplayable
      } unreplayable; ${
        r.body.pastCount ?? r.body.past.length
      } past decisions change, ${
        r.body.inFlightCount ?? r.body.inFlight.length
      } of ${r.body.inFlightJudged} in flight; runs ${r.runs
        .map(x => ms(x.ms))
        .join(', ')}`,
    );
    if (b.mismatched.length)
      console.log(
        `  MISMATCHES (a bug): ${JSON.stringify(b.mismatched.slice(0, 10))}`,
      );
  }
}
