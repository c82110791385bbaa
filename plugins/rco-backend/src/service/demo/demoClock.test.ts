import path from 'node:path';
import request from 'supertest';
import { createTestDatabases } from '../../__testUtils__/databases';
import { examplesDir } from '../../__testUtils__/fixtures';
import {
  asUser,
  RCO,
  startOperationsBackend,
} from '../../__testUtils__/operationsBackend';

/**
 * Issue 17 in the local portal (review R2): once its clock is moved on (POST
 * /demo/clock), a deploy's operation and its recorded decision must be on the same clock, or the
 * metrics join times from two clocks (a lead time from evidence stamped on the demo clock to a
 * deploy stamped on the system's; a break-glass more than the failure window "after" its deploy).
 */
const databases = createTestDatabases();
jest.setTimeout(180_000);

const DIGEST =
  'sha256:3f6c2a9d8e41b07c55e2a1f09d3c6b8e7a4f21d0c9b85e36a7f14d2c0b9e8a71';

describe.each(databases.eachSupportedId())(
  'the local portal’s clocks (%s)',
  databaseId => {
    it('records a deploy’s operation at the time its decision is recorded after the demo clock moved', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex, {
        logLevel: 'none',
        rco: {
          demoEvidence: true,
          demoHistory: false,
          demoEvidenceDir: path.join(examplesDir, 'rco/evidence'),
          demoEvidenceSchedule: {
            frequency: { hours: 24 },
            timeout: { minutes: 1 },
            initialDelay: { hours: 24 },
          },
          environments: [
            {
              name: 'staging',
              driver: 'simulated',
              imageRepository: 'registry.helix.example/rco',
            },
          ],
        },
      });
      try {
        await request(app)
          .post('/api/rco/demo/clock')
          .set('Authorization', asUser('alice'))
          .send({ advance: 'P2D' })
          .expect(200);
        const created = await request(app)
          .post(`${RCO}/operations`)
          .set('Authorization', asUser('alice'))
          .send({
            type: 'deploy',
            environment: 'staging',
            release: { version: '1.3.2', digest: DIGEST },
          });
        expect([201, 202, 409]).toContain(created.status);
        const [judgement] = await knex('rco_judgements').select(
          'operation_id',
          'judged_at',
        );
        const op = await knex('rco_operations')
          .where({ id: judgement.operation_id })
          .first();
        const judgedAt = new Date(judgement.judged_at).getTime();
        expect(op).toBeDefined();
        const createdAt = new Date(op!.created_at).getTime();
        // Before: the operation was on the system clock, two days before its own decision.
        expect(Math.abs(judgedAt - createdAt)).toBeLessThan(60_000);
      } finally {
        await backend.stop();
      }
    });
  },
);
