// Control-plane CPU per deploy (ADR 0006's method where it applies to a real backend): deploys
// of the simulated driver (canary with one pause), requested by the guest (an owner) through
// HTTP, the page following each one on its Backstage signals channel (WebSocket) and reading the
// operation when told, as the Release tab does. The work is the backend process's CPU (all its
// threads) plus the PostgreSQL server's, during a burst, per deploy; and per deploy one at a time.
import { GATE_IDS } from '@helix-portal/plugin-rco-common';
import { sha256 } from '../../plugins/rco-backend/src/lib/canonicalJson';
import { Ctx, entityPath, settle } from './context';
import { fmt, ok, pct, personToken } from './http';
import { figure, note } from './report';
import { PEOPLE, serviceName } from './setup';

const RELEASE = {
  version: '9.0.0',
  digest: `sha256:${sha256('bench-deploy')}`,
};
const WARM_UP = 2;
const ALONE = Number(process.env.BENCH_DEPLOYS_ALONE ?? 10);
const BURST = Number(process.env.BENCH_DEPLOYS_BURST ?? 20);
export const DEPLOYS = WARM_UP + ALONE + BURST;

/** Waivers (Security), the release request (the owner) and the DPO sign-off, as the old bench. */
async function prepare(ctx: Ctx, name: string, tokens: Record<string, string>) {
  const base = `${ctx.backends[0].baseUrl}${entityPath(name)}`;
  const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
  for (const gate of GATE_IDS.filter(g => g !== 'dpo-signoff')) {
    await ok(
      `${base}/waivers`,
      {
        method: 'POST',
        token: tokens.security,
        body: JSON.stringify({
          gate,
          justification: 'Bench release: judged by hand',
          expiresAt,
        }),
      },
      201,
    );
  }
  await ok(
    `${base}/releases`,
    { method: 'POST', token: ctx.guest, body: JSON.stringify(RELEASE) },
    201,
  );
  await ok(
    `${base}/signoffs`,
    {
      method: 'POST',
      token: tokens.dpo,
      body: JSON.stringify({ role: 'dpo', release: RELEASE, comment: 'ok' }),
    },
    201,
  );
  const caps = await ok(`${base}/capabilities`, { token: ctx.guest });
  return caps.body.operations.channel as string;
}

/** One WebSocket to the signals backend, as the portal's frontend keeps. */
async function signals(baseUrl: string, token: string) {
  const ws = new WebSocket(
    `${baseUrl.replace(/^http/, 'ws')}/api/signals`,
    token,
  );
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error('signals WebSocket refused'));
  });
  const waiting: Array<{ until: (m: any) => boolean; resolve: () => void }> =
    [];
  ws.onmessage = event => {
    const { message } = JSON.parse(String(event.data));
    for (const w of [...waiting]) {
      if (w.until(message)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  return {
    subscribe: (channel: string) =>
      ws.send(JSON.stringify({ action: 'subscribe', channel })),
    next: (until: (m: any) => boolean) =>
      new Promise<void>(resolve => waiting.push({ until, resolve })),
    close: () => ws.close(),
  };
}

type Signals = Awaited<ReturnType<typeof signals>>;

async function deploy(ctx: Ctx, name: string, sig: Signals) {
  const base = ctx.backends[0].baseUrl;
  const created = await ok(
    `${base}${entityPath(name)}/operations`,
    {
      method: 'POST',
      token: ctx.guest,
      body: JSON.stringify({
        type: 'deploy',
        environment: 'staging',
        release: RELEASE,
      }),
      headers: { 'Idempotency-Key': `bench-${name}` },
    },
    202,
  );
  const id = created.body.id;
  const waitFor = async (until: (op: any) => boolean) => {
    const seen = sig.next(m => m.id === id && until(m));
    const now = (
      await ok(`${base}/api/rco/operations/${id}`, { token: ctx.guest })
    ).body;
    if (until(now)) return now;
    await seen;
    return (await ok(`${base}/api/rco/operations/${id}`, { token: ctx.guest }))
      .body;
  };
  await ok(`${base}/api/rco/operations/${id}/confirm`, {
    method: 'POST',
    token: ctx.guest,
    body: JSON.stringify({ confirmation: name }),
  });
  await waitFor(op => (op.phase ?? op.progress?.phase) === 'paused');
  await ok(`${base}/api/rco/operations/${id}/promote`, {
    method: 'POST',
    token: ctx.guest,
  });
  const done = await waitFor(
    op => !['running', 'awaiting-confirmation'].includes(op.state),
  );
  return done.state as string;
}

export async function deployFigure(ctx: Ctx, owned: number[]) {
  const backend = ctx.backends[0];
  const names = owned.slice(0, DEPLOYS).map(serviceName);
  const tokens = {
    security: await personToken(backend.baseUrl, PEOPLE.security),
    dpo: await personToken(backend.baseUrl, PEOPLE.dpo),
  };
  const sig = await signals(backend.baseUrl, ctx.guest);
  for (const name of names) sig.subscribe(await prepare(ctx, name, tokens));
  const cpu = () => backend.cpuMs() + (ctx.pgCpu?.() ?? 0);
  const split = () => ({ be: backend.cpuMs(), db: ctx.pgCpu?.() ?? 0 });
  for (const name of names.slice(0, WARM_UP)) await deploy(ctx, name, sig);
  // The writes before (uploads) leave work behind (verdicts, portfolio): let it finish.
  note(await settle(ctx));
  // What the backend and database use doing nothing (scheduler, reconciler, timers).
  const idle0 = cpu();
  await new Promise(r => setTimeout(r, 5000));
  const idlePerMs = (cpu() - idle0) / 5000;
  const alone: number[] = [];
  const aloneIdle: number[] = [];
  const states: string[] = [];
  for (const name of names.slice(WARM_UP, WARM_UP + ALONE)) {
    const c0 = cpu();
    const t0 = performance.now();
    states.push(await deploy(ctx, name, sig));
    alone.push(cpu() - c0);
    aloneIdle.push(idlePerMs * (performance.now() - t0));
  }
  const burst = names.slice(WARM_UP + ALONE);
  const b0 = split();
  const t0 = performance.now();
  states.push(...(await Promise.all(burst.map(n => deploy(ctx, n, sig)))));
  const wall = performance.now() - t0;
  const b1 = split();
  sig.close();
  const perDeploy = (b1.be - b0.be + b1.db - b0.db) / burst.length;
  figure(
    'control-plane CPU per deploy, PostgreSQL (backend + database)',
    `${fmt(perDeploy)} per deploy in a burst of ${burst.length} (backend ${fmt(
      (b1.be - b0.be) / burst.length,
    )} + PostgreSQL ${fmt((b1.db - b0.db) / burst.length)}; wall ${fmt(
      wall,
    )}; of which an idle backend would have used ${fmt(
      (idlePerMs * wall) / burst.length,
    )}); one at a time median ${fmt(pct(alone, 50))}, of which idle ${fmt(
      pct(aloneIdle, 50),
    )} (idle: ${fmt(idlePerMs * 1000)} CPU per second)`,
    'median <= 15 ms',
    perDeploy <= 15,
  );
  note(
    `states: ${states.filter(s => s === 'succeeded').length}/${
      states.length
    } succeeded${
      states.some(s => s !== 'succeeded')
        ? ` (${[...new Set(states)].join(', ')})`
        : ''
    }; simulated driver, canary with one pause, stepDelay PT0.2S`,
  );
}
