// What every phase shares: the setup, the running backends, the tokens, and which services each
// phase uses, so that "a different entity each request" holds across phases too.
import type { Backend } from './backend';
import type { BenchSetup } from './setup';
import { serviceName } from './setup';

export interface Ctx {
  setup: BenchSetup;
  connection: string;
  pgCpu?: () => number;
  backends: Backend[];
  /** A guest user token (the portal's viewer; owner of the bench-team-0 services). */
  guest: string;
  /** Services no phase has used yet, in a shuffled order. */
  fresh: number[];
}

/** A deterministic shuffle (the same services in the same order every run). */
function shuffled(values: number[]) {
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Deploys need services the guest owns (bench-team-0: every fourth); they are taken from the
 * front, the rest shuffled for the read and write phases.
 */
export function servicePlan(services: number, deploys: number) {
  const owned = Array.from({ length: deploys }, (_, k) => 4 * k).filter(
    i => i < services,
  );
  const rest = Array.from({ length: services }, (_, i) => i).filter(
    i => !owned.includes(i),
  );
  return { owned, fresh: shuffled(rest) };
}

/** `n` services no phase has used; when there are not enough, used ones again (said so). */
export function take(
  ctx: Ctx,
  n: number,
): { names: string[]; reused: boolean } {
  const picked = ctx.fresh.splice(0, n);
  const reused = picked.length < n;
  for (let k = 0; picked.length < n; k++) picked.push(k % ctx.setup.services);
  return { names: picked.map(serviceName), reused };
}

/** `n` services, used or not (the catalog floor and uploads need no first reads). */
export function any(ctx: Ctx, n: number): string[] {
  return Array.from({ length: n }, (_, k) =>
    serviceName((k * 7919) % ctx.setup.services),
  );
}

export const entityPath = (name: string) =>
  `/api/rco/entities/component/default/${name}`;

/**
 * Starts counting the CPU the backends and PostgreSQL spend; the returned function says how much
 * per request since. On a shared machine latencies depend on the others' load; this does not.
 */
export function cpuMeter(ctx: Ctx) {
  const read = () => ({
    backend: ctx.backends.reduce((sum, b) => sum + b.cpuMs(), 0),
    db: ctx.pgCpu?.() ?? 0,
  });
  const before = read();
  return (requests: number) => {
    const after = read();
    const backend = (after.backend - before.backend) / requests;
    const db = (after.db - before.db) / requests;
    return `CPU per request: backend ${backend.toFixed(
      1,
    )} ms + PostgreSQL ${db.toFixed(1)} ms`;
  };
}

/**
 * Waits until the backends are about idle (under 15 % of a core over 2 s; at most 120 s), so
 * that start-up work (catalog processing, judging, schedules) does not count as a request's.
 * Returns how long it waited and the last idle rate.
 */
export async function settle(ctx: Ctx) {
  const started = performance.now();
  let rate = Infinity;
  while (performance.now() - started < 120_000) {
    const before = ctx.backends.reduce((sum, b) => sum + b.cpuMs(), 0);
    await new Promise(r => setTimeout(r, 2000));
    rate =
      (ctx.backends.reduce((sum, b) => sum + b.cpuMs(), 0) - before) / 2000;
    if (rate < 0.15) break;
  }
  return `settled after ${((performance.now() - started) / 1000).toFixed(
    0,
  )} s (backend CPU ${(rate * 100).toFixed(0)} % of a core)`;
}

/** Round-robin over the running backends (request i goes to backend i mod count). */
export const via = (ctx: Ctx, i: number) =>
  ctx.backends[i % ctx.backends.length].baseUrl;
