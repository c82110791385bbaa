import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  asService,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';

/**
 * Issue 17 (review R2): a service principal with no rco.ci.subjects entry reads nothing
 * (Access.serviceScope), on the routes that hold no entity's data either.
 */
const databases = createTestDatabases();
jest.setTimeout(90_000);

describe.each(databases.eachSupportedId())(
  'unscoped service principals on %s',
  databaseId => {
    it('shows the gate policy only to callers who may read something: not to a service principal with no rco.ci.subjects entry', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex);
      try {
        // Access.serviceScope: "a service principal without an rco.ci.subjects entry reads
        // nothing"; /gates/policy hands it the thresholds, environments and failure window.
        const r = await request(app)
          .get('/api/rco/gates/policy')
          .set('Authorization', asService('plugin:unrelated'));
        expect(r.status).toBe(403);
      } finally {
        await backend.stop();
      }
    });

    it('does not list the environments to a service principal with no rco.ci.subjects entry', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex);
      try {
        const r = await request(app)
          .get('/api/rco/metrics?environment=nowhere')
          .set('Authorization', asService('plugin:unrelated'));
        expect(r.status).toBe(403);
        // The configured environments (staging, production) are not named to it.
        expect(r.text).not.toMatch(/staging|production/);
      } finally {
        await backend.stop();
      }
    });
  },
);
