import path from 'node:path';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  asUser,
  RCO,
  startOperationsBackend,
  waitFor,
  peerClusterConfig,
} from '../__testUtils__/operationsBackend';
import { FakeHelm } from '../drivers/helm/__testUtils__/fakeHelm';
import { KubeApiPeer } from '../__testUtils__/argoRolloutsPeer/KubeApiPeer';
import {
  seedAbortedSample,
  startSamplePeer,
} from '../__testUtils__/argoRolloutsPeer/samples';

/**
 * Issue 10, point 12: a rollback that another backend adopts (the one that started it stopped)
 * while Helm still runs it. The scripted `helm` (Helm 3 goldens: revision 4 deployed, 3 before
 * it) hangs in `pending-rollback`; the first backend stops (its helm is killed, the pending
 * revision stays, as with a crashed pod), and a second backend on the same database adopts the
 * operation once the lease (1 s) runs out.
 */
const databases = createTestDatabases();
jest.setTimeout(120_000);

const OPS = '/api/rco/operations';
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('point 12: a rollback adopted while Helm still runs it', () => {
  let fake: FakeHelm;
  const savedPath = process.env.PATH;
  beforeEach(() => {
    fake = FakeHelm.create([{ namespace: 'rco', name: 'rco' }]);
    process.env.PATH = `${fake.binDir}${path.delimiter}${savedPath}`;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    fake.cleanup();
  });

  const backendOn = (knex: any, timeout: string) =>
    startOperationsBackend(knex, {
      logLevel: 'none',
      rco: {
        environments: [
          {
            name: 'production',
            driver: 'helm',
            namespace: 'rco',
            timeout,
            helm: { chart: 'oci://registry.example/charts/rco' },
            imageRepository: 'registry.example/rco',
            // The release exists: only configuration binds it (ADR 0007).
            bindings: [{ entity: 'component:default/rco' }],
          },
        ],
      },
    });

  const create = (app: any, body: object) =>
    request(app)
      .post(`${RCO}/operations`)
      .set('Authorization', asUser('alice'))
      .send({ environment: 'production', targetRevision: '3', ...body });

  const dryRun = async (app: any) => {
    const res = await create(app, { type: 'rollback-dry-run' });
    expect(res.status).toBe(202);
    return waitFor(app, res.body.id, o => o.state === 'succeeded');
  };

  /** Dry-run, then a rollback confirmed on `app` whose helm hangs in pending-rollback. */
  const rollbackLeftPending = async (app: any) => {
    await dryRun(app);
    fake.setScenario({ rollback: 'hang' });
    const res = await create(app, { type: 'rollback' });
    expect(res.status).toBe(202);
    await request(app)
      .post(`${OPS}/${res.body.id}/confirm`)
      .set('Authorization', asUser('alice'))
      .send({ confirmation: 'rco' })
      .expect(200);
    for (let i = 0; i < 400 && !fake.startedPid(); i++) await sleep(25);
    const pending = fake.history('rco', 'rco').at(-1)!;
    expect(pending).toMatchObject({ status: 'pending-rollback' });
    return { id: res.body.id as string, revision: pending.revision };
  };

  /** The first backend stops mid-rollback; a second one adopts it (timeout PT10S unless told). */
  const adopted = async (databaseId: any, timeout = 'PT10S') => {
    const knex = await databases.init(databaseId);
    const first = await backendOn(knex, timeout);
    const op = await rollbackLeftPending(first.app);
    await first.backend.stop();
    const second = await backendOn(knex, timeout);
    // The lease (1 s) runs out and the second backend's reconciler adopts the rollback.
    await sleep(2500);
    return { ...op, second };
  };

  it.each(databases.eachSupportedId())(
    'refuses: an adopted rollback is marked failed while Helm reports pending-rollback (%s)',
    async databaseId => {
      const { id, revision, second } = await adopted(databaseId);
      const meanwhile = await waitFor(second.app, id, () => true);
      expect(meanwhile.state).toBe('running');
      expect(meanwhile.progress?.message).toMatch(
        new RegExp(`Revision ${revision} of rco is pending-rollback`),
      );
      // Helm finishes the rollback: the adopter reports it, without running helm again.
      fake.settleRevision('rco', 'rco', revision, {
        status: 'deployed',
        description: 'Rollback to 3',
      });
      const done = await waitFor(second.app, id, o => o.state !== 'running');
      expect(done).toMatchObject({
        state: 'succeeded',
        resultRevision: String(revision),
      });
      expect(
        fake
          .calls()
          .filter(
            c => c.argv[0] === 'rollback' && !c.argv.includes('--dry-run'),
          ),
      ).toHaveLength(1);
      await second.backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: an adopted rollback that Helm then fails is reported as anything but failed, in Helm's words (%s)",
    async databaseId => {
      const { id, revision, second } = await adopted(databaseId);
      fake.settleRevision('rco', 'rco', revision, {
        status: 'failed',
        description:
          'Release "rco" failed: timed out waiting for the condition',
      });
      const done = await waitFor(second.app, id, o => o.state !== 'running');
      expect(done.state).toBe('failed');
      expect(done.reasons.join(' ')).toContain(
        `Revision ${revision} failed: Release "rco" failed: timed out waiting for the condition`,
      );
      await second.backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a rollback still pending after the timeout is called failed instead of needing attention (%s)',
    async databaseId => {
      const { id, second } = await adopted(databaseId, 'PT1S');
      const done = await waitFor(second.app, id, o => o.state !== 'running');
      expect(done.state).toBe('needs-attention');
      const words = done.reasons.join(' ');
      expect(words).toMatch(/has not shown the rollback settled/);
      expect(words).toMatch(/pending-rollback/);
      expect(words).toMatch(/helm history/);
      // Nor does it let a repeated rollback reuse the dry-run made before it.
      const again = await create(second.app, { type: 'rollback' });
      expect(again.status).toBe(409);
      expect(again.body.error.message).toContain(
        `since rollback ${id} ended needs-attention`,
      );
      await second.backend.stop();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a repeated rollback after a failed one reuses the old dry-run (%s)',
    async databaseId => {
      const { id, revision, second } = await adopted(databaseId);
      fake.settleRevision('rco', 'rco', revision, {
        status: 'failed',
        description:
          'Release "rco" failed: timed out waiting for the condition',
      });
      await waitFor(second.app, id, o => o.state === 'failed');
      const again = await create(second.app, { type: 'rollback' });
      expect(again.status).toBe(409);
      expect(again.body.error.message).toMatch(
        new RegExp(
          `Run a rollback dry-run of revision 3 in production first, since rollback ${id} ended failed`,
        ),
      );
      // A new dry-run makes it possible again.
      fake.setScenario({ rollback: 'success' });
      await dryRun(second.app);
      expect((await create(second.app, { type: 'rollback' })).status).toBe(202);
      await second.backend.stop();
    },
  );
});

/**
 * The same hole with Argo Rollouts: the undo is patched, then the backend following it stops
 * before the controller has acted; the adopter must wait for the controller, not judge the
 * Rollout's stale status (its stable revision is still the baseline).
 */
describe('point 12: a rollback adopted while the Rollout still rolls back', () => {
  const TOKEN = 'peer-service-account-token';
  let peer: KubeApiPeer;
  beforeEach(async () => {
    peer = await startSamplePeer(TOKEN);
  });
  afterEach(() => peer.close());

  const backendOn = (knex: any, rollout: string) =>
    startOperationsBackend(knex, {
      logLevel: 'none',
      config: peerClusterConfig(peer.url, TOKEN),
      rco: {
        environments: [
          {
            name: 'production',
            driver: 'argo-rollouts',
            cluster: 'peer',
            namespace: 'default',
            timeout: 'PT20S',
            rollout: { name: rollout },
            // The Rollout exists: only configuration binds it (ADR 0007).
            bindings: [{ entity: 'component:default/rco', name: rollout }],
          },
        ],
      },
    });

  it.each(databases.eachSupportedId())(
    'refuses: an adopted rollback is marked failed while the Rollout is still rolling back (%s)',
    async databaseId => {
      // The golden aborted canary: revision 2 aborted, revision 1 stable and serving.
      const ref = seedAbortedSample(peer);
      const knex = await databases.init(databaseId);
      const first = await backendOn(knex, ref.name);
      const create = (app: any, type: string) =>
        request(app)
          .post(`${RCO}/operations`)
          .set('Authorization', asUser('alice'))
          .send({ type, environment: 'production', targetRevision: '1' });
      const dry = await create(first.app, 'rollback-dry-run');
      await waitFor(first.app, dry.body.id, o => o.state === 'succeeded');
      const op = await create(first.app, 'rollback');
      expect(op.status).toBe(202);
      await request(first.app)
        .post(`${OPS}/${op.body.id}/confirm`)
        .set('Authorization', asUser('alice'))
        .send({ confirmation: 'rco' })
        .expect(200);
      const undone = () =>
        peer
          .writes()
          .some(
            w =>
              w.contentType === 'application/json-patch+json' &&
              w.query.dryRun !== 'All',
          );
      for (let i = 0; i < 400 && !undone(); i++) await sleep(25);
      expect(undone()).toBe(true);
      await first.backend.stop();

      const second = await backendOn(knex, ref.name);
      await sleep(2500);
      const meanwhile = await waitFor(second.app, op.body.id, () => true);
      expect(meanwhile.state).toBe('running');
      expect(meanwhile.progress?.message).toMatch(/waiting for the controller/);

      peer.reconcile(ref.namespace, ref.name);
      const done = await waitFor(
        second.app,
        op.body.id,
        o => o.state !== 'running',
      );
      expect(done).toMatchObject({ state: 'succeeded', resultRevision: '3' });
      await second.backend.stop();
    },
  );
});
