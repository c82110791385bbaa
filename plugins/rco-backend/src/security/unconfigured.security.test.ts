import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startBarePortal, SVC } from '../__testUtils__/barePortal';
import {
  asUser,
  RCO,
  RELEASE,
  startOperationsBackend,
  waiveAllGates,
} from '../__testUtils__/operationsBackend';
import { resetSimulatedCluster } from '../drivers/simulated/SimulatedDriver';

/**
 * Issue 11, point 4: a portal that adds the plugin without naming its groups. Many catalogs
 * already have groups called `security` or `break-glass`; a group rco.* does not name must grant
 * nothing, or their members would sign, waive and break glass in a portal that never chose them.
 * The permission framework here allows everything (permission.enabled off, or a policy that
 * leaves rco to the plugin): the plugin's own rule is what refuses.
 */
const databases = createTestDatabases();
jest.setTimeout(120_000);

/** Catalog members of groups that are common names in any organisation. */
const people: Record<string, string[]> = {
  'user:default/alice': ['group:default/svc-team'],
  'user:default/sam': ['group:default/security'],
  'user:default/paula': ['group:default/product-owners'],
  'user:default/dana': ['group:default/dpo'],
  'user:default/mei': ['group:default/break-glass'],
};

async function startPortal(databaseId: any, rco?: object) {
  return startBarePortal({
    knex: await databases.init(databaseId),
    rco,
    groupsOf: ref => people[ref] ?? [],
  });
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

/** The example groups taken away: what a portal that stops naming them configures. */
const NO_GROUPS = { waivers: {}, breakGlass: {}, signoffs: { groups: {} } };

const rcoStatus = async (app: any) =>
  (
    await request(app)
      .get(
        `${RCO}/status?version=${RELEASE.version}&digest=${RELEASE.digest}&environment=staging`,
      )
      .set('Authorization', asUser('alice'))
      .expect(200)
  ).body;

const deployRco = (app: any, environment: string) =>
  request(app)
    .post(`${RCO}/operations`)
    .set('Authorization', asUser('alice'))
    .send({ type: 'deploy', environment, release: RELEASE });

describe('point 1 (review): decisions made under a group that is no longer configured do not count', () => {
  beforeEach(() => resetSimulatedCluster());

  it.each(databases.eachSupportedId())(
    'refuses: waivers, sign-offs and a break-glass override recorded while the groups were configured still lift gates and let a deploy through after the groups are unset (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      // Backend 1: the example groups. Security waives every gate, PO, DPO and Security approve,
      // mei breaks glass for staging.
      const first = await startOperationsBackend(knex);
      await waiveAllGates(first.app);
      for (const [who, role] of [
        ['paula', 'po'],
        ['sam', 'security'],
      ]) {
        await request(first.app)
          .post(`${RCO}/signoffs`)
          .set('Authorization', asUser(who))
          .send({ role, release: RELEASE, comment: 'ok' })
          .expect(201);
      }
      const override = await request(first.app)
        .post(`${RCO}/overrides`)
        .set('Authorization', asUser('mei'))
        .send({
          environment: 'staging',
          release: RELEASE,
          justification: 'Outage: the fix must go out now',
          expiresAt: inAnHour(),
        })
        .expect(201);
      const waived = (await rcoStatus(first.app)).gates.filter(
        (g: any) => g.status === 'waived',
      );
      expect(waived.length).toBeGreaterThan(0);
      await first.backend.stop();

      // Backend 2 on the same database: the portal no longer names those groups.
      const { app, backend } = await startOperationsBackend(knex, {
        rco: NO_GROUPS,
      });
      const status = await rcoStatus(app);
      for (const w of waived) {
        const g = status.gates.find((x: any) => x.id === w.id);
        expect([g.id, g.status]).not.toEqual([g.id, 'waived']);
        expect(g.waiver).toBeUndefined();
        expect(g.reasons.join(' ')).toMatch(
          /does not count: rco\.waivers\.group is not configured/,
        );
      }
      const dpoGate = status.gates.find((g: any) => g.id === 'dpo-signoff');
      expect(dpoGate.status).toBe('missing');
      expect(dpoGate.reasons).toEqual([
        'Nobody may sign off as DPO: rco.signoffs.groups.dpo is not configured',
      ]);
      for (const role of ['po', 'dpo', 'security']) {
        const verdict = status.fourEyes.roles[role];
        expect(verdict.status).toBe('missing');
        expect(verdict.reason).toMatch(
          new RegExp(`rco\\.signoffs\\.groups\\.${role} is not configured`),
        );
        // Shown, marked as not counting.
        expect(verdict.decisions.length).toBe(1);
        expect(verdict.decisions[0].notCounted).toMatch(/is not configured/);
      }

      const production = await deployRco(app, 'production');
      expect(production.status).toBe(409);
      expect(production.body.error.message).toContain(
        'Nobody may sign off as DPO: rco.signoffs.groups.dpo is not configured',
      );
      const staging = await deployRco(app, 'staging');
      expect(staging.status).toBe(409);
      expect(staging.body.error.message).toContain(
        `Break-glass override ${override.body.id} by user:default/mei does not count: rco.breakGlass.group is not configured`,
      );

      // Revoking stays with the groups (chosen: 403); nothing needs revoking, nothing counts.
      const waivers = await request(app)
        .get(`${RCO}/waivers`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      const revokeWaiver = await request(app)
        .post(`/api/rco/waivers/${waivers.body.items[0].id}/revoke`)
        .set('Authorization', asUser('sam'));
      expect(revokeWaiver.status).toBe(403);
      expect(revokeWaiver.body.error.message).toMatch(
        /rco\.waivers\.group is not configured/,
      );
      const revokeOverride = await request(app)
        .post(`/api/rco/overrides/${override.body.id}/revoke`)
        .set('Authorization', asUser('mei'));
      expect(revokeOverride.status).toBe(403);
      expect(revokeOverride.body.error.message).toMatch(
        /rco\.breakGlass\.group is not configured/,
      );
      await backend.stop();
    },
  );
});

describe('point 2 (review): a deploy blocked by an unset sign-off group says why', () => {
  beforeEach(() => resetSimulatedCluster());

  it.each(databases.eachSupportedId())(
    'refuses: a portal without sign-off groups blocks every deploy with only "No DPO approval" and "Missing sign-offs" (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex, {
        rco: { signoffs: { groups: {} } },
      });
      await waiveAllGates(app).catch(() => undefined); // the DPO's sign-off is refused (403)
      const status = await rcoStatus(app);
      const dpoGate = status.gates.find((g: any) => g.id === 'dpo-signoff');
      expect(dpoGate.reasons[0]).toBe(
        'Nobody may sign off as DPO: rco.signoffs.groups.dpo is not configured',
      );
      expect(status.fourEyes.roles.dpo.reason).toBe(
        'Nobody may sign off as DPO: rco.signoffs.groups.dpo is not configured',
      );
      for (const environment of ['staging', 'production']) {
        const res = await deployRco(app, environment);
        expect([environment, res.status]).toEqual([environment, 409]);
        expect(res.body.error.message).toContain(
          'Nobody may sign off as DPO: rco.signoffs.groups.dpo is not configured',
        );
      }
      const production = await deployRco(app, 'production');
      expect(production.body.error.message).toContain(
        'Nobody may sign off as Security: rco.signoffs.groups.security is not configured',
      );
      await backend.stop();
    },
  );
});

