import request from 'supertest';
import { DateTime } from 'luxon';
import { createTestDatabases } from '../../../__testUtils__/databases';
import {
  asService,
  asUser,
  DIGEST,
  people,
  RCO,
  RELEASE,
  startOperationsBackend,
  waitFor,
  waiveAllGates,
} from '../../../__testUtils__/operationsBackend';
import { resetSimulatedCluster } from '../../../drivers/simulated/SimulatedDriver';
import { reconcileLedger } from '../../../database/LedgerReconciler';

const databases = createTestDatabases();
jest.setTimeout(60_000);
beforeEach(() => resetSimulatedCluster());

// Beside the harness's people: an owner who is also a product owner (proposes, then tries to
// accept), a person holding both roles a window needs, and one who cannot see the entity.
people['user:default/olga'] = [
  'group:default/rco-team',
  'group:default/product-owners',
];
people['user:default/pat'] = [
  'group:default/product-owners',
  'group:default/security',
];
people['user:default/carol'] = ['group:default/product-owners'];

const PRODUCTION = {
  name: 'production',
  driver: 'simulated',
  requiredSignoffs: ['po', 'dpo', 'security'],
  window: { required: true, acceptedBy: ['po', 'security'] },
};
const ENVIRONMENTS = [
  {
    name: 'staging',
    driver: 'simulated',
    imageRepository: 'registry.example/rco',
  },
  PRODUCTION,
];

const HOUR = 3_600_000;
const inHours = (h: number) => new Date(Date.now() + h * HOUR).toISOString();

const start = (knex: any) =>
  startOperationsBackend(knex, {
    rco: { environments: ENVIRONMENTS },
    // Carol is in the PO group but the catalog does not show her the service.
    visible: (_entity, credentials) =>
      credentials?.principal?.userEntityRef !== 'user:default/carol',
  });

const propose = (app: any, auth: string, body: object = {}) =>
  request(app)
    .post(`${RCO}/windows`)
    .set('Authorization', auth)
    .send({
      environment: 'production',
      version: '1.5.0',
      digest: DIGEST,
      start: inHours(1).replace(/\.\d+Z$/, 'Z'),
      end: inHours(3).replace(/\.\d+Z$/, 'Z'),
      timeZone: 'Europe/Berlin',
      ...body,
    });
const act = (
  app: any,
  id: string,
  what: 'accept' | 'cancel',
  who: string,
  body?: object,
) =>
  request(app)
    .post(`/api/rco/windows/${id}/${what}`)
    .set('Authorization', who.startsWith('Bearer') ? who : asUser(who))
    .send(body ?? {});
const ledgerTypes = async (knex: any) =>
  (
    await knex('rco_ledger')
      .where('entry_type', 'like', 'deploy-window-%')
      .orderBy('seq')
      .select('entry_type', 'actor', 'payload')
  ).map((r: any) => ({
    type: r.entry_type,
    actor: r.actor,
    payload: JSON.parse(r.payload),
  }));
const windowNotes = (sent: any) =>
  sent.notifications.filter(
    (n: any) => n.payload.topic === 'rco-deploy-windows',
  );

