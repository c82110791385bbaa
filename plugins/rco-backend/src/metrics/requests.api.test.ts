import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  asUser,
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';
import { oneDecision } from './__testUtils__/decisions';

/**
 * What a metrics or replay request may ask (issue 17), on SQLite and PostgreSQL: a bad period
 * or an unknown field is a 400 with the reason, never a 500 or a silent baseline.
 */
const databases = createTestDatabases();
jest.setTimeout(90_000);

describe.each(databases.eachSupportedId())(
  'metrics and replay requests on %s',
  databaseId => {
    it('answers an impossible calendar date (2026-02-30) with a 400, not a 500', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex);
      try {
        for (const query of ['from=2026-02-30', 'to=2026-13-01']) {
          const r = await request(app)
            .get(`${RCO}/metrics?${query}`)
            .set('Authorization', asUser('alice'));
          expect({ query, status: r.status }).toEqual({ query, status: 400 });
        }
        const replayed = await request(app)
          .post('/api/rco/replay')
          .set('Authorization', asUser('alice'))
          .send({ change: { gate: 'image-scanning' }, from: '2026-02-30' });
        expect(replayed.status).toBe(400);
      } finally {
        await backend.stop();
      }
    });

    it('refuses a replay change with a field it does not know instead of answering "nothing changes"', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex);
      try {
        await oneDecision(app);
        // A typo (maxage, blockingSeverity) must not silently become the unchanged baseline:
        // the Gate policy page would report "no decision would change" for a change never made.
        for (const change of [
          { gate: 'image-scanning', maxage: 'PT1H' },
          { gate: 'image-scanning', blockingSeverity: ['LOW'] },
          { gate: 'image-scanning', waiver: { releaseversion: '1.5.0' } },
        ]) {
          const r = await request(app)
            .post(`${RCO}/replay`)
            .set('Authorization', asUser('alice'))
            .send({ change });
          expect({ change, status: r.status }).toEqual({ change, status: 400 });
        }
      } finally {
        await backend.stop();
      }
    });
  },
);
