import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  examplesDir,
  governedEntity,
  readExample,
} from '../__testUtils__/fixtures';
import {
  asUser,
  RCO,
  startOperationsBackend,
  waitFor,
} from '../__testUtils__/operationsBackend';
import { resetSimulatedCluster } from '../drivers/simulated/SimulatedDriver';

/**
 * The portfolio keeps each entity's verdict for a minute; every write that can change a verdict
 * must drop it at once (issue 10: "each service invalidates what its writes change, including
 * the runbook refresh and dry-run evidence").
 */
const databases = createTestDatabases();
jest.setTimeout(60_000);
beforeEach(() => resetSimulatedCluster());

const row = async (app: any, entityRef: string) => {
  const res = await request(app)
    .get('/api/rco/portfolio')
    .set('Authorization', asUser('alice'));
  expect(res.status).toBe(200);
  return res.body.items.find((i: any) => i.entityRef === entityRef);
};
const gateOf = (r: any, id: string) =>
  r.gates.find((g: any) => g.id === id)?.status;

describe.each(databases.eachSupportedId())(
  'the portfolio after a write on %s',
  databaseId => {
    it('shows the dry-run the console recorded at once, not a minute later', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex, {
        logLevel: 'none',
      });
      const ref = 'component:default/rco';
      expect(gateOf(await row(app, ref), 'migration-controls')).toBe('missing');
      const res = await request(app)
        .post(`${RCO}/operations`)
        .set('Authorization', asUser('alice'))
        .send({ type: 'rollback-dry-run', environment: 'production' });
      expect(res.status).toBe(202);
      await waitFor(app, res.body.id, o => o.state === 'succeeded');
      expect(gateOf(await row(app, ref), 'migration-controls')).toBe('pass');
      await backend.stop();
    });

    it('shows the runbook a refresh stored at once, not a minute later', async () => {
      const knex = await databases.init(databaseId);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-runbook-'));
      const runbook = path.join(dir, 'runbook.yaml');
      // The older version first; the refresh then finds the newer one.
      fs.writeFileSync(
        runbook,
        readExample('rco/runbook/rco-runbook-v1.2.yaml'),
      );
      fs.copyFileSync(
        path.join(examplesDir, 'rco/catalog-info.yaml'),
        path.join(dir, 'catalog-info.yaml'),
      );
      try {
        const { app, backend } = await startOperationsBackend(knex, {
          logLevel: 'none',
          extraEntities: [
            governedEntity(
              'docs',
              `file:${path.join(dir, 'catalog-info.yaml')}`,
              {
                'rco.helix.dev/runbook': './runbook.yaml',
              },
            ),
          ],
        });
        const ref = 'component:default/docs';
        await request(app)
          .post('/api/rco/entities/component/default/docs/runbook/refresh')
          .set('Authorization', asUser('alice'))
          .expect(200);
        expect((await row(app, ref)).runbookVersion).toBe('1.2.0');
        fs.writeFileSync(runbook, readExample('rco/runbook/rco-runbook.yaml'));
        const refreshed = await request(app)
          .post('/api/rco/entities/component/default/docs/runbook/refresh')
          .set('Authorization', asUser('alice'));
        expect(refreshed.body).toMatchObject({
          status: 'ok',
          current: '1.3.0',
        });
        expect((await row(app, ref)).runbookVersion).toBe('1.3.0');
        await backend.stop();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
