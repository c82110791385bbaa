// What CI pays: evidence uploads with the static CI token (a real Trivy report), sequential
// and from 50 pipelines at once; and how soon a reader sees the verdict an upload changes.
import { any, cpuMeter, Ctx, entityPath, take, via } from './context';
import { call, fmt, ok, pct, Timed } from './http';
import { figure, latencies, note } from './report';
import { sampleBody } from './seed';
import { sha256 } from '../../plugins/rco-backend/src/lib/canonicalJson';

const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 300);
const PIPELINES = 50;
const ROUNDS = Number(process.env.BENCH_CONCURRENT_ROUNDS ?? 4);
// A small real CI document (a cosign verification); BENCH_UPLOAD_DOCUMENT names another sample.
export const UPLOAD_DOCUMENT =
  process.env.BENCH_UPLOAD_DOCUMENT ?? 'cosign-verify-key-based.json';
const body = sampleBody(UPLOAD_DOCUMENT);
const gitleaks = sampleBody('gitleaks-report-json-simple.json');
let uploadCount = 0;

/** One upload of the Trivy report for a release of its own; resolves on 201. */
export async function upload(
  ctx: Ctx,
  baseUrl: string,
  name: string,
  // A document about an image is filed under that image's digest (the backend refuses another):
  // each upload names a version of its own, so none is a duplicate of an earlier one.
  version = `5.0.${uploadCount}`,
): Promise<Timed> {
  uploadCount++;
  return ok(
    `${baseUrl}${entityPath(name)}/evidence?version=${version}`,
    { method: 'POST', token: ctx.setup.ciToken, body },
    201,
  );
}

export async function uploadFigures(ctx: Ctx, label = '') {
  const names = any(ctx, UPLOADS + PIPELINES * ROUNDS + 5);
  for (let i = 0; i < 5; i++) await upload(ctx, via(ctx, i), names.pop()!);
  const cpu = cpuMeter(ctx);
  const started = performance.now();
  const sequential: number[] = [];
  for (let i = 0; i < UPLOADS; i++) {
    sequential.push((await upload(ctx, via(ctx, i), names[i])).ms);
  }
  const perSecond = UPLOADS / ((performance.now() - started) / 1000);
  figure(
    `sequential uploads, PostgreSQL${label}`,
    `${perSecond.toFixed(0)}/s (${UPLOADS} uploads of ${UPLOAD_DOCUMENT}, ${
      body.length
    } bytes; latency ${latencies(sequential, pct)})`,
    '>= 400/s',
    perSecond >= 400,
  );
  note(cpu(UPLOADS));
  const cpu2 = cpuMeter(ctx);
  const concurrent: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const round = names.slice(
      UPLOADS + r * PIPELINES,
      UPLOADS + (r + 1) * PIPELINES,
    );
    const ms = await Promise.all(
      round.map(async (name, i) => (await upload(ctx, via(ctx, i), name)).ms),
    );
    concurrent.push(...ms);
  }
  figure(
    `${PIPELINES} concurrent uploads from ${PIPELINES} pipelines, p95${label}`,
    `p95 ${fmt(pct(concurrent, 95))} (p50 ${fmt(
      pct(concurrent, 50),
    )}, max ${fmt(
      Math.max(...concurrent),
    )}; ${ROUNDS} rounds of ${PIPELINES}, a different service each)`,
    '<= 250 ms',
    pct(concurrent, 95) <= 250,
  );
  note(cpu2(concurrent.length));
}

/** What a reader sees of a verdict: the release judged and each gate's status. */
const verdictOf = (v: any) =>
  JSON.stringify([
    v?.release,
    (v?.gates ?? []).map((g: any) => [g.id, g.status]),
  ]);

/** The service's row of the portfolio (found with q=), or undefined when it cannot be found. */
async function portfolioRow(ctx: Ctx, baseUrl: string, name: string) {
  const res = await call(`${baseUrl}/api/rco/portfolio?q=${name}&limit=50`, {
    token: ctx.guest,
  });
  return res.body?.items?.find(
    (i: any) => i.entityRef === `component:default/${name}`,
  );
}

/** Reads until `read` differs from `before`; the time from `since` (NaN after 10 s). */
async function until(
  before: string,
  read: () => Promise<string>,
  since: number,
) {
  for (let reads = 1; ; reads++) {
    if ((await read()) !== before)
      return { ms: performance.now() - since, reads };
    if (performance.now() - since > 10_000) return { ms: NaN, reads };
  }
}

/**
 * Upload a Gitleaks report (with findings) for a new release (version and digest of its own)
 * through `writer`, then read through `reader` until the verdict differs from before: the newest
 * release is now that one, its secret-hygiene gate failing. The time from the 201 to the first
 * response that shows it, for the status (the Release tab's default view: the newest release)
 * and the portfolio row.
 */
export async function verdictVisible(
  ctx: Ctx,
  writer: string,
  reader: string,
  name: string,
  n: number,
) {
  const statusUrl = `${reader}${entityPath(name)}/status`;
  const status = async () =>
    verdictOf((await ok(statusUrl, { token: ctx.guest })).body);
  const row = async () => verdictOf(await portfolioRow(ctx, reader, name));
  const [statusBefore, rowBefore] = [await status(), await row()];
  const release = `version=7.0.${n}&digest=sha256:${sha256(
    `verdict-${name}-${n}`,
  )}`;
  await ok(
    `${writer}${entityPath(name)}/evidence?${release}`,
    { method: 'POST', token: ctx.setup.ciToken, body: gitleaks },
    201,
  );
  const since = performance.now();
  const [s, p] = await Promise.all([
    until(statusBefore, status, since),
    rowBefore === verdictOf(undefined)
      ? undefined
      : until(rowBefore, row, since),
  ]);
  return { ms: s.ms, reads: s.reads, portfolioMs: p?.ms };
}

export async function verdictFigure(ctx: Ctx, count = 10) {
  const { names } = take(ctx, count);
  const seen: number[] = [];
  const rows: number[] = [];
  let reads = 0;
  for (let i = 0; i < names.length; i++) {
    const r = await verdictVisible(ctx, via(ctx, 0), via(ctx, 0), names[i], i);
    seen.push(r.ms);
    if (r.portfolioMs !== undefined) rows.push(r.portfolioMs);
    reads += r.reads;
  }
  const all = [...seen, ...rows];
  figure(
    'verdict recomputation after one evidence upload, visible to a reader',
    `status: median ${fmt(pct(seen, 50))}, max ${fmt(
      Math.max(...seen),
    )}; portfolio row: ${
      rows.length
        ? `median ${fmt(pct(rows, 50))}, max ${fmt(Math.max(...rows))}`
        : 'not found with q='
    } (${count} Gitleaks uploads; ${(reads / count).toFixed(
      1,
    )} status reads each until the new verdict)`,
    '<= 100 ms',
    all.every(v => v <= 100),
  );
  if (all.some(v => Number.isNaN(v)))
    note('some verdicts did not change within 10 s');
}
