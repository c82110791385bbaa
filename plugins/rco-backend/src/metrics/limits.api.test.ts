import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  asService,
  asUser,
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';
import { oneDecision } from './__testUtils__/decisions';
import { MetricsReader } from './MetricsReader';
import { ReplayReader } from './ReplayReader';

/**
 * What one caller can make an instance compute at once (issue 17, review R2) on SQLite and
 * PostgreSQL: a replay, two cold metrics computations; beyond, 429.
 */
const databases = createTestDatabases();
jest.setTimeout(90_000);

describe.each(databases.eachSupportedId())(
  'per-caller limits on %s',
  databaseId => {
    it('does not let one caller (a CI token) take every replay slot of the instance', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex);
      const records = ReplayReader.prototype.records;
      let release: () => void = () => {};
      const held = new Promise<void>(r => {
        release = r;
      });
      let stalled = 0;
      let stalling = true;
      // The CI token's replays take long (a year of the catalog's history does); alice's does not.
      const spy = jest
        .spyOn(ReplayReader.prototype, 'records')
        .mockImplementation(async function (this: any, ...args: any[]) {
          if (stalling) {
            stalled += 1;
            await held;
          }
          return (records as any).apply(this, args);
        });
      try {
        await oneDecision(app);
        let answered = 0;
        const ci = [1, 2].map(() =>
          request(app)
            .post(`${RCO}/replay`)
            .set('Authorization', asService('external:ci-rco'))
            .send({ change: { gate: 'image-scanning', maxAge: 'PT1H' } })
            .then(r => {
              answered += 1;
              return r;
            }),
        );
        // Both CI replays are held in the reader, or one was refused at once.
        while (stalled + answered < 2)
          await new Promise(r => setTimeout(r, 10));
        stalling = false;
        const alice = await request(app)
          .post(`${RCO}/replay`)
          .set('Authorization', asUser('alice'))
          .send({ change: { gate: 'image-scanning', maxAge: 'PT1H' } });
        release();
        const statuses = (await Promise.all(ci)).map(r => r.status).sort();
        // Before: 429 "Other replays are running on this instance" for everyone else.
        expect(alice.status).toBe(200);
        // The CI token's second replay is refused while its first runs.
        expect(statuses).toEqual([200, 429]);
      } finally {
        release();
        spy.mockRestore();
        await backend.stop();
      }
    });

    it('bounds the cold metrics computations one caller can start at once (a new tz or minute is a new computation)', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex);
      const read = MetricsReader.prototype.read;
      let release: () => void = () => {};
      const held = new Promise<void>(r => {
        release = r;
      });
      let running = 0;
      let most = 0;
      const spy = jest
        .spyOn(MetricsReader.prototype, 'read')
        .mockImplementation(async function (this: any, ...args: any[]) {
          running += 1;
          most = Math.max(most, running);
          await held;
          running -= 1;
          return (read as any).apply(this, args);
        });
      try {
        // Each zone spelling is its own cache key: every request reads and computes a year of
        // the caller's catalog (seconds of database and CPU at 1,000 services, ADR 0014).
        const zones = [
          'UTC',
          'Etc/UTC',
          'Etc/GMT',
          'Europe/London',
          'Europe/Berlin',
          'America/New_York',
          'Asia/Tokyo',
          'Australia/Sydney',
        ];
        const asked = zones.map(tz =>
          request(app)
            .get(
              `/api/rco/metrics?from=2025-12-01&to=2026-11-30&tz=${encodeURIComponent(
                tz,
              )}`,
            )
            .set('Authorization', asService('external:ci-rco'))
            .then(r => r.status),
        );
        // Let every request reach the reader (or be refused) before releasing them.
        await new Promise(r => setTimeout(r, 1500));
        release();
        const statuses = await Promise.all(asked);
        // Refused (429) or queued, either way at most two read at once (today: all eight).
        for (const status of statuses) expect([200, 429]).toContain(status);
        expect(most).toBeLessThanOrEqual(2);
      } finally {
        release();
        spy.mockRestore();
        await backend.stop();
      }
    });

    it('computes one answer for every spelling of a zone (UTC, Etc/UTC, Etc/GMT)', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex);
      const spy = jest.spyOn(MetricsReader.prototype, 'read');
      try {
        const zones: string[] = [];
        for (const tz of ['UTC', 'Etc/UTC', 'Etc/GMT']) {
          const r = await request(app)
            .get(
              `/api/rco/metrics?from=2026-01-01&to=2026-02-01&tz=${encodeURIComponent(
                tz,
              )}`,
            )
            .set('Authorization', asUser('alice'));
          expect(r.status).toBe(200);
          zones.push(r.body.scope.timeZone);
        }
        expect(spy).toHaveBeenCalledTimes(1);
        // Each answer names the zone as its caller spelt it.
        expect(zones).toEqual(['UTC', 'Etc/UTC', 'Etc/GMT']);
      } finally {
        spy.mockRestore();
        await backend.stop();
      }
    });
  },
);
