import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  asUser,
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';
import { resetSimulatedCluster } from '../drivers/simulated/SimulatedDriver';

/**
 * A rollback (or its dry-run) returns to a revision: it names no release. A release sent with
 * one was stored as the operation's release, and the release timeline, dossier and reviews
 * (issue 15) choose operations by the release they name: any release label could be put on a
 * rollback and show up in that release's story as if it had been rolled back.
 */
const databases = createTestDatabases();
jest.setTimeout(60_000);
beforeEach(() => resetSimulatedCluster());

const OTHER = { version: '1.6.0', digest: `sha256:${'9'.repeat(64)}` };

describe.each(databases.eachSupportedId())(
  'a rollback that names a release, on %s',
  databaseId => {
    it.each(['rollback-dry-run', 'rollback'])(
      'a %s naming a release is refused, and nothing joins that release’s timeline',
      async type => {
        const knex = await databases.init(databaseId);
        const { app, backend } = await startOperationsBackend(knex);
        const res = await request(app)
          .post(`${RCO}/operations`)
          .set('Authorization', asUser('alice'))
          .send({ type, environment: 'staging', release: OTHER });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(
          /returns to a revision: it names no release/,
        );
        const timeline = await request(app)
          .get(
            `${RCO}/releases/timeline?version=${OTHER.version}&digest=${OTHER.digest}`,
          )
          .set('Authorization', asUser('bob'))
          .expect(200);
        expect(timeline.body.events).toEqual([]);
        await backend.stop();
      },
    );
  },
);
