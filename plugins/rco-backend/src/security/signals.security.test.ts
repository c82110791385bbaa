import { createHash } from 'node:crypto';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  asUser,
  RCO,
  Sent,
  startOperationsBackend,
  waitFor,
} from '../__testUtils__/operationsBackend';
import { resetSimulatedCluster } from '../drivers/simulated/SimulatedDriver';

/**
 * Issue 10, point 8: nothing about an entity reaches a user who cannot see it. Operation
 * signals are broadcast (Backstage signals have no per-entity audience), so the channel must be
 * unknowable without the API, and the API hands it out only behind catalog visibility.
 */
const databases = createTestDatabases();
jest.setTimeout(60_000);
beforeEach(() => resetSimulatedCluster());

const REF = 'component:default/rco';
/** Bob is in the payments team, and the catalog hides RCO from him. */
const visible = (entity: any, credentials: any) =>
  credentials?.principal?.userEntityRef !== 'user:default/bob' ||
  entity.metadata.name !== 'rco';

async function start(knex: any, sent?: Sent) {
  return startOperationsBackend(knex, { visible, sent, logLevel: 'none' });
}

/** A dry-run in staging, so the backend publishes on the entity's channel. */
async function dryRun(app: any) {
  const res = await request(app)
    .post(`${RCO}/operations`)
    .set('Authorization', asUser('alice'))
    .send({ type: 'rollback-dry-run', environment: 'staging' });
  expect(res.status).toBeLessThan(300);
  return waitFor(app, res.body.id, op =>
    ['succeeded', 'failed', 'blocked'].includes(op.state),
  );
}

const channelOf = async (app: any, who: string) =>
  request(app).get(`${RCO}/capabilities`).set('Authorization', asUser(who));

describe('point 8: nothing about an entity reaches a user who cannot see it', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a user who cannot see the entity obtains its operations channel (%s)',
    async databaseId => {
      const { app, backend } = await start(await databases.init(databaseId));
      const alice = await channelOf(app, 'alice');
      expect(alice.status).toBe(200);
      expect(alice.body.operations.channel).toMatch(
        /^rco:operations:[0-9a-f]{64}$/,
      );
      const bob = await channelOf(app, 'bob');
      expect(bob.status).toBe(404);
      expect(bob.text).not.toContain(alice.body.operations.channel);
      // Nor through any other read that names the entity.
      for (const path of ['environments', 'operations', 'status', 'runbook']) {
        const res = await request(app)
          .get(`${RCO}/${path}`)
          .set('Authorization', asUser('bob'));
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
        expect(res.text).not.toContain(alice.body.operations.channel);
      }
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a subscriber derives the channel from the entity ref, or reads the entity in a signal (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const sent: Sent = { signals: [], notifications: [] };
      const { app, backend } = await start(knex, sent);
      const { body } = await channelOf(app, 'alice');
      const channel: string = body.operations.channel;
      await dryRun(app);
      expect(sent.signals.length).toBeGreaterThan(0);
      // The dry-run's evidence also nudges the release channel (issue 12 point 2), the other
      // channel the capabilities hand out (release-signals.security.test.ts).
      const releaseChannel: string = body.releaseChannel;
      for (const signal of sent.signals) {
        // Published where the page listens, and on nothing a guess could produce.
        expect([channel, releaseChannel]).toContain(signal.channel);
        const text = JSON.stringify(signal.message);
        expect(text).not.toMatch(/rco|component|default/i);
      }
      const secret = channel.replace('rco:operations:', '');
      expect(channel.toLowerCase()).not.toContain(REF);
      expect(channel).not.toContain('rco:operations:rco');
      for (const hash of ['sha256', 'sha1', 'md5']) {
        for (const spelling of [REF, 'Component:default/rco', 'rco']) {
          expect(secret).not.toBe(
            createHash(hash).update(spelling).digest('hex'),
          );
        }
      }
      expect(Buffer.from(secret, 'hex').toString('latin1')).not.toContain(
        'rco',
      );

      // A second replica on the same database publishes on the same channel...
      const replica = await start(knex);
      expect(
        (await channelOf(replica.app, 'alice')).body.operations.channel,
      ).toBe(channel);
      await replica.backend.stop();
      await backend.stop();
      // ...while another installation (another database) has another key, so the channel of
      // the same ref cannot be learnt from one portal and used on another.
      const other = await start(await databases.init(databaseId));
      expect(
        (await channelOf(other.app, 'alice')).body.operations.channel,
      ).not.toBe(channel);
      await other.backend.stop();
    },
  );
});

describe('points 7 and 8: the ledger verification names only what the caller may see', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a user who cannot see the entity, or a service token, reads its tampered rows in the ledger verification (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app, backend } = await startOperationsBackend(knex, {
        visible,
        logLevel: 'none',
        rco: { ledger: { onDemandInterval: 'PT0S' } },
      });
      await request(app)
        .post(`${RCO}/releases`)
        .set('Authorization', asUser('alice'))
        .send({ version: '1.5.0', digest: `sha256:${'c'.repeat(64)}` })
        .expect(201);
      await knex('rco_release_requests').update({
        requester: 'user:default/mallory',
      });
      const as = (who: string) =>
        request(app)
          .post('/api/rco/ledger/verify')
          .set('Authorization', asUser(who));
      const alice = (await as('alice').expect(200)).body;
      expect(alice.ok).toBe(false);
      expect(JSON.stringify(alice.problems)).toContain(REF);
      const bob = (await as('bob').expect(200)).body;
      expect(bob.ok).toBe(false);
      expect(JSON.stringify(bob)).not.toContain(REF);
      expect(JSON.stringify(bob)).not.toContain('rco_release_requests');
      const stored = await request(app)
        .get('/api/rco/ledger/verify')
        .set('Authorization', asUser('bob'))
        .expect(200);
      expect(JSON.stringify(stored.body)).not.toContain(REF);
      for (const method of ['get', 'post'] as const) {
        const ci = await request(app)
          [method]('/api/rco/ledger/verify')
          .set(
            'Authorization',
            `Bearer mock-service-token:${JSON.stringify({
              sub: 'external:ci-rco',
            })}`,
          );
        expect(ci.status).toBe(404);
      }
      await backend.stop();
    },
  );
});
