import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  asUser,
  PERMISSION_GROUPS,
  people,
  RCO,
  RELEASE,
  signOff,
  startOperationsBackend,
  waiveAllGates,
} from '../__testUtils__/operationsBackend';
import { resetSimulatedCluster } from '../drivers/simulated/SimulatedDriver';

/**
 * Issue 10, points 2 and 3: decisions belong to their makers, and one four-eyes rule judges the
 * requester, each signer and whoever confirms the deploy, on every path. HTTP sequences through
 * the real plugin, as people of the test organisation with a few more roles:
 * rita owns the service and is a DPO; omar is a second DPO; sid owns the service and signs for
 * Security; bea owns the service and may break glass; ada administers sign-offs.
 */
const databases = createTestDatabases();
jest.setTimeout(60_000);
beforeEach(() => resetSimulatedCluster());

people['user:default/rita'] = ['group:default/rco-team', 'group:default/dpo'];
people['user:default/omar'] = ['group:default/dpo'];
people['user:default/sid'] = [
  'group:default/rco-team',
  'group:default/security',
];
people['user:default/bea'] = [
  'group:default/rco-team',
  'group:default/break-glass',
];
people['user:default/ada'] = ['group:default/release-admins'];
// What the portal's policy grants when rco.signoffs.revokeGroup names the admins.
PERMISSION_GROUPS['rco.signoff.revoke'] = ['group:default/release-admins'];

const Q = `?version=${RELEASE.version}&digest=${RELEASE.digest}`;

const requestRelease = (app: any, who: string) =>
  request(app)
    .post(`${RCO}/releases`)
    .set('Authorization', asUser(who))
    .send(RELEASE)
    .expect(201);
const sign = (
  app: any,
  who: string,
  role: string,
  decision: 'approved' | 'rejected' = 'approved',
) =>
  request(app)
    .post(`${RCO}/signoffs`)
    .set('Authorization', asUser(who))
    .send({ role, release: RELEASE, decision, comment: decision });
const revoke = (app: any, who: string, id: string) =>
  request(app)
    .post(`/api/rco/signoffs/${id}/revoke`)
    .set('Authorization', asUser(who));
const status = async (app: any, who = 'alice') =>
  (
    await request(app)
      .get(`${RCO}/status${Q}`)
      .set('Authorization', asUser(who))
      .expect(200)
  ).body;
const dpoGate = async (app: any) =>
  (await status(app)).gates.find((g: any) => g.id === 'dpo-signoff');
const deploy = (app: any, who: string, environment = 'production') =>
  request(app)
    .post(`${RCO}/operations`)
    .set('Authorization', asUser(who))
    .send({ type: 'deploy', environment, release: RELEASE });

