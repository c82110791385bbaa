// The requesters of bench/operations.bench.ts, in a process of their own: like browsers, they do
// not run on the backend's event loop, so the backend process's CPU is the backend's alone.
// Each request names its operation's service (OPERATION_HEADER), so the backend's time can be
// attributed to it, the page's reads of the operation included. Signals reach this process from
// the benchmark (the page waits on them, as the Release tab does, instead of polling).
import { OPERATION_HEADER } from '../src/__testUtils__/attribution';

interface Setup {
  baseUrl: string;
  authorization: string;
  release: { version: string; digest: string };
}

export interface DeployResult {
  service: string;
  id: string;
  state: string;
  /** create, confirm, promote latency in ms */
  parts: number[];
  requestMs: number;
}

let setup: Setup;
const waiting = new Map<
  string,
  Array<{ until: (m: any) => boolean; resolve: () => void }>
>();

function onSignal(message: any) {
  const list = waiting.get(message.id) ?? [];
  for (const w of [...list]) {
    if (w.until(message)) {
      list.splice(list.indexOf(w), 1);
      w.resolve();
    }
  }
}

async function call(
  service: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const started = performance.now();
  const res = await fetch(`${setup.baseUrl}${path}`, {
    method,
    headers: {
      Authorization: setup.authorization,
      ...(service ? { [OPERATION_HEADER]: service } : {}),
      ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    body: text ? JSON.parse(text) : undefined,
    ms: performance.now() - started,
  };
}

/** Reads the operation once the signal says `until` holds (or at once if it already does). */
async function waitFor(
  service: string,
  id: string,
  until: (op: any) => boolean,
) {
  const seen = new Promise<void>(resolve => {
    waiting.set(id, [...(waiting.get(id) ?? []), { until, resolve }]);
  });
  const now = (await call(service, 'GET', `/api/rco/operations/${id}`)).body;
  if (until(now)) return now;
  await seen;
  return (await call(service, 'GET', `/api/rco/operations/${id}`)).body;
}

async function deploy(service: string): Promise<DeployResult> {
  const parts: number[] = [];
  const created = await call(
    service,
    'POST',
    `/api/rco/entities/component/default/${service}/operations`,
    { type: 'deploy', environment: 'staging', release: setup.release },
    { 'Idempotency-Key': `bench-${service}` },
  );
  if (created.status !== 202) {
    throw new Error(`${service}: ${created.status} ${created.text}`);
  }
  parts.push(created.ms);
  const id = created.body.id;
  const confirmed = await call(
    service,
    'POST',
    `/api/rco/operations/${id}/confirm`,
    { confirmation: service },
  );
  parts.push(confirmed.ms);
  await waitFor(
    service,
    id,
    op => (op.phase ?? op.progress?.phase) === 'paused',
  );
  parts.push(
    (await call(service, 'POST', `/api/rco/operations/${id}/promote`)).ms,
  );
  const done = await waitFor(
    service,
    id,
    op => !['running', 'awaiting-confirmation'].includes(op.state),
  );
  return {
    service,
    id,
    state: done.state,
    parts,
    requestMs: parts.reduce((a, b) => a + b, 0),
  };
}

/** `count` reads of one operation at once: what a burst costs on one event loop. */
async function reads(id: string, count: number) {
  return Promise.all(
    Array.from(
      { length: count },
      async () => (await call('', 'GET', `/api/rco/operations/${id}`)).ms,
    ),
  );
}

process.on('message', async (m: any) => {
  if (m.signal) {
    onSignal(m.signal);
    return;
  }
  try {
    let result: unknown;
    if (m.cmd === 'setup') {
      setup = m.setup;
    } else if (m.cmd === 'burst') {
      result = await Promise.all((m.services as string[]).map(deploy));
    } else if (m.cmd === 'one-at-a-time') {
      const results: DeployResult[] = [];
      for (const service of m.services as string[]) {
        results.push(await deploy(service));
      }
      result = results;
    } else if (m.cmd === 'reads') {
      result = await reads(m.operationId, m.count);
    }
    process.send!({ id: m.id, result });
  } catch (error) {
    process.send!({ id: m.id, error: String(error) });
  }
});
