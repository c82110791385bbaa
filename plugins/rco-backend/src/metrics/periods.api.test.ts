import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  asUser,
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';

/** The period a metrics or replay request names (issue 17) on SQLite and PostgreSQL. */
const databases = createTestDatabases();
jest.setTimeout(90_000);

describe.each(databases.eachSupportedId())(
  'metrics periods on %s',
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
  },
);
