// What a portal's readers pay: the catalog's by-name floor, one entity's status (a different
// entity each request), and the portfolio (first request after start, then every page warm).
// Requests are sequential, as one person's browser sends them.
import { any, cpuMeter, Ctx, entityPath, take, via } from './context';
import { call, fmt, ok, pct } from './http';
import { figure, latencies, note } from './report';

const REQUESTS = Number(process.env.BENCH_READS ?? 300);
const WARM_UP = 10;

async function timedEach(
  ctx: Ctx,
  names: string[],
  url: (name: string) => string,
  offset = 0,
) {
  const out: number[] = [];
  for (let i = 0; i < names.length; i++) {
    const res = await ok(`${via(ctx, i + offset)}${url(names[i])}`, {
      token: ctx.guest,
    });
    out.push(res.ms);
  }
  return out;
}

/** GET /api/catalog/entities/by-name/…, a different entity each request. */
export async function catalogFloor(ctx: Ctx, label = '') {
  const names = any(ctx, WARM_UP + REQUESTS);
  const byName = (n: string) =>
    `/api/catalog/entities/by-name/component/default/${n}`;
  await timedEach(ctx, names.slice(0, WARM_UP), byName);
  const cpu = cpuMeter(ctx);
  const ms = await timedEach(ctx, names.slice(WARM_UP), byName);
  figure(`catalog by-name floor${label}`, latencies(ms, pct));
  note(cpu(ms.length));
  return ms;
}

/** GET …/status of a different entity each request (its first read since start). */
export async function statusFigure(ctx: Ctx, label = '') {
  const { names, reused } = take(ctx, WARM_UP + REQUESTS);
  const status = (n: string) => `${entityPath(n)}/status`;
  await timedEach(ctx, names.slice(0, WARM_UP), status);
  const cpu = cpuMeter(ctx);
  const ms = await timedEach(ctx, names.slice(WARM_UP), status);
  const used = cpu(ms.length);
  figure(
    `status of one entity, a different entity each request${label}`,
    latencies(ms, pct),
    'p95 <= 15 ms',
    pct(ms, 95) <= 15,
  );
  note(used);
  if (reused)
    note('(fewer services than requests: some entities were read twice)');
  // The same entity again, for comparison with the earlier figures ("same entity repeated").
  const again = await timedEach(
    ctx,
    Array(50).fill(names[names.length - 1]),
    status,
  );
  note(`same entity repeated: ${latencies(again, pct)}`);
}

const portfolio = (query: string) => `/api/rco/portfolio?${query}`;

/** The first portfolio page right after a start (call it before anything else reads). */
export async function portfolioFirst(ctx: Ctx, services: number, label = '') {
  const res = await call(
    `${ctx.backends[0].baseUrl}${portfolio('offset=0&limit=50')}`,
    {
      token: ctx.guest,
    },
  );
  if (res.status !== 200)
    throw new Error(`portfolio: ${res.status} ${res.text}`);
  const target = services >= 10_000 ? 3000 : 1000;
  figure(
    `portfolio, ${services} services, first request after start${label}`,
    fmt(res.ms),
    `<= ${target / 1000} s`,
    res.ms <= target,
  );
  note(
    `totalItems ${res.body.totalItems}, page of ${res.body.items?.length}${
      res.body.pending !== undefined ? `, pending ${res.body.pending}` : ''
    }`,
  );
  if (res.body.pending > 0) {
    note(
      'services still pending after the restart: every page below reads what is stored',
    );
  }
}

/**
 * Stored verdicts: a service not judged yet is pending. Asks for the portfolio until none is
 * and says how long every service's first judgement took (the evidence was seeded by SQL, which
 * no write path saw). Without stored verdicts (no `pending`) it returns after one request.
 */
export async function judgeEverything(ctx: Ctx, services: number) {
  const started = performance.now();
  const url = `${ctx.backends[0].baseUrl}${portfolio('offset=0&limit=1')}`;
  let last = (await ok(url, { token: ctx.guest })).body;
  const first = last.pending;
  while (last.pending > 0 && performance.now() - started < 1_200_000) {
    await new Promise(r => setTimeout(r, 1000));
    last = (await ok(url, { token: ctx.guest })).body;
  }
  figure(
    `every service judged for the first time (${services} services)`,
    first === undefined
      ? `no pending count: verdicts are computed in the request (${fmt(
          performance.now() - started,
        )} for the first page)`
      : `${fmt(performance.now() - started)} from ${first} pending to ${
          last.pending
        }; totalItems ${last.totalItems}`,
  );
}

/** Every page of 50, twice over (the second pass is the figure), round-robin over backends. */
export async function portfolioPages(ctx: Ctx, services: number, label = '') {
  const pages = Math.ceil(services / 50);
  const pass = async () => {
    const ms: number[] = [];
    let total = 0;
    for (let p = 0; p < pages; p++) {
      const res = await ok(
        `${via(ctx, p)}${portfolio(`offset=${p * 50}&limit=50`)}`,
        {
          token: ctx.guest,
        },
      );
      total += res.body.items.length;
      ms.push(res.ms);
    }
    return { ms, total };
  };
  const first = await pass();
  const cpu = cpuMeter(ctx);
  const warm = await pass();
  const used = cpu(pages);
  const target = services >= 10_000 ? 100 : 300;
  figure(
    `portfolio, ${services} services, every page warm${label}`,
    `max ${fmt(Math.max(...warm.ms))}, p50 ${fmt(pct(warm.ms, 50))}, p95 ${fmt(
      pct(warm.ms, 95),
    )} over ${pages} pages of 50`,
    `<= ${target} ms every page`,
    Math.max(...warm.ms) <= target,
  );
  note(
    `${used}; first pass over the pages: max ${fmt(
      Math.max(...first.ms),
    )}; rows ${warm.total}`,
  );
  // Context: the whole portfolio in one request, and a sorted / filtered page.
  for (const query of [
    `offset=0&limit=1000`,
    `offset=0&limit=50&sort=risk`,
    `offset=0&limit=50&status=fail`,
    `offset=0&limit=50&owner=group:default/bench-team-1`,
  ]) {
    const res = await call(`${ctx.backends[0].baseUrl}${portfolio(query)}`, {
      token: ctx.guest,
    });
    note(
      `GET portfolio?${query}: ${fmt(res.ms)} (${res.status}, ${
        res.body?.items?.length ?? '?'
      } rows of ${res.body?.totalItems ?? '?'})`,
    );
  }
}
