import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { collectorModule, FakeCollector } from '../__testUtils__/fakeCollector';
import {
  asUser,
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';
import { reconcileLedger } from '../database/LedgerReconciler';

const databases = createTestDatabases();
jest.setTimeout(90_000);

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * Two replicas of the portal on one PostgreSQL database (createTestDatabases: CI refuses to run
 * without it), with one collector counting every run either replica makes.
 */
const postgres = databases
  .eachSupportedId()
  .filter(id => String(id).startsWith('POSTGRES'));

(postgres.length ? describe : describe.skip)(
  'two backend instances on PostgreSQL',
  () => {
    it.each(postgres)(
      'one collection per schedule, no duplicate rows (%s)',
      async id => {
        const knex = await databases.init(id);
        const fake = new FakeCollector();
        const starts: number[] = [];
        const respond = fake.respond;
        fake.respond = async req => {
          starts.push(Date.now());
          // A run that takes a while: the other replica must not start its own meanwhile.
          await sleep(300);
          return respond(req);
        };
        const options = {
          rco: {
            collection: {
              schedule: {
                frequency: { seconds: 3 },
                timeout: { minutes: 1 },
                initialDelay: { seconds: 1 },
              },
            },
          },
          // The real scheduler (the test backend's default is a mock that runs nothing): its
          // global tasks are claimed through the shared database, one replica per tick.
          features: [collectorModule(fake), schedulerServiceFactory],
          logLevel: 'error' as const,
        };
        const a = await startOperationsBackend(knex, options);
        const b = await startOperationsBackend(knex, options);
        try {
          // At least 10 s (room for a duplicate run to show) and until two runs started; on
          // a loaded CI machine the scheduler's ticks come late, so a ceiling, not a window.
          const begin = Date.now();
          while (
            (Date.now() - begin < 10_000 || starts.length < 2) &&
            Date.now() - begin < 60_000
          )
            await sleep(200);
          const elapsed = Date.now() - begin;
          // Stopped before reading: the ledger and the rows are compared at rest.
          await a.backend.stop();
          await b.backend.stop();
          // About one run per 3-second tick across both replicas, never two at once.
          expect(starts.length).toBeGreaterThanOrEqual(2);
          expect(starts.length).toBeLessThanOrEqual(
            Math.ceil(elapsed / 2_000) + 1,
          );
          for (let i = 1; i < starts.length; i++)
            expect(starts[i] - starts[i - 1]).toBeGreaterThan(2_000);
          // The harness's entity in its two environments: two rows, whatever the runs.
          const rows = await knex('rco_evidence').select(
            'entity_ref',
            'environment',
            'origin_uid',
            'origin_resource_version',
          );
          expect(rows).toHaveLength(2);
          const observed = await knex('rco_ledger').where({
            entry_type: 'evidence-observed',
          });
          // At most one evidence-observed entry per run after the first (none while the
          // observations stay within the writer's granularity: review M3).
          expect(observed.length).toBeLessThanOrEqual(starts.length - 1);
          expect(await reconcileLedger(knex)).toMatchObject({ problems: [] });
        } finally {
          await a.backend.stop().catch(() => {});
          await b.backend.stop().catch(() => {});
        }
      },
    );

    it.each(postgres)(
      'owner refreshes on both replicas while the scheduled run collects: each object stored once (dedupe key), ledger consistent (%s)',
      async id => {
        const knex = await databases.init(id);
        const fake = new FakeCollector();
        let active = 0;
        let overlapped = 0;
        const respond = fake.respond;
        fake.respond = async req => {
          active++;
          if (active > 1) overlapped++;
          // Long enough for runs to overlap and write at about the same time.
          await sleep(250);
          try {
            return await respond(req);
          } finally {
            active--;
          }
        };
        const options = {
          rco: {
            collection: {
              schedule: {
                frequency: { seconds: 1 },
                timeout: { minutes: 1 },
                initialDelay: { seconds: 0 },
              },
            },
          },
          features: [collectorModule(fake), schedulerServiceFactory],
          logLevel: 'error' as const,
        };
        const a = await startOperationsBackend(knex, options);
        const b = await startOperationsBackend(knex, options);
        try {
          const statuses: number[] = [];
          const end = Date.now() + 6_000;
          while (Date.now() < end) {
            // One refresh on each replica at once, beside whatever the scheduler runs.
            const rs = await Promise.all(
              [a.app, b.app].map(app =>
                request(app)
                  .post(`${RCO}/collection/refresh`)
                  .set('Authorization', asUser('alice')),
              ),
            );
            statuses.push(...rs.map(r => r.status));
            await sleep(100);
          }
          await a.backend.stop();
          await b.backend.stop();
          // Runs did overlap (refresh with refresh, refresh with the scheduled run).
          expect(overlapped).toBeGreaterThan(0);
          // Each refresh either ran or was refused as already running on its replica (409) or
          // within the cooldown (429): no 500.
          expect(
            statuses.filter(s => s !== 200 && s !== 409 && s !== 429),
          ).toEqual([]);
          expect(statuses.filter(s => s === 200).length).toBeGreaterThan(2);
          // The harness's entity in its two environments, one version each: two rows.
          const rows = await knex('rco_evidence').select(
            'dedupe_key',
            'origin_uid',
            'origin_resource_version',
          );
          expect(rows).toHaveLength(2);
          expect(new Set(rows.map(r => r.dedupe_key)).size).toBe(2);
          const health = await knex('rco_collection_health').select();
          expect(health.every(h => h.last_error === null)).toBe(true);
          expect(await reconcileLedger(knex)).toMatchObject({ problems: [] });
        } finally {
          await a.backend.stop().catch(() => {});
          await b.backend.stop().catch(() => {});
        }
      },
    );
  },
);
