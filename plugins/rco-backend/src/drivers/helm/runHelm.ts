import { spawn } from 'node:child_process';

/** After SIGTERM, how long helm gets to record the release state before SIGKILL. */
export const KILL_ESCALATION_MS = 5_000;
/** More stdout than this is not helm's JSON: stop collecting rather than exhaust memory. */
const MAX_STDOUT_BYTES = 8 * 1024 * 1024;
/** Helm's error is at the end of stderr; the start is warnings and progress. */
const MAX_STDERR_CHARS = 64 * 1024;

/**
 * Thrown when the helm executable cannot be found (ENOENT): nothing was run.
 *
 * @public
 */
export class HelmNotInstalledError extends Error {
  constructor(command: string) {
    super(
      `helm is not installed: '${command}' was not found on PATH. Install the helm CLI on the ` +
        `backend host (or set the driver's helmCommand to its path).`,
    );
    this.name = 'HelmNotInstalledError';
  }
}

/** One helm invocation. */
export interface HelmRun {
  command: string;
  /** Passed as an argument array: no shell ever parses them. */
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Milliseconds after which the process is stopped (SIGTERM, then SIGKILL). */
  deadlineMs: number;
  signal: AbortSignal;
}

/** How one helm invocation ended. */
export interface HelmRunResult {
  /** The exit code, or null when the process ended by a signal or never started. */
  code: number | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  /** Stopped because it ran past `deadlineMs`. */
  timedOut: boolean;
  /** Stopped (or never started) because `signal` was aborted. */
  aborted: boolean;
}

/**
 * Runs helm without a shell and collects its output. Never rejects for a non-zero exit: callers
 * classify the outcome. Rejects with {@link HelmNotInstalledError} when the executable is
 * missing, and with an Error for other spawn failures (permissions).
 */
export function runHelm(run: HelmRun): Promise<HelmRunResult> {
  if (run.signal.aborted) {
    return Promise.resolve({
      code: null,
      stdout: '',
      stderr: '',
      stdoutTruncated: false,
      timedOut: false,
      aborted: true,
    });
  }
  return new Promise((resolve, reject) => {
    const child = spawn(run.command, run.args, {
      env: run.env,
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stdoutTruncated = false;
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    let settled = false;
    let escalation: NodeJS.Timeout | undefined;

    const stop = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      // A wedged helm must not hold the operation forever.
      escalation ??= setTimeout(
        () => child.kill('SIGKILL'),
        KILL_ESCALATION_MS,
      );
    };
    const deadline = setTimeout(() => {
      timedOut = true;
      stop();
    }, run.deadlineMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    run.signal.addEventListener('abort', onAbort, { once: true });

    const finish = () => {
      clearTimeout(deadline);
      if (escalation) clearTimeout(escalation);
      run.signal.removeEventListener('abort', onAbort);
    };

    child.stdout.on('data', (chunk: Buffer) => {
      if (stdoutBytes + chunk.length > MAX_STDOUT_BYTES) {
        stdoutTruncated = true;
        return;
      }
      stdoutBytes += chunk.length;
      stdout.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-MAX_STDERR_CHARS);
    });

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      finish();
      if (error.code === 'ENOENT') {
        reject(new HelmNotInstalledError(run.command));
      } else {
        reject(
          new Error(
            `helm could not be started ('${run.command}'): ${
              error.code ?? error.message
            }`,
          ),
        );
      }
    });
    child.on('close', code => {
      if (settled) return;
      settled = true;
      finish();
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr,
        stdoutTruncated,
        timedOut,
        aborted,
      });
    });
  });
}
