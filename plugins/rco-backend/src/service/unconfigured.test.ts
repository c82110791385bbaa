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
import { DEPLOYS_OFF_MESSAGE } from '../operations/environments';
import { describeMissingSetup } from '../setupSummary';

const databases = createTestDatabases();
jest.setTimeout(120_000);

const SVC = '/api/rco/entities/component/default/svc';

/**
 * An app that adds the backend plugin and nothing else of rco: no `rco` section, no `kubernetes`
 * section, no signals or notifications backend (their service refs' default factories), a
 * permission policy that allows everything and a catalog with one unannotated component.
 */
async function startUnconfigured(databaseId: any, rco?: object) {
  const knex = await databases.init(databaseId);
  const logger = mockServices.logger.mock();
  const backend = await startTestBackend({
    features: [
      rcoPlugin,
      mockServices.database.factory({ knex }),
      logger.factory,
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
              'group:default/rco-team',
              'group:default/break-glass',
            ],
          }),
        }),
      }),
    ],
  });
  return { app: backend.server, logger };
}

describe('describeMissingSetup', () => {
  it('says nothing when everything is configured', () => {
    expect(
      describeMissingSetup({
        environments: 2,
        ciSubjects: 1,
        checkpointKey: true,
      }),
    ).toBeUndefined();
  });

  it('names only what is missing, and what it means', () => {
    const line = describeMissingSetup({
      environments: 0,
      ciSubjects: 1,
      checkpointKey: true,
    })!;
    expect(line).toMatch(
      /^rco: .*no rco\.environments: deploys, rollbacks and dry-runs are off/,
    );
    expect(line).not.toMatch(/ci\.subjects|checkpoint/);
  });
});

describe('an app that adds the rco backend plugin with no rco configuration', () => {
  it.each(databases.eachSupportedId())(
    'starts without rco, kubernetes, signals or notifications configuration and logs one line saying what is missing (%s)',
    async databaseId => {
      const { app, logger } = await startUnconfigured(databaseId);
      expect(logger.warn).toHaveBeenCalledTimes(1);
      const [line] = logger.warn.mock.calls[0];
      expect(line).toMatch(/^rco: running without part of its configuration/);
      expect(line).toMatch(
        /no rco\.environments: deploys, rollbacks and dry-runs are off/,
      );
      expect(line).toMatch(
        /no rco\.ci\.subjects: only people can upload evidence/,
      );
      expect(line).toMatch(/no checkpoint key is configured/);
      expect(line).not.toMatch(/\n/);
      expect(logger.error).not.toHaveBeenCalled();
      // Gates and evidence still work.
      const status = await request(app)
        .get(`${SVC}/status`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      expect(status.body.gates).toHaveLength(10);
    },
  );

  it.each(databases.eachSupportedId())(
    'says through the capabilities and the environments that deploys are off (%s)',
    async databaseId => {
      const { app } = await startUnconfigured(databaseId);
      const caps = await request(app)
        .get(`${SVC}/capabilities`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      expect(caps.body.operations).toMatchObject({
        environmentsConfigured: false,
      });
      // No rco.ci.subjects entry names the entity: the page says what to configure.
      expect(caps.body.ciUpload).toBe(false);
      const envs = await request(app)
        .get(`${SVC}/environments`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      expect(envs.body.items).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses deploys, rollbacks, dry-runs and break-glass with 409 and what to configure (%s)',
    async databaseId => {
      const { app } = await startUnconfigured(databaseId);
      const bodies = [
        { type: 'deploy', environment: 'production', release: RELEASE },
        { type: 'deploy', environment: 'production' },
        { type: 'rollback', environment: 'production', targetRevision: '3' },
        {
          type: 'rollback-dry-run',
          environment: 'production',
          targetRevision: '3',
        },
      ];
      for (const body of bodies) {
        const res = await request(app)
          .post(`${SVC}/operations`)
          .set('Authorization', asUser('alice'))
          .send(body);
        expect([res.status, res.body.error?.message]).toEqual([
          409,
          DEPLOYS_OFF_MESSAGE,
        ]);
        expect(res.body.error).toMatchObject({
          name: 'ConflictError',
          message: DEPLOYS_OFF_MESSAGE,
        });
      }
      const glass = await request(app)
        .post(`${SVC}/overrides`)
        .set('Authorization', asUser('mei'))
        .send({
          environment: 'production',
          release: RELEASE,
          justification: 'Outage: the fix must go out now',
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        });
      expect(glass.status).toBe(409);
      expect(glass.body.error.message).toBe(DEPLOYS_OFF_MESSAGE);
    },
  );
});

describe('an app without the signals and notifications backends', () => {
  it.each(databases.eachSupportedId())(
    'records a break-glass override though no notifications backend answers (%s)',
    async databaseId => {
      const { app, logger } = await startUnconfigured(databaseId, {
        environments: [{ name: 'production', driver: 'simulated' }],
      });
      // Only the CI subjects and the checkpoint key are missing now.
      const [line] = logger.warn.mock.calls[0];
      expect(line).not.toMatch(/rco\.environments/);
      expect(line).toMatch(/no rco\.ci\.subjects/);
      const caps = await request(app)
        .get(`${SVC}/capabilities`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      expect(caps.body.operations.environmentsConfigured).toBe(true);
      await request(app)
        .post(`${SVC}/overrides`)
        .set('Authorization', asUser('mei'))
        .send({
          environment: 'production',
          release: RELEASE,
          justification: 'Outage: the fix must go out now',
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        })
        .expect(201);
    },
  );
});
