import path from 'node:path';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  asUser,
  RCO,
  RELEASE,
  startOperationsBackend,
  waitFor,
  waiveAllGates,
} from '../__testUtils__/operationsBackend';
import { FakeHelm } from '../drivers/helm/__testUtils__/fakeHelm';

const databases = createTestDatabases();
jest.setTimeout(60_000);

/**
 * The whole path through the plugin with the real helm driver: the portal's configuration names
 * `driver: helm`, and the scripted `helm` (the Helm 3 goldens of ../shared/samples) is first on
 * the backend's PATH.
 */
describe.each(databases.eachSupportedId())(
  'deploys with the helm driver on %s',
  databaseId => {
    let fake: FakeHelm;
    const savedPath = process.env.PATH;
    beforeEach(() => {
      fake = FakeHelm.create([{ namespace: 'rco', name: 'rco' }]);
      process.env.PATH = `${fake.binDir}${path.delimiter}${savedPath}`;
    });
    afterEach(() => {
      process.env.PATH = savedPath;
    });

    const start = async () => {
      const knex = await databases.init(databaseId);
      return startOperationsBackend(knex, {
        rco: {
          environments: [
            {
              name: 'production',
              driver: 'helm',
              namespace: 'rco',
              helm: {
                chart: 'oci://registry.example/charts/rco',
                chartVersion: '1.5.0',
              },
              imageRepository: 'registry.example/rco',
              // The release exists: only configuration binds it (ADR 0007).
              bindings: [{ entity: 'component:default/rco' }],
            },
          ],
        },
      });
    };

    const deploy = async (app: any) => {
      const created = await request(app)
        .post(`${RCO}/operations`)
        .set('Authorization', asUser('alice'))
        .send({ type: 'deploy', environment: 'production', release: RELEASE });
      expect(created.status).toBe(202);
      expect(created.body.baselineRevision).toBe('4'); // the golden history's deployed revision
      expect(created.body.steps.map((s: any) => s.title)).toContain(
        'helm upgrade --install --atomic --wait',
      );
      await request(app)
        .post(`/api/rco/operations/${created.body.id}/confirm`)
        .set('Authorization', asUser('alice'))
        .send({ confirmation: 'rco' })
        .expect(200);
      return waitFor(
        app,
        created.body.id,
        o => !['running', 'awaiting-confirmation'].includes(o.state),
      );
    };

    it('upgrades with --atomic --wait and reports the new revision', async () => {
      const { app, backend } = await start();
      await waiveAllGates(app);
      fake.setScenario({ upgrade: 'success' });
      const done = await deploy(app);
      expect(done).toMatchObject({ state: 'succeeded', resultRevision: '5' });
      const upgrade = fake.calls().find(c => c.argv[0] === 'upgrade')!;
      expect(upgrade.argv).toEqual(
        expect.arrayContaining([
          '--install',
          '--atomic',
          '--wait',
          'rco',
          'oci://registry.example/charts/rco',
        ]),
      );
      expect(upgrade.values?.content).toContain(RELEASE.digest);
      const envs = await request(app)
        .get(`${RCO}/environments`)
        .set('Authorization', asUser('alice'));
      expect(envs.body.items[0]).toMatchObject({
        driverLabel: 'Helm',
        simulated: false,
        currentRevision: { revision: '5' },
      });
      await backend.stop();
    });

    it('reports a failed readiness that helm rolled back (--atomic) as rolled-back, with the cause', async () => {
      const { app, backend, sent } = await start();
      await waiveAllGates(app);
      fake.setScenario({ upgrade: 'atomic-fail' });
      const done = await deploy(app);
      expect(done.state).toBe('rolled-back');
      expect(done.reasons.join(' ')).toMatch(
        /--atomic rolled the release back/,
      );
      expect(done.reasons.join(' ')).toMatch(
        /timed out waiting for the condition/,
      );
      expect(sent.notifications.at(-1)?.payload.title).toMatch(
        /was rolled back/,
      );
      await backend.stop();
    });
  },
);
