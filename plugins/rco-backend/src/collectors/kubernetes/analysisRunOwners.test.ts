/**
 * R3 M5: real AnalysisRuns (argo-rollouts-analysisrun-failed.yaml) carry only Argo's
 * `rollout-type` and `rollouts-pod-template-hash` labels and a controller reference to their
 * Rollout. The peer serves the real sample with its own labels and owner reference untouched;
 * the collector attributes it through the Rollout's labels.
 */
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import type { CollectionPlace } from '@helix-portal/plugin-rco-node';
import { KubeListPeer } from '../../__testUtils__/kubeListPeer/KubeListPeer';
import { fromSample, sample } from '../../__testUtils__/kubeListPeer/objects';
import { readKubernetesCollectorConfig } from './config';
import { KubernetesCollector } from './KubernetesCollector';

const TOKEN = 'peer-token-analysis-3c1d';
const app = (name: string) => ({ 'app.kubernetes.io/name': name });

function place(peer: KubeListPeer, name: string): CollectionPlace {
  return {
    entityRef: `component:default/${name}`,
    name,
    entityNamespace: 'default',
    environment: 'production',
    namespace: 'rco',
    cluster: {
      name: 'prod-eu',
      url: peer.url,
      serviceAccountToken: TOKEN,
      skipTLSVerify: true,
    },
  };
}

const collect = (places: CollectionPlace[]) =>
  new KubernetesCollector(
    readKubernetesCollectorConfig(
      new ConfigReader({ collectors: { kubernetes: {} } }),
    ),
  ).collect({
    places,
    signal: new AbortController().signal,
    logger: mockServices.logger.mock(),
  });

const runs = (r: { objects: any[] }) =>
  r.objects
    .filter(o => o.evidenceKind === 'argo-analysis-run')
    .map(o => `${o.entityRef} ${o.provenance.name}`)
    .sort();

/** The real AnalysisRun in namespace rco, its owner reference untouched. */
function analysisRun() {
  return fromSample('analysisRun', {
    name: sample('analysisRun').metadata.name,
    namespace: 'rco',
  });
}

const OWNER = (sample('analysisRun').metadata as any).ownerReferences[0] as {
  name: string;
  uid: string;
};

/** The Rollout the sample's owner reference names (same name and uid), labelled for `team`. */
function rollout(team: string, uid: string = OWNER.uid) {
  const r = fromSample('rollout', {
    name: OWNER.name,
    namespace: 'rco',
    labels: app(team),
  });
  r.metadata.uid = uid;
  return r;
}

describe('Kubernetes collector: AnalysisRuns attributed through their Rollout (R3 M5)', () => {
  let peer: KubeListPeer;
  afterEach(() => peer?.close());

  it("the peer serves the real sample's labels and owner reference", async () => {
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: [rollout('rco'), analysisRun()],
    });
    const served = peer.cluster.all().find(o => o.kind === 'AnalysisRun')!;
    expect(Object.keys(served.metadata.labels ?? {}).sort()).toEqual([
      'rollout-type',
      'rollouts-pod-template-hash',
    ]);
    expect(served.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Rollout', controller: true }),
    ]);
  });

  it('attributes the failed AnalysisRun to the entity whose selector matches its Rollout', async () => {
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: [rollout('rco'), analysisRun()],
    });
    const result = await collect([place(peer, 'rco')]);
    expect(runs(result)).toEqual([
      `component:default/rco ${OWNER.name}-db976bc44-2`,
    ]);
    expect(result.health.find(h => h.kind === 'AnalysisRun')).toMatchObject({
      ok: true,
      objects: 1,
    });
  });

  it("refuses: an AnalysisRun of another team's Rollout is attributed to no one", async () => {
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: [rollout('payments'), analysisRun()],
    });
    expect(runs(await collect([place(peer, 'rco')]))).toEqual([]);
  });

  it('refuses: a Rollout recreated under the same name (another uid) does not lend its labels', async () => {
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: [
        rollout('rco', '99999999-9999-4999-8999-999999999999'),
        analysisRun(),
      ],
    });
    expect(runs(await collect([place(peer, 'rco')]))).toEqual([]);
  });

  it('ambiguity still applies: two entities whose selectors match the Rollout get neither run', async () => {
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: [rollout('rco'), analysisRun()],
    });
    const other = { ...place(peer, 'rco'), entityRef: 'component:sandbox/rco' };
    const result = await collect([place(peer, 'rco'), other]);
    expect(runs(result)).toEqual([]);
    // The note names the namespace's objects: it is that namespace's row.
    expect(
      result.health.find(h => h.kind === 'AnalysisRun' && h.namespace === 'rco')
        ?.note,
    ).toMatch(/matched the label selectors of more than one entity/);
  });
});
