import request from 'supertest';
import { createTestDatabases } from '../../__testUtils__/databases';
import {
  asService,
  asUser,
  DIGEST,
  RCO,
  startOperationsBackend,
} from '../../__testUtils__/operationsBackend';
import { reconcileLedger } from '../../database/LedgerReconciler';

/**
 * POST …/waivers/proposals (issue 16): a person who may request a release asks the waiver group
 * for a waiver. It is recorded in the ledger and the group is told; nothing is waived. Alice owns
 * rco; Paula sees it but may not request its release; Sam is the waiver group (and no owner);
 * Bob cannot see it.
 */

const databases = createTestDatabases();
jest.setTimeout(60_000);

const HOUR = 3_600_000;
const inHours = (h: number) => new Date(Date.now() + h * HOUR).toISOString();
const TOKEN = `ghp_${'a'.repeat(36)}`;
const PROPOSAL = {
  gate: 'image-scanning',
  justification: `The scanner is down until Monday; its token ${TOKEN} expired`,
  expiresAt: inHours(48),
  environment: 'staging',
  releaseVersion: '1.5.0',
};

/** A backend whose rco has release 1.5.0 (a proposal may name only a release that exists). */
async function start(knex: any, rco?: Record<string, unknown>) {
  const started = await startOperationsBackend(knex, {
    rco,
    visible: (_entity, credentials) =>
      credentials?.principal?.userEntityRef !== 'user:default/bob',
  });
  const image = `registry.example/rco@${DIGEST}`;
  await request(started.app)
    .post(`${RCO}/evidence?digest=${DIGEST}&version=1.5.0`)
    .set('Authorization', asService('external:ci-rco'))
    .set('Content-Type', 'application/json')
    .send(
      JSON.stringify({
        SchemaVersion: 2,
        ArtifactName: image,
        ArtifactType: 'container_image',
        Metadata: { RepoDigests: [image] },
        Results: [],
      }),
    )
    .expect(201);
  return started;
}

const propose = (app: any, auth: string, body: object = PROPOSAL) =>
  request(app)
    .post(`${RCO}/waivers/proposals`)
    .set('Authorization', auth)
    .send(body);

const gateStatus = async (app: any, gate: string) =>
  (
    await request(app)
      .get(`${RCO}/status?version=1.5.0&environment=staging`)
      .set('Authorization', asUser('alice'))
      .expect(200)
  ).body.gates.find((g: any) => g.id === gate).status;

const proposalsIn = (knex: any) =>
  knex('rco_ledger').where({ entry_type: 'waiver-proposed' }).select();

