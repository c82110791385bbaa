// The portal backend under test: packages/backend/src/index.ts run from source, as a child
// process (the way `yarn start` runs it, without the file watcher), with app-config.yaml and the
// bench overlay. Children are killed when this process exits, fails or is interrupted.
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const repo = path.resolve(__dirname, '../..');
const running = new Set<ChildProcess>();

function killAll() {
  for (const child of running) {
    if (child.exitCode === null && child.pid) {
      try {
        child.kill('SIGKILL');
      } catch {
        // gone already
      }
    }
  }
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

export interface Backend {
  port: number;
  pid: number;
  baseUrl: string;
  /** This process's CPU (all its threads) so far, in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
  /** Milliseconds from spawn to the readiness probe answering 200. */
  startMs: number;
  log: string;
}

/** CPU time of every thread of `pid`, from /proc/<pid>/task/<tid>/schedstat (ns). */
export function processCpuMs(pid: number): number {
  let ns = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(
        fs
          .readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8')
          .split(' ')[0],
      );
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e6;
}

export async function startBackend(options: {
  port: number;
  configFiles: string[];
  logDir: string;
  /** Write a V8 CPU profile of the backend to this folder when it stops. */
  cpuProfileDir?: string;
  timeoutMs?: number;
}): Promise<Backend> {
  const log = path.join(options.logDir, `backend-${options.port}.log`);
  const out = fs.openSync(log, 'a');
  const args = [
    ...(options.cpuProfileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`]
      : []),
    '-r',
    require.resolve('@backstage/cli/config/nodeTransform.cjs'),
    path.join(repo, 'packages/backend/src/index.ts'),
    ...options.configFiles.flatMap(f => ['--config', f]),
  ];
  const started = Date.now();
  const child = spawn(process.execPath, args, {
    cwd: path.join(repo, 'packages/backend'),
    env: {
      ...process.env,
      NODE_ENV: 'development',
      // The rest of the portal logs at info as production does; warnings are enough here.
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', out, out],
  });
  running.add(child);
  const exited = new Promise<void>(resolve =>
    child.once('exit', () => resolve()),
  );
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const deadline = started + (options.timeoutMs ?? 300_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `backend on ${options.port} exited with ${
          child.exitCode
        }; see ${log}:\n${tail(log)}`,
      );
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`backend on ${options.port} not ready; see ${log}`);
    }
    try {
      const res = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 250));
  }
  return {
    port: options.port,
    pid: child.pid!,
    baseUrl,
    startMs: Date.now() - started,
    log,
    cpuMs: () => processCpuMs(child.pid!),
    async stop() {
      if (child.exitCode === null) {
        // SIGINT lets Node write its CPU profile; the backend shuts down on it.
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
    },
  };
}

function tail(file: string) {
  return fs.readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
}
