import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  asUser,
  RCO,
  RELEASE,
  startOperationsBackend,
  waitFor,
  waiveAllGates,
  peerClusterConfig,
} from '../__testUtils__/operationsBackend';
import { KubeApiPeer } from '../__testUtils__/argoRolloutsPeer/KubeApiPeer';
import {
  CANARY_STEPS as STEPS,
  seedHealthy,
  startSamplePeer,
} from '../__testUtils__/argoRolloutsPeer/samples';

const databases = createTestDatabases();
jest.setTimeout(60_000);
const TOKEN = 'peer-service-account-token';

/**
 * The whole path through the plugin with the real argo-rollouts driver: the cluster comes from
 * the Kubernetes plugin's configuration and points at an HTTP peer serving the Rollout and
 * AnalysisRun shapes of ../shared/samples, stepped like the Rollouts controller would.
 */
describe.each(databases.eachSupportedId())(
  'deploys with the argo-rollouts driver on %s',
  databaseId => {
    let peer: KubeApiPeer;
    beforeEach(async () => {
      peer = await startSamplePeer(TOKEN);
      peer.reconcileOnRead = true; // one controller step per read of the Rollout
    });
    afterEach(() => peer.close());

    const start = async (name: string) => {
      const knex = await databases.init(databaseId);
      return startOperationsBackend(knex, {
        config: peerClusterConfig(peer.url, TOKEN),
        rco: {
          environments: [
            {
              name: 'production',
              driver: 'argo-rollouts',
              cluster: 'peer',
              namespace: 'default',
              rollout: { name },
              // The Rollout exists: only configuration binds it (ADR 0007).
              bindings: [{ entity: 'component:default/rco', name }],
            },
          ],
        },
      });
    };

    const deployToPause = async (app: any) => {
      const created = await request(app)
        .post(`${RCO}/operations`)
        .set('Authorization', asUser('alice'))
        .send({ type: 'deploy', environment: 'production', release: RELEASE });
      expect(created.status).toBe(202);
      expect(created.body.baselineRevision).toBe('1');
      await request(app)
        .post(`/api/rco/operations/${created.body.id}/confirm`)
        .set('Authorization', asUser('alice'))
        .send({ confirmation: 'rco' })
        .expect(200);
      const paused = await waitFor(
        app,
        created.body.id,
        o => o.progress?.phase === 'paused' || o.state !== 'running',
      );
      expect(paused.progress).toMatchObject({
        phase: 'paused',
        canaryWeight: 20,
      });
      await request(app)
        .post(`/api/rco/operations/${created.body.id}/promote`)
        .set('Authorization', asUser('alice'))
        .expect(200);
      return waitFor(app, created.body.id, o => o.state !== 'running');
    };

    it('sets the image, pauses, is promoted and ends healthy', async () => {
      const ref = seedHealthy(peer, {
        steps: STEPS,
        backgroundAnalysis: false,
      });
      const { app, backend } = await start(ref.name);
      await waiveAllGates(app);
      const done = await deployToPause(app);
      expect(done.state).toBe('succeeded');
      const rollout = peer.get('rollouts', ref.namespace, ref.name);
      expect(rollout.spec.template.spec.containers[0].image).toMatch(
        new RegExp(`@${RELEASE.digest}$`),
      );
      expect(rollout.status.phase).toBe('Healthy');
      const statusPatches = peer
        .writes()
        .filter(w => w.path.endsWith('/status'));
      expect(statusPatches[0]).toMatchObject({
        contentType: 'application/merge-patch+json',
      });
      await backend.stop();
    });

    it('aborts and undoes when the analysis fails, naming the metric', async () => {
      const ref = seedHealthy(peer, {
        steps: STEPS,
        backgroundAnalysis: false,
      });
      const { app, backend } = await start(ref.name);
      await waiveAllGates(app);
      peer.controller.measurement = { value: 'false', phase: 'Failed' };
      const done = await deployToPause(app);
      expect(done.state).toBe('rolled-back');
      expect(done.reasons.join(' ')).toMatch(/metric "web"/);
      expect(done.reasons.join(' ')).toMatch(
        /Rolled back automatically to revision 1/,
      );
      const undo = peer
        .writes()
        .find(w => w.contentType === 'application/json-patch+json');
      expect(undo?.body).toEqual([
        expect.objectContaining({ op: 'replace', path: '/spec/template' }),
      ]);
      await backend.stop();
    });
  },
);
