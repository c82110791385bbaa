import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';

/** The repository root and the rco CLI package in it. */
export const repoRoot = path.resolve(__dirname, '../../../../..');
const cliDir = path.join(repoRoot, 'packages/rco-cli');
const bin = path.join(cliDir, 'bin/rco');

/**
 * Builds the CLI bundle (dist is not committed), so the tests run what `npm install -g` would
 * run. A few seconds; once per test file.
 */
export function buildCli() {
  execFileSync(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules/@backstage/cli/bin/backstage-cli'),
      'package',
      'build',
    ],
    { cwd: cliDir, stdio: 'pipe' },
  );
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running `rco …`: its output so far, and its end. */
export interface CliProcess {
  output: () => string;
  done: Promise<CliRun>;
}

/** Starts `node packages/rco-cli/bin/rco <args>` with the built bundle (RCO_CLI_DEV_MODE). */
export function startRco(
  args: string[],
  env: Record<string, string | undefined> = {},
): CliProcess {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      RCO_CLI_DEV_MODE: 'true',
      RCO_RETRY_DELAY_MS: '50',
      ...env,
    } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', d => {
    stdout += d;
  });
  child.stderr.on('data', d => {
    stderr += d;
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', code => resolve({ code, stdout, stderr }));
  });
  return { output: () => stdout + stderr, done };
}

export const rco = (
  args: string[],
  env: Record<string, string | undefined> = {},
) => startRco(args, env).done;

/**
 * A proxy in front of the backend that answers the first `failures` requests with 503 (as a
 * restarting backend or its load balancer would), then forwards everything.
 */
export async function flakyProxy(target: string, failures: number) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (seen.length <= failures) {
      req.resume();
      req.on('end', () => {
        res.writeHead(503, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { name: 'ServiceUnavailable', message: 'restarting' },
          }),
        );
      });
      return;
    }
    const upstream = http.request(
      `${target}${req.url}`,
      { method: req.method, headers: req.headers },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}

/** A port nothing listens on: bound, read, released. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>(r => server.close(() => r()));
  return port;
}
