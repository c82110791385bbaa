import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  asUser,
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';
import { oneDecision } from './__testUtils__/decisions';

/** POST …/replay's request body (issue 17) on SQLite and PostgreSQL: what it refuses. */
const databases = createTestDatabases();
jest.setTimeout(90_000);

describe.each(databases.eachSupportedId())(
  'replay requests on %s',
  databaseId => {
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
