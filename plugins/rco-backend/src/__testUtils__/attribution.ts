// Which operation the backend's time goes to, when many run at once in one process.
//
// A request that carries `x-bench-operation: <name>` tags its asynchronous context; everything
// started from it inherits the tag (the preflight it runs, the runner it starts, the timers and
// promises of both). Each stretch of JavaScript that Node runs is timed between async_hooks'
// `before` and `after` and charged to the tag of what runs. So an operation is charged for the
// time the backend works on it (including SQLite, which runs in-process), not for the time its
// requests wait in line behind the other 49 operations' work: that wait is reported apart.
import { createHook, executionAsyncId } from 'node:async_hooks';
import fs from 'node:fs';
import { Server } from 'node:http';

export const OPERATION_HEADER = 'x-bench-operation';

// Sockets outlive the request that opened them (pooled database connections): whoever opened
// one must not be charged for everything that later arrives on it.
const UNTAGGED_TYPES = new Set([
  'TCPWRAP',
  'TCPCONNECTWRAP',
  'PIPEWRAP',
  'PIPECONNECTWRAP',
]);

export function attributeBackendTime(server: Server) {
  const tags = new Map<number, string>();
  const charged = new Map<string, number>();
  const stack: Array<{ tag?: string; since: bigint }> = [];
  let untagged = 0;
  const charge = (tag: string | undefined, ns: bigint) => {
    const ms = Number(ns) / 1e6;
    if (tag) charged.set(tag, (charged.get(tag) ?? 0) + ms);
    else untagged += ms;
  };
  const hook = createHook({
    init(asyncId, type) {
      if (UNTAGGED_TYPES.has(type)) return;
      const tag = tags.get(executionAsyncId());
      if (tag) tags.set(asyncId, tag);
    },
    before(asyncId) {
      const now = process.hrtime.bigint();
      const outer = stack[stack.length - 1];
      if (outer) {
        charge(outer.tag, now - outer.since);
        outer.since = now;
      }
      stack.push({ tag: tags.get(asyncId), since: now });
    },
    after() {
      const now = process.hrtime.bigint();
      const frame = stack.pop();
      if (frame) charge(frame.tag, now - frame.since);
      const outer = stack[stack.length - 1];
      if (outer) outer.since = now;
    },
    destroy(asyncId) {
      tags.delete(asyncId);
    },
    promiseResolve() {},
  });
  server.prependListener('request', req => {
    // A keep-alive connection parses every request in one context: each request sets (or
    // clears) the tag, so a request without the header is nobody's.
    const header = req.headers[OPERATION_HEADER];
    const tag = typeof header === 'string' ? header : undefined;
    if (tag) tags.set(executionAsyncId(), tag);
    else tags.delete(executionAsyncId());
    const current = stack[stack.length - 1];
    if (current) current.tag = tag; // the rest of this stretch is the request's
  });
  return {
    start() {
      charged.clear();
      untagged = 0;
      hook.enable();
    },
    stop() {
      hook.disable();
      stack.length = 0;
      return { perOperation: new Map(charged), untaggedMs: untagged };
    },
  };
}

/**
 * CPU time used so far by the PostgreSQL processes that serve `database` (one per connection:
 * keep the pool fixed while measuring) and by its WAL writer (commits), in ms, from Linux
 * `/proc/<pid>/schedstat` (nanoseconds); undefined without `/proc`. Housekeeping that runs
 * whatever the load (checkpointer, autovacuum, statistics) is left out.
 */
export function postgresCpuMs(database: string): number | undefined {
  if (!fs.existsSync('/proc/self/schedstat')) return undefined;
  let totalNs = 0;
  for (const pid of fs.readdirSync('/proc').filter(d => /^\d+$/.test(d))) {
    try {
      const title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!title.startsWith('postgres:')) continue;
      if (!title.includes(` ${database} `) && !title.includes('walwriter'))
        continue;
      const [onCpuNs] = fs
        .readFileSync(`/proc/${pid}/schedstat`, 'utf8')
        .split(' ');
      totalNs += Number(onCpuNs);
    } catch {
      // the process ended meanwhile
    }
  }
  return totalNs / 1e6;
}