describe('point 2: a sign-off is revoked only by the person who gave it', () => {
  it.each(databases.eachSupportedId())(
    "refuses: the requester, a DPO too, revokes a colleague's rejection so that the colleague's earlier approval counts again (%s)",
    async databaseId => {
      const { app, backend } = await startOperationsBackend(
        await databases.init(databaseId),
        { logLevel: 'none' },
      );
      await requestRelease(app, 'rita');
      await sign(app, 'dana', 'dpo').expect(201);
      const rejection = (await sign(app, 'dana', 'dpo', 'rejected').expect(201))
        .body;
      const refused = await revoke(app, 'rita', rejection.id);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(
        /Only user:default\/dana, who gave sign-off .*, may revoke it/,
      );
      expect((await dpoGate(app)).status).toBe('fail');
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: another member of the role group revokes a colleague's decision (%s)",
    async databaseId => {
      const { app, backend } = await startOperationsBackend(
        await databases.init(databaseId),
        { logLevel: 'none' },
      );
      await requestRelease(app, 'alice');
      const rejection = (await sign(app, 'dana', 'dpo', 'rejected').expect(201))
        .body;
      expect((await revoke(app, 'omar', rejection.id)).status).toBe(403);
      // Admins of the policy are refused too while rco.signoffs.revokeGroup names nobody.
      expect((await revoke(app, 'ada', rejection.id)).status).toBe(403);
      expect((await dpoGate(app)).status).toBe('fail');
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: the signer's own revocation of their rejection brings back their earlier approval (%s)",
    async databaseId => {
      const { app, backend } = await startOperationsBackend(
        await databases.init(databaseId),
        { logLevel: 'none' },
      );
      await requestRelease(app, 'alice');
      await sign(app, 'dana', 'dpo').expect(201);
      const rejection = (await sign(app, 'dana', 'dpo', 'rejected').expect(201))
        .body;
      await revoke(app, 'dana', rejection.id).expect(201);
      const gate = await dpoGate(app);
      expect(gate.status).toBe('missing');
      expect((await status(app)).fourEyes.roles.dpo.decisions).toEqual([]);
      // A decision is revoked once; a revocation is not itself revocable.
      expect((await revoke(app, 'dana', rejection.id)).status).toBe(409);
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: revoking someone else's decision without being named the admin group, and records whose decision an admin revoked (%s)",
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex, {
        logLevel: 'none',
        rco: { signoffs: { revokeGroup: 'group:default/release-admins' } },
      });
      await requestRelease(app, 'alice');
      const approval = (await sign(app, 'dana', 'dpo').expect(201)).body;
      expect((await revoke(app, 'omar', approval.id)).status).toBe(403);
      const revoked = await revoke(app, 'ada', approval.id).expect(201);
      expect(revoked.body).toMatchObject({
        decision: 'revoked',
        signer: 'user:default/ada',
        revokes: approval.id,
      });
      expect((await dpoGate(app)).status).toBe('missing');
      const entry = (await knex('rco_ledger')
        .where({ entry_type: 'signoff-revoke' })
        .first())!;
      expect(entry.actor).toBe('user:default/ada');
      await backend.stop();
    },
  );
});

describe('point 3: four eyes, in one place', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a waiver of the dpo-signoff gate, and ignores one already in the table (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex, {
        logLevel: 'none',
      });
      const res = await request(app)
        .post(`${RCO}/waivers`)
        .set('Authorization', asUser('sam'))
        .send({
          gate: 'dpo-signoff',
          justification: 'DPO on holiday',
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /dpo-signoff cannot be waived: .* only a break-glass override/,
      );
      await knex('rco_waivers').insert({
        id: '00000000-0000-4000-8000-000000000001',
        entity_ref: 'component:default/rco',
        gate: 'dpo-signoff',
        justification: 'Written straight into the table',
        granted_by: 'user:default/sam',
        created_at: new Date(),
        expires_at: new Date(Date.now() + 86_400_000),
      });
      const gate = await dpoGate(app);
      expect(gate.status).toBe('missing');
      expect(gate.waiver).toBeUndefined();
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: the requester of a release records the break-glass override for it (%s)',
    async databaseId => {
      const { app, backend } = await startOperationsBackend(
        await databases.init(databaseId),
        { logLevel: 'none' },
      );
      await requestRelease(app, 'bea');
      const body = {
        environment: 'production',
        release: RELEASE,
        justification: 'Hotfix for the outage in payments',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      };
      const own = await request(app)
        .post(`${RCO}/overrides`)
        .set('Authorization', asUser('bea'))
        .send(body);
      expect(own.status).toBe(403);
      expect(own.body.error.message).toMatch(/requested this release/);
      await request(app)
        .post(`${RCO}/overrides`)
        .set('Authorization', asUser('mei'))
        .send(body)
        .expect(201);
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: a deployer's own approval counts towards production's sign-offs, at preflight and on the page (%s)",
    async databaseId => {
      const { app, backend } = await startOperationsBackend(
        await databases.init(databaseId),
        { logLevel: 'none' },
      );
      await waiveAllGates(app);
      await signOff(app, ['po', 'dpo']);
      await sign(app, 'sid', 'security').expect(201);
      const blocked = await deploy(app, 'sid');
      expect(blocked.status).toBe(409);
      expect(blocked.body.error.message).toMatch(
        /Missing sign-offs of 1.5.0: SECURITY.*sid confirms the deploy and cannot approve it too/s,
      );
      // The page is told the same: as sid, sid's approval does not count; as alice, it does.
      const asSid = (await status(app, 'sid')).fourEyes.roles.security;
      expect(asSid.status).toBe('missing');
      expect(asSid.decisions[0].notCounted).toMatch(/confirms the deploy/);
      expect((await status(app, 'alice')).fourEyes.roles.security.status).toBe(
        'approved',
      );
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: confirming a deploy once the only other approval is revoked and the deployer's own is what is left (%s)",
    async databaseId => {
      const { app, backend } = await startOperationsBackend(
        await databases.init(databaseId),
        { logLevel: 'none' },
      );
      await waiveAllGates(app);
      await signOff(app, ['po', 'dpo', 'security']);
      await sign(app, 'sid', 'security').expect(201);
      const op = await deploy(app, 'sid');
      expect(op.status).toBe(202);
      const listed = await request(app)
        .get(`${RCO}/signoffs${Q}`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      const sams = listed.body.items.find(
        (d: any) => d.role === 'security' && d.signer === 'user:default/sam',
      );
      await revoke(app, 'sam', sams.id).expect(201);
      const late = await request(app)
        .post(`/api/rco/operations/${op.body.id}/confirm`)
        .set('Authorization', asUser('sid'))
        .send({ confirmation: 'rco' });
      expect(late.status).toBe(409);
      expect(late.body.error.message).toMatch(
        /sid confirms the deploy and cannot approve it too/,
      );
      await backend.stop();
    },
  );
});

describe('point 3: a rejection is about the image, whatever its version label', () => {
  it.each(databases.eachSupportedId())(
    "refuses: the DPO's rejection of an image is escaped by requesting the same digest under a new version label (%s)",
    async databaseId => {
      const { app, backend } = await startOperationsBackend(
        await databases.init(databaseId),
        { logLevel: 'none' },
      );
      await requestRelease(app, 'alice');
      await sign(app, 'dana', 'dpo', 'rejected').expect(201);
      const relabelled = { version: '1.5.0-again', digest: RELEASE.digest };
      await request(app)
        .post(`${RCO}/releases`)
        .set('Authorization', asUser('alice'))
        .send(relabelled)
        .expect(201);
      // Another DPO approves the relabelled release: the rejection of the image still stands.
      await request(app)
        .post(`${RCO}/signoffs`)
        .set('Authorization', asUser('omar'))
        .send({ role: 'dpo', release: relabelled, decision: 'approved' })
        .expect(201);
      const res = await request(app)
        .get(
          `${RCO}/status?version=${relabelled.version}&digest=${relabelled.digest}`,
        )
        .set('Authorization', asUser('alice'))
        .expect(200);
      const gate = res.body.gates.find((g: any) => g.id === 'dpo-signoff');
      expect(gate.status).toBe('fail');
      expect(gate.reasons.join(' ')).toContain('user:default/dana');
      // An approval stays bound to its version label: it never carries over to another one.
      await sign(app, 'dana', 'dpo').expect(201);
      const again = await request(app)
        .get(
          `${RCO}/status?version=${relabelled.version}&digest=${relabelled.digest}`,
        )
        .set('Authorization', asUser('alice'))
        .expect(200);
      expect(
        again.body.gates.find((g: any) => g.id === 'dpo-signoff').reasons,
      ).not.toEqual(
        expect.arrayContaining([expect.stringContaining('user:default/dana')]),
      );
      await backend.stop();
    },
  );
});

describe('point 5: what people type into a decision is masked like evidence', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a credential pasted into a waiver, sign-off or break-glass justification is stored and shown (%s)',
    async databaseId => {
      const { app, backend } = await startOperationsBackend(
        await databases.init(databaseId),
        { logLevel: 'none' },
      );
      const key = `AKIA${'QWERTYUIOPASDFGH'}`;
      const pw = `pw${Date.now()}x7Q`;
      const pasted = `Scanner down, creds for the rerun: AWS_ACCESS_KEY_ID=${key} DB_PASSWORD=${pw}`;
      await requestRelease(app, 'alice');
      await request(app)
        .post(`${RCO}/signoffs`)
        .set('Authorization', asUser('dana'))
        .send({ role: 'dpo', release: RELEASE, comment: pasted })
        .expect(201);
      await request(app)
        .post(`${RCO}/waivers`)
        .set('Authorization', asUser('sam'))
        .send({
          gate: 'image-scanning',
          justification: pasted,
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        })
        .expect(201);
      await request(app)
        .post(`${RCO}/overrides`)
        .set('Authorization', asUser('mei'))
        .send({
          environment: 'staging',
          release: RELEASE,
          justification: pasted,
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        })
        .expect(201);
      const shown = [
        await request(app)
          .get(`${RCO}/signoffs${Q}`)
          .set('Authorization', asUser('alice')),
        await request(app)
          .get(`${RCO}/waivers`)
          .set('Authorization', asUser('alice')),
        await request(app)
          .get(`${RCO}/overrides`)
          .set('Authorization', asUser('alice')),
      ].map(r => JSON.stringify(r.body));
      for (const body of shown) {
        expect(body).toContain('Scanner down, creds for the rerun');
        expect(body).not.toContain(key);
        expect(body).not.toContain(pw);
      }
      await backend.stop();
    },
  );
});
