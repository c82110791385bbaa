import request from 'supertest';
import { createTestDatabases } from '../../../__testUtils__/databases';
import {
  asService,
  asUser,
  DIGEST,
  people,
  RCO,
  RELEASE,
  startOperationsBackend,
  waiveAllGates,
} from '../../../__testUtils__/operationsBackend';
import { resetSimulatedCluster } from '../../../drivers/simulated/SimulatedDriver';

/**
 * Four eyes on deployment windows at the deploy gate: whoever deploys cannot be the one who
 * accepted the window, as their own sign-offs do not count (gates/fourEyes.ts). Otherwise an
 * owner who is also in the PO and Security groups accepts a window their pipeline proposed and
 * deploys in it alone: nobody but them agreed to the time.
 */

const databases = createTestDatabases();
jest.setTimeout(90_000);
beforeEach(() => resetSimulatedCluster());

// An owner of rco who is also a product owner and in Security.
people['user:default/ivy'] = [
  'group:default/rco-team',
  'group:default/product-owners',
  'group:default/security',
];

const ENVIRONMENTS = [
  { name: 'staging', driver: 'simulated' },
  {
    name: 'production',
    driver: 'simulated',
    requiredSignoffs: ['po', 'dpo', 'security'],
    window: { required: true, acceptedBy: ['po', 'security'] },
  },
];
const HOUR = 3_600_000;
const inHours = (h: number) =>
  new Date(Date.now() + h * HOUR).toISOString().replace(/\.\d+Z$/, 'Z');

describe.each(databases.eachSupportedId())(
  'deployment windows and who deploys, on %s',
  databaseId => {
    it('a window accepted only by the deployer does not let their production deploy through; another owner may deploy in it', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex, {
        rco: { environments: ENVIRONMENTS },
      });
      await waiveAllGates(app);
      for (const [role, who] of [
        ['po', 'paula'],
        ['security', 'sam'],
      ]) {
        await request(app)
          .post(`${RCO}/signoffs`)
          .set('Authorization', asUser(who))
          .send({ role, release: RELEASE, comment: 'ok' })
          .expect(201);
      }
      // The pipeline proposes an open window; Ivy accepts it for both roles she holds.
      const w = (
        await request(app)
          .post(`${RCO}/windows`)
          .set('Authorization', asService('external:cd-rco'))
          .send({
            environment: 'production',
            version: '1.5.0',
            digest: DIGEST,
            start: inHours(-0.1),
            end: inHours(2),
            timeZone: 'UTC',
          })
          .expect(201)
      ).body;
      const accepted = await request(app)
        .post(`/api/rco/windows/${w.id}/accept`)
        .set('Authorization', asUser('ivy'))
        .send({})
        .expect(200);
      expect(accepted.body).toMatchObject({ state: 'accepted', openNow: true });

      const deploy = (who: string) =>
        request(app)
          .post(`${RCO}/operations`)
          .set('Authorization', asUser(who))
          .send({
            type: 'deploy',
            environment: 'production',
            release: RELEASE,
          });
      // The page says so before anyone presses Deploy: the road is judged for whoever reads it.
      const roadAs = async (who: string) =>
        (
          await request(app)
            .get(`${RCO}/road?version=1.5.0&digest=${DIGEST}`)
            .set('Authorization', asUser(who))
            .expect(200)
        ).body.stages
          .find((st: any) => st.environment === 'production')
          .blockers.filter((b: any) => b.kind === 'window');
      expect(await roadAs('ivy')).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/their own acceptance does not count/),
        }),
      ]);
      expect(await roadAs('alice')).toEqual([]);
      const own = await deploy('ivy');
      expect(own.status).toBe(409);
      expect(own.body.error.message).toMatch(
        /accepted by user:default\/ivy, who deploys: their own acceptance does not count \(four eyes\)/,
      );
      // Alice deploys in the window Ivy accepted: two people agreed.
      const other = await deploy('alice');
      expect([other.status, other.body.error?.message]).toEqual([
        202,
        undefined,
      ]);
      await backend.stop();
    });
  },
);
