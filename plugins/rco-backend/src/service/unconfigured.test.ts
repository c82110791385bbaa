import { mockServices } from '@backstage/backend-test-utils';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startBarePortal, SVC } from '../__testUtils__/barePortal';
import {
  asUser,
  EXAMPLE_GROUPS,
  RELEASE,
} from '../__testUtils__/operationsBackend';
import { DEPLOYS_OFF_MESSAGE } from '../operations/environments';
import { describeMissingSetup, NO_PERMISSIONS } from '../setupSummary';

const databases = createTestDatabases();
jest.setTimeout(120_000);

/**
 * An app that adds the backend plugin and nothing else of rco: no `rco` section, no `kubernetes`
 * section, no signals or notifications backend (their service refs' default factories), a
 * permission policy that allows everything and a catalog with one unannotated component.
 */
async function startUnconfigured(databaseId: any, rco?: object) {
  const logger = mockServices.logger.mock();
  const { app } = await startBarePortal({
    knex: await databases.init(databaseId),
    rco,
    logger,
    groupsOf: () => ['group:default/rco-team', 'group:default/break-glass'],
  });
  return { app, logger };
}

/** A portal with everything configured. */
const COMPLETE = {
  environments: 2,
  ciSubjects: 1,
  checkpointKey: true,
  signoffGroups: { po: true, dpo: true, security: true },
  waiverGroup: true,
  breakGlassGroup: true,
  permissionsEnabled: true,
};

describe('describeMissingSetup', () => {
  it('says nothing when everything is configured', () => {
    expect(describeMissingSetup(COMPLETE)).toBeUndefined();
  });

  it('names only what is missing, and what it means', () => {
    const line = describeMissingSetup({ ...COMPLETE, environments: 0 })!;
    expect(line).toMatch(
      /^rco: .*no rco\.environments: deploys, rollbacks and dry-runs are off/,
    );
    expect(line).not.toMatch(
      /ci\.subjects|checkpoint|signoffs|waivers|breakGlass|permission/,
    );
  });

  it('says that without sign-off, waiver and break-glass groups nobody signs, waives or breaks glass', () => {
    const line = describeMissingSetup({
      ...COMPLETE,
      signoffGroups: { po: false, dpo: false, security: false },
      waiverGroup: false,
      breakGlassGroup: false,
    })!;
    expect(line).toContain(
      'no rco.signoffs.groups: nobody can sign off, so a release that needs sign-offs cannot pass, and without a dpo group no release passes the dpo-signoff gate',
    );
    expect(line).toContain('no rco.waivers.group: nobody can waive a gate');
    expect(line).toContain('no rco.breakGlass.group: nobody can break glass');
    // Nobody breaks glass, so there is no announcement to miss.
    expect(line).not.toContain('announced');
    expect(line).not.toMatch(/\n/);
  });

  it('names the sign-off roles without a group when only some are missing', () => {
    expect(
      describeMissingSetup({
        ...COMPLETE,
        signoffGroups: { po: false, dpo: true, security: false },
      }),
    ).toMatch(
      /no rco\.signoffs\.groups\.po\/security: nobody can sign off as po or security, so a release that needs those sign-offs cannot pass; no rco\.signoffs\.groups\.security: break-glass overrides are announced only to the break-glass group$/,
    );
    expect(
      describeMissingSetup({
        ...COMPLETE,
        signoffGroups: { po: true, dpo: false, security: true },
      }),
    ).toMatch(
      /no rco\.signoffs\.groups\.dpo: nobody can sign off as dpo, so a release that needs that sign-off cannot pass, and without a dpo group no release passes the dpo-signoff gate$/,
    );
  });

  it('says that with permission.enabled off every rco permission is allowed', () => {
    const line = describeMissingSetup({
      ...COMPLETE,
      permissionsEnabled: false,
    })!;
    expect(line).toMatch(
      /^rco: running without part of its configuration .*: permission\.enabled is off: the permission framework allows every rco permission \(anyone signed in may upload evidence, request releases, deploy and roll back; sign-offs, waivers and break-glass still need their groups\)$/,
    );
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
      expect(line).toMatch(
        /no rco\.signoffs\.groups: nobody can sign off, so a release that needs sign-offs cannot pass/,
      );
      expect(line).toMatch(/no rco\.waivers\.group: nobody can waive a gate/);
      expect(line).toMatch(/no rco\.breakGlass\.group: nobody can break glass/);
      expect(line).toContain(NO_PERMISSIONS);
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
    'refuses deploys, rollbacks, dry-runs and break-glass with 409 and what to configure; break-glass first needs its group (%s)',
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
      const override = {
        environment: 'production',
        release: RELEASE,
        justification: 'Outage: the fix must go out now',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      };
      // No rco.breakGlass.group: nobody may break glass, and the answer says what to configure.
      const nobody = await request(app)
        .post(`${SVC}/overrides`)
        .set('Authorization', asUser('mei'))
        .send(override);
      expect([nobody.status, nobody.body.error?.message]).toEqual([
        403,
        'Nobody may break glass: rco.breakGlass.group is not configured',
      ]);
      // With the group but no environments, deploys are off.
      const { app: withGroup } = await startUnconfigured(databaseId, {
        breakGlass: EXAMPLE_GROUPS.breakGlass,
      });
      const glass = await request(withGroup)
        .post(`${SVC}/overrides`)
        .set('Authorization', asUser('mei'))
        .send(override);
      expect(glass.status).toBe(409);
      expect(glass.body.error.message).toBe(DEPLOYS_OFF_MESSAGE);
    },
  );
});

describe('an app without the signals and notifications backends', () => {
  it.each(databases.eachSupportedId())(
    'records a break-glass override though no notifications backend answers (%s)',
    async databaseId => {
      // Groups have no defaults: break-glass needs its group, and Security is to be told.
      const { app, logger } = await startUnconfigured(databaseId, {
        environments: [{ name: 'production', driver: 'simulated' }],
        ...EXAMPLE_GROUPS,
      });
      // Only the CI subjects, the checkpoint key and the permission framework are missing now.
      const [line] = logger.warn.mock.calls[0];
      expect(line).not.toMatch(
        /rco\.environments|rco\.signoffs|rco\.waivers|rco\.breakGlass/,
      );
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
