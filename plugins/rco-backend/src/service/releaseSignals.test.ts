import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { readExample } from '../__testUtils__/fixtures';
import {
  asUser,
  RCO,
  RELEASE,
  Sent,
  startOperationsBackend,
  waitFor,
} from '../__testUtils__/operationsBackend';
import { resetSimulatedCluster } from '../drivers/simulated/SimulatedDriver';

/**
 * Issue 12, point 2: every write to an entity's release nudges its release channel, so every
 * open page re-reads within a second. Each write path through the real plugin over HTTP.
 */
const databases = createTestDatabases();
jest.setTimeout(60_000);
beforeEach(() => resetSimulatedCluster());

/** The nudges published on `channel` so far, waiting briefly (publishing does not block writes). */
async function nudges(sent: Sent, channel: string, atLeast = 1) {
  const end = Date.now() + 3000;
  const on = () =>
    sent.signals.filter(s => s.channel === channel).map(s => s.message);
  while (on().length < atLeast && Date.now() < end) {
    await new Promise(r => setTimeout(r, 20));
  }
  return on();
}

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

describe('the release channel hears of every write (issue 12 point 2)', () => {
  it.each(databases.eachSupportedId())(
    'every write path publishes a nudge naming what changed, and nothing else (%s)',
    async databaseId => {
      const sent: Sent = { signals: [], notifications: [] };
      const { app, backend } = await startOperationsBackend(
        await databases.init(databaseId),
        { sent, logLevel: 'none' },
      );
      const caps = await request(app)
        .get(`${RCO}/capabilities`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      const channel: string = caps.body.releaseChannel;
      expect(channel).toMatch(/^rco:release:[0-9a-f]{64}$/);
      expect(channel).not.toBe(caps.body.operations.channel);

      /** Runs a write and expects exactly one more nudge saying `what`. */
      const expectNudge = async (what: string, write: () => Promise<any>) => {
        const before = sent.signals.filter(s => s.channel === channel).length;
        await write();
        const after = await nudges(sent, channel, before + 1);
        expect({ what, nudges: after.slice(before) }).toEqual({
          what,
          nudges: [{ what }],
        });
      };

      await expectNudge('evidence', () =>
        request(app)
          .post(`${RCO}/evidence`)
          .set('Authorization', asUser('alice'))
          .set('Content-Type', 'application/octet-stream')
          .send(
            Buffer.from(
              readExample('rco/evidence/prometheusrule-rco-slo.yaml'),
            ),
          )
          .expect(201),
      );
      await expectNudge('request', () =>
        request(app)
          .post(`${RCO}/releases`)
          .set('Authorization', asUser('alice'))
          .send(RELEASE)
          .expect(201),
      );
      let signoffId = '';
      await expectNudge('signoff', async () => {
        const res = await request(app)
          .post(`${RCO}/signoffs`)
          .set('Authorization', asUser('dana'))
          .send({ role: 'dpo', release: RELEASE, comment: 'ok' })
          .expect(201);
        signoffId = res.body.id;
      });
      await expectNudge('signoff', () =>
        request(app)
          .post(`/api/rco/signoffs/${signoffId}/revoke`)
          .set('Authorization', asUser('dana'))
          .expect(201),
      );
      let waiverId = '';
      await expectNudge('waiver', async () => {
        const res = await request(app)
          .post(`${RCO}/waivers`)
          .set('Authorization', asUser('sam'))
          .send({
            gate: 'policy-enforcement',
            justification: 'Kyverno report judged by hand',
            expiresAt: inAnHour(),
          })
          .expect(201);
        waiverId = res.body.id;
      });
      await expectNudge('waiver', () =>
        request(app)
          .post(`/api/rco/waivers/${waiverId}/revoke`)
          .set('Authorization', asUser('sam'))
          .expect(200),
      );
      let overrideId = '';
      await expectNudge('override', async () => {
        const res = await request(app)
          .post(`${RCO}/overrides`)
          .set('Authorization', asUser('mei'))
          .send({
            environment: 'production',
            release: RELEASE,
            justification: 'Hotfix for the outage',
            expiresAt: inAnHour(),
          })
          .expect(201);
        overrideId = res.body.id;
      });
      await expectNudge('override', () =>
        request(app)
          .post(`/api/rco/overrides/${overrideId}/revoke`)
          .set('Authorization', asUser('mei'))
          .expect(200),
      );
      await expectNudge('runbook', () =>
        request(app)
          .post(`${RCO}/runbook/refresh`)
          .set('Authorization', asUser('alice'))
          .expect(200),
      );
      const before = sent.signals.filter(s => s.channel === channel).length;
      const op = await request(app)
        .post(`${RCO}/operations`)
        .set('Authorization', asUser('alice'))
        .send({ type: 'rollback-dry-run', environment: 'staging' });
      expect(op.status).toBeLessThan(300);
      await waitFor(app, op.body.id, o =>
        ['succeeded', 'failed'].includes(o.state),
      );
      // A rollback dry-run records evidence when it finishes, and its end is news too.
      const after = (await nudges(sent, channel, before + 2)).slice(before);
      expect(after).toContainEqual({ what: 'evidence' });
      expect(after).toContainEqual({ what: 'operation' });

      // Every nudge is on the release channel or the operations channel, and says nothing more.
      for (const s of sent.signals.filter(x => x.channel === channel)) {
        expect(Object.keys(s.message)).toEqual(['what']);
      }
      await backend.stop();
    },
  );
});
