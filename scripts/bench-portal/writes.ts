// What CI pays: evidence uploads with the static CI token (a real Trivy report), sequential
// and from 50 pipelines at once; and how soon a reader sees the verdict an upload changes.
import { Ctx, entityPath, take, via } from './context';
import { call, fmt, ok, pct } from './http';
import { figure, latencies, note } from './report';
import { sampleBody } from './seed';

const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 300);
const PIPELINES = 50;
const ROUNDS = Number(process.env.BENCH_CONCURRENT_ROUNDS ?? 4);
export const UPLOAD_DOCUMENT = 'trivy-image-alpine310.json';
const body = sampleBody(UPLOAD_DOCUMENT);
let uploadCount = 0;

/** One upload of the Trivy report for a release of its own; resolves on 201. */
export async function upload(
  ctx: Ctx,
  baseUrl: string,
  name: string,
  // A document about an image is filed under that image's digest (the backend refuses another):
  // each upload names a version of its own, so none is a duplicate of an earlier one.
  version = `5.0.${uploadCount}`,
) {
  uploadCount++;
  return ok(
    `${baseUrl}${entityPath(name)}/evidence?version=${version}`,
    { method: 'POST', token: ctx.setup.ciToken, body },
    201,
  );
}

export async function uploadFigures(ctx: Ctx, label = '') {
  const { names } = take(ctx, UPLOADS + PIPELINES * ROUNDS + 5);
  for (let i = 0; i < 5; i++) await upload(ctx, via(ctx, i), names.pop()!);
  const started = performance.now();
  const sequential: number[] = [];
  for (let i = 0; i < UPLOADS; i++) {
    sequential.push((await upload(ctx, via(ctx, i), names[i])).ms);
  }
  const perSecond = UPLOADS / ((performance.now() - started) / 1000);
  figure(
    `sequential uploads, PostgreSQL${label}`,
    `${perSecond.toFixed(0)}/s (${UPLOADS} uploads of ${UPLOAD_DOCUMENT}, ${body.length} bytes; latency ${latencies(sequential, pct)})`,
    '>= 400/s',
    perSecond >= 400,
  );
  const concurrent: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const round = names.slice(UPLOADS + r * PIPELINES, UPLOADS + (r + 1) * PIPELINES);
    const ms = await Promise.all(
      round.map(async (name, i) => (await upload(ctx, via(ctx, i), name)).ms),
    );
    concurrent.push(...ms);
  }
  figure(
    `${PIPELINES} concurrent uploads from ${PIPELINES} pipelines, p95${label}`,
    `p95 ${fmt(pct(concurrent, 95))} (p50 ${fmt(pct(concurrent, 50))}, max ${fmt(
      Math.max(...concurrent),
    )}; ${ROUNDS} rounds of ${PIPELINES}, a different service each)`,
    '<= 250 ms',
    pct(concurrent, 95) <= 250,
  );
}

const gatesOf = (status: any) =>
  JSON.stringify((status?.gates ?? []).map((g: any) => [g.id, g.status]));

/**
 * Upload through `writer`, then read through `reader` until the verdict differs from before:
 * the time from the 201 to the response that shows it. The release (a version) is new,
 * so the Trivy report turns its image-scanning gate from missing to a verdict.
 */
export async function verdictVisible(
  ctx: Ctx,
  writer: string,
  reader: string,
  name: string,
  n: number,
) {
  const version = `7.0.${n}`;
  const statusUrl = `${reader}${entityPath(name)}/status?version=${version}`;
  const before = gatesOf((await ok(statusUrl, { token: ctx.guest })).body);
  await upload(ctx, writer, name, version);
  const uploaded = performance.now();
  for (let reads = 1; ; reads++) {
    const res = await call(statusUrl, { token: ctx.guest });
    if (gatesOf(res.body) !== before) {
      return { ms: performance.now() - uploaded, reads };
    }
    if (performance.now() - uploaded > 10_000) return { ms: NaN, reads };
  }
}

export async function verdictFigure(ctx: Ctx, count = 10) {
  const { names } = take(ctx, count);
  const seen: number[] = [];
  let reads = 0;
  for (let i = 0; i < names.length; i++) {
    const r = await verdictVisible(ctx, via(ctx, 0), via(ctx, 0), names[i], i);
    seen.push(r.ms);
    reads += r.reads;
  }
  const ok100 = seen.every(v => v <= 100);
  figure(
    'verdict recomputation after one evidence upload, visible to a reader (status)',
    `median ${fmt(pct(seen, 50))}, max ${fmt(Math.max(...seen))} (${count} uploads; ${(
      reads / count
    ).toFixed(1)} status reads each until the new verdict)`,
    '<= 100 ms',
    ok100,
  );
  if (seen.some(v => Number.isNaN(v))) note('some verdicts did not change within 10 s');
}