describe.each(databases.eachSupportedId())(
  'waiver proposals on %s',
  databaseId => {
    it('records an owner’s proposal in the ledger and tells the waiver group, waiving nothing', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend, sent } = await start(knex);
      const before = await gateStatus(app, 'image-scanning');
      expect(before).toBe('missing');

      const res = await propose(app, asUser('alice'));
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        proposal: {
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          ledgerSeq: expect.any(Number),
          entityRef: 'component:default/rco',
          gate: 'image-scanning',
          environment: 'staging',
          releaseVersion: '1.5.0',
          justification: expect.stringContaining('REDACTED'),
          expiresAt: new Date(PROPOSAL.expiresAt).toISOString(),
          proposedBy: 'user:default/alice',
          proposedAt: expect.any(String),
        },
        grantableBy: 'group:default/security',
        created: true,
      });
      expect(res.body.proposal.justification).not.toContain(TOKEN);

      // The ledger entry names Alice and carries what she asked for, the secret masked.
      const [entry] = await proposalsIn(knex);
      expect(Number(entry.seq)).toBe(res.body.proposal.ledgerSeq);
      expect(entry.entity_ref).toBe('component:default/rco');
      expect(entry.actor).toBe('user:default/alice');
      const payload = JSON.parse(entry.payload);
      expect(payload).toEqual({
        id: res.body.proposal.id,
        gate: 'image-scanning',
        environment: 'staging',
        releaseVersion: '1.5.0',
        justification: res.body.proposal.justification,
        expiresAt: res.body.proposal.expiresAt,
        proposedBy: 'user:default/alice',
        proposedAt: res.body.proposal.proposedAt,
      });
      expect(entry.payload).not.toContain(TOKEN);

      // The waiver group is told, with a link to the Release tab; Alice is not in it.
      expect(sent.notifications).toEqual([
        {
          recipients: {
            type: 'entity',
            entityRef: 'group:default/security',
            excludeEntityRef: 'user:default/alice',
          },
          payload: expect.objectContaining({
            title: expect.stringMatching(
              /^Waiver proposed: image-scanning of /,
            ),
            link: '/catalog/default/component/rco/release',
            topic: 'rco-waivers',
          }),
        },
      ]);
      const { description } = sent.notifications[0].payload;
      expect(description).toContain('user:default/alice asks to waive');
      expect(description).not.toContain(TOKEN);

      // Nothing granted: no waiver, the gate reads as before, and the ledger still reconciles.
      const waivers = await request(app)
        .get(`${RCO}/waivers`)
        .set('Authorization', asUser('sam'))
        .expect(200);
      expect(waivers.body.items).toEqual([]);
      expect(await gateStatus(app, 'image-scanning')).toBe(before);
      expect((await reconcileLedger(knex)).problems).toEqual([]);

      // The release's timeline shows it, as Alice's.
      const timeline = await request(app)
        .get(`${RCO}/releases/timeline?version=1.5.0`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      expect(
        timeline.body.events.map((e: any) => [e.title, e.actor]),
      ).toContainEqual(['Waiver proposed', 'user:default/alice']);
      await backend.stop();
    });

    it('answers the same person asking again for the same waiver with the open one, telling the group once; the expiry defaults on the console clock', async () => {
      const knex = await databases.init(databaseId);
      const { app, sent } = await start(knex);
      const { expiresAt: _, ...withoutExpiry } = PROPOSAL;
      const first = await propose(app, asUser('alice'), withoutExpiry);
      expect(first.status).toBe(201);
      // rco.waivers.maxDuration (P7D by default) from now.
      const expiry = Date.parse(first.body.proposal.expiresAt);
      expect(Math.abs(expiry - (Date.now() + 7 * 24 * HOUR))).toBeLessThan(
        60_000,
      );
      const again = await propose(app, asUser('alice'), withoutExpiry);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({
        created: false,
        proposal: { id: first.body.proposal.id },
      });
      // Every release is another waiver than one release's: a new proposal.
      const { releaseVersion: _v, ...everyRelease } = withoutExpiry;
      const other = await propose(app, asUser('alice'), everyRelease);
      expect(other.status).toBe(201);
      expect(await proposalsIn(knex)).toHaveLength(2);
      expect(sent.notifications).toHaveLength(2);
    });

    it('records one proposal and tells the group once when the same one is sent many times at once', async () => {
      const knex = await databases.init(databaseId);
      const { app, sent } = await start(knex);
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => propose(app, asUser('alice'))),
      );
      expect(answers.filter(a => a.status === 201)).toHaveLength(1);
      expect(answers.filter(a => a.status === 200)).toHaveLength(7);
      expect(new Set(answers.map(a => a.body.proposal.id)).size).toBe(1);
      expect(await proposalsIn(knex)).toHaveLength(1);
      expect(sent.notifications).toHaveLength(1);
    });

    it('refuses what nobody could ever grant, and more than five open proposals of one person', async () => {
      const knex = await databases.init(databaseId);
      const { app, sent } = await start(knex);
      const invented = await propose(app, asUser('alice'), {
        ...PROPOSAL,
        releaseVersion: 'no-such-release',
      });
      expect(invented.status).toBe(400);
      expect(invented.body.error.message).toContain(
        'component:default/rco has no release "no-such-release"',
      );
      const nowhere = await propose(app, asUser('alice'), {
        ...PROPOSAL,
        environment: 'no-such-env',
      });
      expect(nowhere.status).toBe(400);
      expect(nowhere.body.error.message).toContain(
        'Unknown environment "no-such-env"',
      );
      expect(await proposalsIn(knex)).toHaveLength(0);
      // Five different open proposals are kept; the sixth waits for the group.
      const gates = [
        'image-scanning',
        'policy-enforcement',
        'secret-hygiene',
        'migration-controls',
        'monitoring-alerting',
      ];
      for (const gate of gates)
        expect(
          (await propose(app, asUser('alice'), { ...PROPOSAL, gate })).status,
        ).toBe(201);
      const sixth = await propose(app, asUser('alice'), {
        ...PROPOSAL,
        gate: 'acronym-clarity',
      });
      expect(sixth.status).toBe(409);
      expect(sixth.body.error.message).toContain('5 open waiver proposals');
      expect(await proposalsIn(knex)).toHaveLength(5);
      expect(sent.notifications).toHaveLength(5);
    });

    it('lists the proposals with what became of them, to whoever sees the entity', async () => {
      const knex = await databases.init(databaseId);
      const { app } = await start(knex);
      const list = (auth: string) =>
        request(app).get(`${RCO}/waivers/proposals`).set('Authorization', auth);
      expect((await list(asUser('paula'))).body).toEqual({ items: [] });
      const first = (await propose(app, asUser('alice'))).body.proposal;
      const second = (
        await propose(app, asUser('alice'), {
          ...PROPOSAL,
          gate: 'policy-enforcement',
        })
      ).body.proposal;
      // Sam of the waiver group grants the first; the second stays open.
      const granted = await request(app)
        .post(`${RCO}/waivers`)
        .set('Authorization', asUser('sam'))
        .send({
          gate: 'image-scanning',
          justification: 'Granted as proposed by Alice',
          expiresAt: inHours(24),
          environment: 'staging',
        });
      expect(granted.status).toBe(201);
      const res = await list(asUser('paula'));
      expect(res.status).toBe(200);
      expect(
        res.body.items.map((p: any) => [p.id, p.gate, p.state, p.waiverId]),
      ).toEqual([
        [second.id, 'policy-enforcement', 'open', undefined],
        [first.id, 'image-scanning', 'granted', granted.body.id],
      ]);
      expect(res.body.items[1]).toMatchObject({
        entityRef: 'component:default/rco',
        proposedBy: 'user:default/alice',
        justification: expect.stringContaining('REDACTED'),
      });
      expect(JSON.stringify(res.body)).not.toContain(TOKEN);
      // Bob cannot see rco: no list either.
      expect((await list(asUser('bob'))).status).toBe(404);
    });

    it('refuses who may not propose, and what could not be granted, recording nothing', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend, sent } = await start(knex);
      const refused = async (auth: string, status: number, body?: object) => {
        const res = await propose(app, auth, body);
        expect(res.status).toBe(status);
        return res.body.error.message as string;
      };
      // Cannot see the entity: it does not exist for them.
      expect(await refused(asUser('bob'), 404)).toBe(
        'No entity component:default/rco',
      );
      // Sees it, but may not request its release (Paula), even in the waiver group (Sam).
      for (const who of ['paula', 'sam'])
        expect(await refused(asUser(who), 403)).toBe(
          'Only those who may request a release of component:default/rco may propose a waiver of its gates',
        );
      // The entity's own pipeline token is no person.
      expect(await refused(asService('external:ci-rco'), 403)).toMatch(
        /service principals cannot propose/,
      );
      // The rules of a grant.
      const alice = asUser('alice');
      expect(
        await refused(alice, 400, { ...PROPOSAL, gate: 'moon-landing' }),
      ).toMatch(/^Unknown gate "moon-landing"/);
      expect(
        await refused(alice, 400, { ...PROPOSAL, gate: 'dpo-signoff' }),
      ).toMatch(/^dpo-signoff cannot be waived/);
      expect(
        await refused(alice, 400, { ...PROPOSAL, expiresAt: inHours(-1) }),
      ).toBe('expiresAt must be in the future');
      expect(
        await refused(alice, 400, { ...PROPOSAL, expiresAt: inHours(8 * 24) }),
      ).toBe('A waiver may last at most P7D');
      // The schema: a justification of substance, no field a grant does not take.
      await refused(alice, 400, { ...PROPOSAL, justification: 'because' });
      await refused(alice, 400, { ...PROPOSAL, grantedBy: 'user:default/sam' });
      await refused(alice, 400, { ...PROPOSAL, expiresAt: 'tomorrow' });

      expect(await proposalsIn(knex)).toEqual([]);
      expect(sent.notifications).toEqual([]);
      await backend.stop();
    });

    it('without a waiver group, records the proposal, tells nobody and says nobody can grant it', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend, sent } = await start(knex, { waivers: {} });
      const res = await propose(app, asUser('alice'), {
        gate: 'monitoring-alerting',
        justification: 'Alertmanager is being migrated this week',
        expiresAt: inHours(24),
      });
      expect(res.status).toBe(201);
      expect(res.body.grantableBy).toBeNull();
      expect(res.body.proposal).not.toHaveProperty('environment');
      expect(res.body.proposal).not.toHaveProperty('releaseVersion');
      expect(await proposalsIn(knex)).toHaveLength(1);
      expect(sent.notifications).toEqual([]);
      await backend.stop();
    });
  },
);
