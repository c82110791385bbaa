import knexFactory from 'knex';
import path from 'node:path';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { examplesDir, governedEntity } from '../../__testUtils__/fixtures';
import {
  asUser,
  RCO,
  RELEASE,
  startOperationsBackend,
  waitFor,
  waiveAllGates,
} from '../../__testUtils__/operationsBackend';
import { Phase, serviceBase, Target } from './burst';
import { FaultyPostgres } from './faultyPostgres';

/** The knex logger, quiet: a database going away is what it would otherwise shout about. */
export const quiet = { warn() {}, error() {}, debug() {}, deprecate() {} };

/** One backend instance with a connection pool of its own, as a separate process would have. */
export async function startInstance(
  server: FaultyPostgres,
  name: string,
  db: string,
  services: string[],
) {
  const knex = knexFactory({
    client: 'pg',
    connection: server.connection(db),
    pool: { min: 0, max: 10 },
    acquireConnectionTimeout: 10_000,
    log: quiet,
  });
  const { app, backend } = await startOperationsBackend(knex, {
    extraEntities: services.map(s =>
      governedEntity(
        s,
        `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`,
        {
          'rco.helix.dev/runbook': './runbook/rco-runbook.yaml',
        },
      ),
    ),
    logLevel: 'none',
  });
  const target: Target = {
    name,
    url: `http://127.0.0.1:${(app.address() as AddressInfo).port}`,
  };
  return { knex, app, backend, target };
}

const services = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

/** The services every scenario deploys: one canary started before the burst, three in it. */
export function plan() {
  const deploys: Record<Phase, string[]> = {
    before: services('early', 1),
    fault: services('during', 1),
    after: services('late', 1),
  };
  return {
    deploys,
    all: ['running-1', ...Object.values(deploys).flat()],
  };
}

/**
 * What every scenario starts from: the gates of every service lifted (so deploys pass
 * preflight), the release of `rco` requested, and the canary of `running-1` started before the
 * fault and paused for promotion.
 */
export async function prepare(app: any, all: string[]) {
  await Promise.all(all.map(s => waiveAllGates(app, serviceBase(s))));
  await request(app)
    .post(`${RCO}/releases`)
    .set('Authorization', asUser('alice'))
    .send(RELEASE)
    .expect(201);
  const running: string[] = [];
  for (const s of all.filter(x => x.startsWith('running-'))) {
    const op = await request(app)
      .post(`${serviceBase(s)}/operations`)
      .set('Authorization', asUser('alice'))
      .send({ type: 'deploy', environment: 'staging', release: RELEASE })
      .expect(202);
    await request(app)
      .post(`/api/rco/operations/${op.body.id}/confirm`)
      .set('Authorization', asUser('alice'))
      .send({ confirmation: s })
      .expect(200);
    await waitFor(app, op.body.id, o => o.progress?.phase === 'paused');
    running.push(op.body.id);
  }
  return running;
}

/** Counts of each state, for the log line. */
export const tally = (rows: Array<{ state: string }>) =>
  JSON.stringify(
    rows.reduce<Record<string, number>>(
      (n, o) => ({ ...n, [o.state]: (n[o.state] ?? 0) + 1 }),
      {},
    ),
  );

/** Elapsed time per step, printed with the figures (a slow machine shows where it went). */
export function stopwatch() {
  const t0 = Date.now();
  const marks: string[] = [];
  return {
    mark: (what: string) => marks.push(`${what} ${Date.now() - t0} ms`),
    toString: () => marks.join(', '),
  };
}