describe('point 3 (review): break-glass overrides without a Security group', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a break-glass override in a portal without rco.signoffs.groups.security is announced to nobody (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app, backend, sent } = await startOperationsBackend(knex, {
        rco: {
          signoffs: {
            groups: {
              po: 'group:default/product-owners',
              dpo: 'group:default/dpo',
            },
          },
        },
      });
      const created = await request(app)
        .post(`${RCO}/overrides`)
        .set('Authorization', asUser('mei'))
        .send({
          environment: 'staging',
          release: RELEASE,
          justification: 'Outage: the fix must go out now',
          expiresAt: inAnHour(),
        })
        .expect(201);
      expect(sent.notifications).toEqual([
        expect.objectContaining({
          recipients: {
            type: 'entity',
            entityRef: 'group:default/break-glass',
          },
          payload: expect.objectContaining({
            topic: 'rco-break-glass',
            description: expect.stringContaining('Outage'),
          }),
        }),
      ]);
      expect(created.body.createdBy).toBe('user:default/mei');
      await backend.stop();
    },
  );
});

describe('point 4 (review): a malformed group value stops the portal at start', () => {
  it.each(
    databases.eachSupportedId().flatMap(([id]) =>
      [
        ['waivers.group', { waivers: { group: 'security' } }, 'security'],
        [
          'breakGlass.group',
          { breakGlass: { group: 'default/break-glass' } },
          'default/break-glass',
        ],
        [
          'signoffs.groups.dpo',
          { signoffs: { groups: { dpo: '   ' } } },
          '   ',
        ],
        [
          'signoffs.revokeGroup',
          { signoffs: { revokeGroup: 'component:default/admins' } },
          'component:default/admins',
        ],
      ].map(([key, rco, value]) => [key, id, rco, value] as const),
    ),
  )(
    'refuses: rco.%s that names no group silently grants nobody while the start-up line says nothing is missing (%s)',
    async (key, databaseId, rco, value) => {
      await expect(startPortal(databaseId, rco as object)).rejects.toThrow(
        `rco.${key}: "${value}" is not a full entity ref of a group or user such as group:default/security`,
      );
    },
  );
});