describe.each(databases.eachSupportedId())(
  'deployment windows on %s',
  databaseId => {
    it('an owner proposes (201, ledger, the PO and Security groups told); PO then Security accept; the proposer is told', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend, sent } = await start(knex);
      // Local times in Berlin, across midnight.
      const day = DateTime.now()
        .setZone('Europe/Berlin')
        .plus({ days: 2 })
        .startOf('day');
      const res = await propose(app, asUser('alice'), {
        start: day.set({ hour: 22 }).toFormat("yyyy-MM-dd'T'HH:mm:ss"),
        end: day
          .plus({ days: 1 })
          .set({ hour: 2 })
          .toFormat("yyyy-MM-dd'T'HH:mm:ss"),
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        entityRef: 'component:default/rco',
        environment: 'production',
        release: { version: '1.5.0', digest: DIGEST },
        start: day.set({ hour: 22 }).toUTC().toISO(),
        end: day.plus({ days: 1 }).set({ hour: 2 }).toUTC().toISO(),
        timeZone: 'Europe/Berlin',
        proposedBy: 'user:default/alice',
        requiredRoles: ['po', 'security'],
        acceptances: [],
        state: 'proposed',
        openNow: false,
      });
      const id = res.body.id;
      expect(windowNotes(sent)).toEqual([
        expect.objectContaining({
          recipients: {
            type: 'entity',
            entityRef: [
              'group:default/product-owners',
              'group:default/security',
            ],
            excludeEntityRef: 'user:default/alice',
          },
          payload: expect.objectContaining({
            title: expect.stringMatching(
              /^Deployment window proposed: .* 1\.5\.0 in production$/,
            ),
            description: expect.stringContaining('22:00–'),
          }),
        }),
      ]);

      const po = await act(app, id, 'accept', 'paula');
      expect(po.status).toBe(200);
      expect(po.body).toMatchObject({
        state: 'proposed',
        acceptances: [{ role: 'po', by: 'user:default/paula' }],
      });
      // Accepting again changes nothing: no second entry, no second notification.
      const again = await act(app, id, 'accept', 'paula');
      expect(again.status).toBe(200);
      expect(again.body.acceptances).toHaveLength(1);
      const sec = await act(app, id, 'accept', 'sam');
      expect(sec.status).toBe(200);
      expect(sec.body).toMatchObject({
        state: 'accepted',
        acceptances: [
          { role: 'po', by: 'user:default/paula' },
          { role: 'security', by: 'user:default/sam' },
        ],
      });
      const list = await request(app)
        .get(`${RCO}/windows`)
        .set('Authorization', asUser('bob'));
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([sec.body]);

      expect(await ledgerTypes(knex)).toEqual([
        expect.objectContaining({
          type: 'deploy-window-propose',
          actor: 'user:default/alice',
        }),
        expect.objectContaining({
          type: 'deploy-window-accept',
          actor: 'user:default/paula',
          payload: expect.objectContaining({ windowId: id, role: 'po' }),
        }),
        expect.objectContaining({
          type: 'deploy-window-accept',
          actor: 'user:default/sam',
          payload: expect.objectContaining({ windowId: id, role: 'security' }),
        }),
      ]);
      const told = windowNotes(sent).slice(1);
      expect(told).toHaveLength(2);
      expect(told.map((n: any) => n.recipients)).toEqual([
        { type: 'entity', entityRef: ['user:default/alice'] },
        { type: 'entity', entityRef: ['user:default/alice'] },
      ]);
      expect(told[0].payload.title).toMatch(
        /^Deployment window accepted in part/,
      );
      expect(told[0].payload.description).toMatch(/Still needed: Security/);
      expect(told[1].payload.title).toMatch(/^Deployment window accepted:/);
      // The rows are what the entries say.
      expect((await reconcileLedger(knex)).problems).toEqual([]);
      await backend.stop();
    });

    it('refuses: a non-owner proposes (403), a caller who cannot see the entity (404), bad times (400)', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend, sent } = await start(knex);
      const bob = await propose(app, asUser('bob'));
      expect(bob.status).toBe(403);
      expect(bob.body.error.message).toMatch(
        /Only owners of component:default\/rco/,
      );
      const carol = await propose(app, asUser('carol'));
      expect(carol.status).toBe(404);
      expect(carol.body.error.message).toBe('No entity component:default/rco');

      const cases: Array<[object, RegExp]> = [
        [
          { timeZone: 'Mars/Olympus_Mons' },
          /Unknown time zone "Mars\/Olympus_Mons"/,
        ],
        [{ environment: 'moon' }, /Unknown environment "moon"/],
        [{ start: inHours(3), end: inHours(1) }, /must come before its end/],
        [{ start: inHours(-3), end: inHours(-1) }, /ended already/],
        [
          { start: inHours(1), end: inHours(26) },
          /at most P1D \(rco\.windows\.maxDuration\)/,
        ],
        [{ start: 'next tuesday at 10pm' }, /must be a date and time/],
        [
          { start: '2026-03-29T02:30:00', end: '2026-03-29T04:00:00' },
          /does not exist in Europe\/Berlin/,
        ],
        [{ digest: 'sha256:short' }, /digest/],
      ];
      for (const [body, message] of cases) {
        const res = await propose(app, asUser('alice'), body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body.error.message).toMatch(message);
      }
      expect(await knex('rco_deploy_windows')).toEqual([]);
      expect(await ledgerTypes(knex)).toEqual([]);
      expect(windowNotes(sent)).toEqual([]);
      await backend.stop();
    });

    it('CI tokens: one allowed to deploy proposes; one that may not deploy, or another entity, may not; no token accepts', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await start(knex);
      const cd = await propose(app, asService('external:cd-rco'));
      expect(cd.status).toBe(201);
      expect(cd.body.proposedBy).toBe('service:external:cd-rco');
      const ci = await propose(app, asService('external:ci-rco'));
      expect(ci.status).toBe(403);
      const other = await request(app)
        .post('/api/rco/entities/component/default/payments/windows')
        .set('Authorization', asService('external:cd-rco'))
        .send({
          environment: 'production',
          start: inHours(1),
          end: inHours(2),
          timeZone: 'UTC',
        });
      expect(other.status).toBe(404);
      const accept = await act(
        app,
        cd.body.id,
        'accept',
        asService('external:cd-rco'),
      );
      expect(accept.status).toBe(403);
      // The people accepting a CI proposal are not the proposer: it counts.
      await act(app, cd.body.id, 'accept', 'paula').expect(200);
      expect((await act(app, cd.body.id, 'accept', 'sam')).body.state).toBe(
        'accepted',
      );
      await backend.stop();
    });

    it("four eyes: the proposer's acceptance does not count; a non-member or a role the window does not need cannot accept; one person may accept for each role they hold", async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await start(knex);
      const w = (await propose(app, asUser('olga')).expect(201)).body;
      const self = await act(app, w.id, 'accept', 'olga');
      expect(self.status).toBe(403);
      expect(self.body.error.message).toMatch(
        /proposed deployment window .* cannot accept it too \(four eyes\)/,
      );
      for (const who of ['bob', 'dana', 'alice']) {
        const res = await act(app, w.id, 'accept', who);
        expect({ who, status: res.status }).toEqual({ who, status: 403 });
        expect(res.body.error.message).toMatch(
          /Only people in group:default\/product-owners \(po\) or group:default\/security \(security\) may accept/,
        );
      }
      const wrongRole = await act(app, w.id, 'accept', 'dana', { role: 'dpo' });
      expect(wrongRole.status).toBe(400);
      // Carol holds the PO role but cannot see the service: the window does not exist for her.
      const hidden = await act(app, w.id, 'accept', 'carol');
      expect(hidden.status).toBe(404);
      expect(hidden.body.error.message).toBe(`No deployment window ${w.id}`);
      expect(await knex('rco_deploy_window_acceptances')).toEqual([]);

      const both = await act(app, w.id, 'accept', 'pat');
      expect(both.status).toBe(200);
      expect(both.body).toMatchObject({
        state: 'accepted',
        acceptances: [
          { role: 'po', by: 'user:default/pat' },
          { role: 'security', by: 'user:default/pat' },
        ],
      });
      // Only for the role asked: another window, Pat accepts as Security only.
      const w2 = (await propose(app, asUser('alice')).expect(201)).body;
      const onlySec = await act(app, w2.id, 'accept', 'pat', {
        role: 'security',
      });
      expect(onlySec.body).toMatchObject({
        state: 'proposed',
        acceptances: [{ role: 'security', by: 'user:default/pat' }],
      });
      await backend.stop();
    });

    it('cancel: not by a stranger (403); by the proposer; then neither cancelled again nor accepted (409); an owner may cancel a CI proposal', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await start(knex);
      const w = (await propose(app, asUser('olga')).expect(201)).body;
      expect((await act(app, w.id, 'cancel', 'bob')).status).toBe(403);
      expect((await act(app, w.id, 'cancel', 'paula')).status).toBe(403);
      const done = await act(app, w.id, 'cancel', 'olga');
      expect(done.status).toBe(200);
      expect(done.body.state).toBe('cancelled');
      expect((await act(app, w.id, 'cancel', 'olga')).status).toBe(409);
      expect((await act(app, w.id, 'accept', 'paula')).status).toBe(409);
      const ci = (await propose(app, asService('external:cd-rco')).expect(201))
        .body;
      const byOwner = await act(app, ci.id, 'cancel', 'alice');
      expect(byOwner.body.state).toBe('cancelled');
      expect(
        (await ledgerTypes(knex)).map((e: { type: string }) => e.type),
      ).toEqual([
        'deploy-window-propose',
        'deploy-window-cancel',
        'deploy-window-propose',
        'deploy-window-cancel',
      ]);
      expect(
        (
          await act(
            app,
            '00000000-0000-4000-8000-000000000000',
            'cancel',
            'alice',
          )
        ).status,
      ).toBe(404);
      await backend.stop();
    });

    it('the deploy gate: a production deploy waits for an accepted window that is open, then runs', async () => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await start(knex);
      await waiveAllGates(app);
      // Production needs the PO and Security sign-offs too (the DPO signed in waiveAllGates).
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
      const deploy = () =>
        request(app)
          .post(`${RCO}/operations`)
          .set('Authorization', asUser('alice'))
          .send({
            type: 'deploy',
            environment: 'production',
            release: RELEASE,
          });
      const none = await deploy();
      expect(none.status).toBe(409);
      expect(none.body.error.message).toMatch(
        /run only inside an accepted window, and 1\.5\.0 has none/,
      );
      // Open from now, but only proposed: still refused.
      const w = (
        await propose(app, asUser('alice'), {
          start: inHours(-0.1),
          end: inHours(2),
          timeZone: 'UTC',
        }).expect(201)
      ).body;
      const proposed = await deploy();
      expect(proposed.status).toBe(409);
      expect(proposed.body.error.message).toMatch(/has none: propose one/);
      await act(app, w.id, 'accept', 'paula').expect(200);
      const half = await deploy();
      expect(half.status).toBe(409);
      expect(half.body.error.message).toMatch(/inside an accepted window/);
      const accepted = await act(app, w.id, 'accept', 'sam');
      expect(accepted.body).toMatchObject({
        state: 'accepted',
        openNow: true,
      });
      const ok = await deploy();
      expect([ok.status, ok.body.error?.message]).toEqual([202, undefined]);
      // Past preflight: the gate let it through; it waits for the plan to be confirmed.
      const op = await waitFor(
        app,
        ok.body.id,
        o => o.steps[0]?.status === 'done',
      );
      expect(op.reasons).toEqual([]);
      await backend.stop();
    });
  },
);
