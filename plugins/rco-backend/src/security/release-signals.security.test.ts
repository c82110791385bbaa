import { createHash } from 'node:crypto';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { readExample } from '../__testUtils__/fixtures';
import {
  asService,
  asUser,
  RCO,
  RELEASE,
  Sent,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';

/**
 * Issue 12, point 2: every change to a release nudges open pages through Backstage signals.
 * Signals are broadcast to whoever subscribes to a channel, so the release channel must be as
 * unknowable as the operations channel: not the entity ref, not computable from it, handed out
 * only by the capabilities response after catalog visibility, and its messages name nothing.
 */
const databases = createTestDatabases();
jest.setTimeout(60_000);

const REF = 'component:default/rco';
/** Bob is in the payments team, and the catalog hides RCO from him. */
const visible = (entity: any, credentials: any) =>
  credentials?.principal?.userEntityRef !== 'user:default/bob' ||
  entity.metadata.name !== 'rco';

const capabilities = (app: any, auth: string) =>
  request(app).get(`${RCO}/capabilities`).set('Authorization', auth);

async function nudged(sent: Sent, channel: string) {
  const end = Date.now() + 3000;
  while (!sent.signals.some(s => s.channel === channel) && Date.now() < end) {
    await new Promise(r => setTimeout(r, 20));
  }
  return sent.signals.filter(s => s.channel === channel);
}

describe('point 2: the release channel reaches only those who can see the entity', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a user who cannot see the entity, or a token for other entities, obtains its release channel (%s)',
    async databaseId => {
      const { app, backend } = await startOperationsBackend(
        await databases.init(databaseId),
        { visible, logLevel: 'none' },
      );
      const alice = await capabilities(app, asUser('alice')).expect(200);
      const channel: string = alice.body.releaseChannel;
      expect(channel).toMatch(/^rco:release:[0-9a-f]{64}$/);
      const bob = await capabilities(app, asUser('bob'));
      expect(bob.status).toBe(404);
      expect(bob.text).not.toContain(channel);
      const otherToken = await capabilities(
        app,
        asService('external:ci-other'),
      );
      expect(otherToken.status).toBe(404);
      expect(otherToken.text).not.toContain(channel);
      for (const path of ['status', 'evidence', 'runbook', 'releases']) {
        const res = await request(app)
          .get(`${RCO}/${path}`)
          .set('Authorization', asUser('bob'));
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
        expect(res.text).not.toContain(channel);
      }
      // Nor in any answer to those who can see it, other than the capabilities.
      for (const path of ['status', 'evidence', 'releases']) {
        const res = await request(app)
          .get(`${RCO}/${path}`)
          .set('Authorization', asUser('alice'));
        expect(res.text).not.toContain(channel.slice('rco:release:'.length));
      }
      await backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a subscriber derives the release channel from the entity ref or the operations channel, or reads the entity or the content in a nudge (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const sent: Sent = { signals: [], notifications: [] };
      const { app, backend } = await startOperationsBackend(knex, {
        visible,
        sent,
        logLevel: 'none',
      });
      const { body } = await capabilities(app, asUser('alice')).expect(200);
      const channel: string = body.releaseChannel;
      const operations: string = body.operations.channel;
      await request(app)
        .post(`${RCO}/evidence`)
        .set('Authorization', asUser('alice'))
        .set('Content-Type', 'application/octet-stream')
        .send(
          Buffer.from(readExample('rco/evidence/prometheusrule-rco-slo.yaml')),
        )
        .expect(201);
      await request(app)
        .post(`${RCO}/waivers`)
        .set('Authorization', asUser('sam'))
        .send({
          gate: 'policy-enforcement',
          justification: 'A secret reason about rco 1.5.0',
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        })
        .expect(201);
      await request(app)
        .post(`${RCO}/releases`)
        .set('Authorization', asUser('alice'))
        .send(RELEASE)
        .expect(201);
      const signals = await nudged(sent, channel);
      expect(signals.length).toBeGreaterThanOrEqual(3);
      for (const s of sent.signals) {
        expect(s.channel.toLowerCase()).not.toContain('rco:release:rco');
        const text = JSON.stringify(s.message);
        expect(text).not.toMatch(
          /rco|component|default|secret|1\.5\.0|sha256/i,
        );
      }
      const secret = channel.replace('rco:release:', '');
      expect(secret).not.toBe(operations.replace('rco:operations:', ''));
      for (const hash of ['sha256', 'sha1', 'md5']) {
        for (const spelling of [
          REF,
          'Component:default/rco',
          'rco',
          `release\n${REF}`,
        ]) {
          expect(secret).not.toBe(
            createHash(hash).update(spelling).digest('hex'),
          );
        }
      }
      // A second replica on the same database names the same channel...
      const replica = await startOperationsBackend(knex, {
        visible,
        logLevel: 'none',
      });
      expect(
        (await capabilities(replica.app, asUser('alice'))).body.releaseChannel,
      ).toBe(channel);
      await replica.backend.stop();
      await backend.stop();
      // ...another installation has its own key.
      const other = await startOperationsBackend(
        await databases.init(databaseId),
        { visible, logLevel: 'none' },
      );
      expect(
        (await capabilities(other.app, asUser('alice'))).body.releaseChannel,
      ).not.toBe(channel);
      await other.backend.stop();
    },
  );
});
