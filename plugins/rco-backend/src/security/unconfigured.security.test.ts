import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { rcoPlugin } from '../plugin';
import { createTestDatabases } from '../__testUtils__/databases';
import { governedEntity } from '../__testUtils__/fixtures';
import { asUser, RELEASE } from '../__testUtils__/operationsBackend';

/**
 * Issue 11, point 4: a portal that adds the plugin without naming its groups. Many catalogs
 * already have groups called `security` or `break-glass`; a group rco.* does not name must grant
 * nothing, or their members would sign, waive and break glass in a portal that never chose them.
 * The permission framework here allows everything (permission.enabled off, or a policy that
 * leaves rco to the plugin): the plugin's own rule is what refuses.
 */
const databases = createTestDatabases();
jest.setTimeout(120_000);

const SVC = '/api/rco/entities/component/default/svc';

/** Catalog members of groups that are common names in any organisation. */
const people: Record<string, string[]> = {
  'user:default/alice': ['group:default/svc-team'],
  'user:default/sam': ['group:default/security'],
  'user:default/paula': ['group:default/product-owners'],
  'user:default/dana': ['group:default/dpo'],
  'user:default/mei': ['group:default/break-glass'],
};

async function startPortal(databaseId: any, rco?: object) {
  const knex = await databases.init(databaseId);
  const backend = await startTestBackend({
    features: [
      rcoPlugin,
      mockServices.database.factory({ knex }),
      mockServices.logger.factory(),
      mockServices.rootConfig.factory({
        data: { backend: { baseUrl: 'http://localhost:7007' }, rco },
      }),
      catalogServiceMock.factory({
        entities: [
          governedEntity('svc', 'url:https://example.test/c.yaml', {}),
        ],
      }),
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      createServiceFactory({
        service: coreServices.userInfo,
        deps: {},
        factory: () => ({
          getUserInfo: async (credentials: any) => ({
            userEntityRef: credentials.principal.userEntityRef,
            ownershipEntityRefs: [
              credentials.principal.userEntityRef,
              ...(people[credentials.principal.userEntityRef] ?? []),
            ],
          }),
        }),
      }),
    ],
  });
  return { app: backend.server, backend };
}

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const gate = async (app: any, id: string) =>
  (
    await request(app)
      .get(`${SVC}/status`)
      .set('Authorization', asUser('alice'))
      .expect(200)
  ).body.gates.find((g: any) => g.id === id);

describe('point 4: a group the portal did not configure grants nothing', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a member of group:default/security waives a gate in a portal with no rco section (%s)',
    async databaseId => {
      const { app, backend } = await startPortal(databaseId);
      const res = await request(app)
        .post(`${SVC}/waivers`)
        .set('Authorization', asUser('sam'))
        .send({
          gate: 'image-scanning',
          justification: 'Scanner down, judged by hand',
          expiresAt: inAnHour(),
        });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/rco\.waivers\.group/);
      expect((await gate(app, 'image-scanning')).status).toBe('missing');
      const caps = await request(app)
        .get(`${SVC}/capabilities`)
        .set('Authorization', asUser('sam'))
        .expect(200);
      expect(caps.body.waive).toBe(false);
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: members of group:default/security, /product-owners and /dpo sign off in a portal with no rco section (%s)',
    async databaseId => {
      const { app, backend } = await startPortal(databaseId);
      await request(app)
        .post(`${SVC}/releases`)
        .set('Authorization', asUser('alice'))
        .send(RELEASE)
        .expect(201);
      for (const [who, role] of [
        ['sam', 'security'],
        ['paula', 'po'],
        ['dana', 'dpo'],
      ]) {
        const res = await request(app)
          .post(`${SVC}/signoffs`)
          .set('Authorization', asUser(who))
          .send({ role, release: RELEASE, comment: 'ok' });
        expect([who, res.status]).toEqual([who, 403]);
        expect(res.body.error.message).toMatch(
          new RegExp(`rco\\.signoffs\\.groups\\.${role}`),
        );
        const caps = await request(app)
          .get(`${SVC}/capabilities`)
          .set('Authorization', asUser(who))
          .expect(200);
        expect(caps.body.signoff).toEqual({
          po: false,
          dpo: false,
          security: false,
        });
      }
      const status = await request(app)
        .get(
          `${SVC}/status?version=${RELEASE.version}&digest=${RELEASE.digest}`,
        )
        .set('Authorization', asUser('alice'))
        .expect(200);
      expect(status.body.fourEyes.roles.dpo.decisions).toEqual([]);
      expect((await gate(app, 'dpo-signoff')).status).not.toBe('pass');
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a member of group:default/break-glass records a break-glass override in a portal whose rco section names environments but no break-glass group (%s)',
    async databaseId => {
      const { app, backend } = await startPortal(databaseId, {
        environments: [{ name: 'production', driver: 'simulated' }],
      });
      const res = await request(app)
        .post(`${SVC}/overrides`)
        .set('Authorization', asUser('mei'))
        .send({
          environment: 'production',
          release: RELEASE,
          justification: 'Outage: the fix must go out now',
          expiresAt: inAnHour(),
        });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/rco\.breakGlass\.group/);
      const overrides = await request(app)
        .get(`${SVC}/overrides`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      expect(overrides.body.items).toEqual([]);
      const caps = await request(app)
        .get(`${SVC}/capabilities`)
        .set('Authorization', asUser('mei'))
        .expect(200);
      expect(caps.body.operations.breakGlass).toBe(false);
      await backend.stop();
    },
  );
});
