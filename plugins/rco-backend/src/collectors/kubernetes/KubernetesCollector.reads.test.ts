/**
 * How the collector reads a cluster at scale and when parts of it fail (R1 review of issue 13):
 * a namespace refused fails that namespace only, lists run a few at a time within the timeout,
 * one place's list is filtered by the server, a continue token that repeats stops, an entity whose
 * selector cannot be rendered does not cost the others their objects, malformed objects are
 * reported, a timeout closes the request in flight, and a token a proxy echoes is never repeated.
 */
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import type { CollectionPlace } from '@helix-portal/plugin-rco-node';
import { KubeListPeer } from '../../__testUtils__/kubeListPeer/KubeListPeer';
import { fromSample } from '../../__testUtils__/kubeListPeer/objects';
import { readKubernetesCollectorConfig } from './config';
import { KubernetesCollector } from './KubernetesCollector';
import { MAX_LIST_PAGES } from './clusterClient';

const TOKEN = 'peer-token-5d1e8a7f30';
const app = (name: string) => ({ 'app.kubernetes.io/name': name });

function place(
  peer: KubeListPeer,
  name: string,
  namespace: string,
  over: Partial<CollectionPlace> = {},
): CollectionPlace {
  return {
    entityRef: `component:default/${name}`,
    name,
    entityNamespace: 'default',
    environment: 'production',
    namespace,
    cluster: {
      name: 'prod-eu',
      url: peer.url,
      serviceAccountToken: TOKEN,
      skipTLSVerify: true,
    },
    ...over,
  };
}

const collector = (extra: object = {}) =>
  new KubernetesCollector(
    readKubernetesCollectorConfig(
      new ConfigReader({ collectors: { kubernetes: { ...extra } } }),
    ),
  );

const run = (c: KubernetesCollector, places: CollectionPlace[]) =>
  c.collect({
    places,
    signal: new AbortController().signal,
    logger: mockServices.logger.mock(),
  });

const names = (r: { objects: any[] }, kind: string) =>
  r.objects
    .filter(o => o.evidenceKind === kind)
    .map(o => `${o.provenance.namespace}/${o.provenance.name}`)
    .sort();

/** A deployment and a network policy for each of the teams, each in its own namespace. */
function teamObjects(teams: string[]) {
  return teams.flatMap(t => [
    fromSample('deployment', { name: t, namespace: t, labels: app(t) }),
    fromSample('networkPolicy', {
      name: `${t}-deny`,
      namespace: t,
      labels: app(t),
    }),
  ]);
}

describe('Kubernetes collector: reads of one cluster', () => {
  let peer: KubeListPeer;
  afterEach(() => peer?.close());

  it('refuses: a 403 listing one namespace drops the objects read fine in every other namespace', async () => {
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: teamObjects(['rco', 'team-a', 'team-b']),
    });
    peer.forbiddenPaths.add('/apis/apps/v1/namespaces/team-b/deployments');
    const result = await run(collector(), [
      place(peer, 'rco', 'rco'),
      place(peer, 'team-a', 'team-a', { environment: 'staging' }),
      place(peer, 'team-b', 'team-b'),
    ]);
    expect(names(result, 'workload')).toEqual(['rco/rco', 'team-a/team-a']);
    expect(names(result, 'network-policy')).toHaveLength(3);
    const rows = result.health.filter(h => h.kind === 'Deployment');
    expect(rows).toEqual([
      expect.objectContaining({
        ok: true,
        objects: 2,
        environments: ['production', 'staging'],
      }),
      expect.objectContaining({
        ok: false,
        namespace: 'team-b',
        environments: ['production'],
        error: expect.stringContaining(
          'the cluster answered 403 Forbidden for deployments.apps in namespace team-b',
        ),
      }),
    ]);
    expect(rows[0].namespace).toBeUndefined();
  });

  it('reads (kind, namespace) lists a few at a time, as configured, within the timeout', async () => {
    const teams = Array.from({ length: 8 }, (_, i) => `team-${i}`);
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: teamObjects(teams),
    });
    peer.delayMs = 20;
    const places = teams.map(t => place(peer, t, t));
    // Two kinds, so that the lists are mostly (kind, namespace) pairs.
    const only = {
      kinds: Object.fromEntries(
        [
          'policy-report',
          'gatekeeper-constraint',
          'velero-backup',
          'velero-restore',
          'argo-rollout',
          'argo-analysis-run',
          'argo-analysis-template',
          'prometheus-rule',
        ].map(k => [k, { enabled: false }]),
      ),
    };
    const started = Date.now();
    const parallel = await run(
      collector({ timeout: 'PT20S', ...only }),
      places,
    );
    const elapsed = Date.now() - started;
    expect(parallel.health.every(h => h.ok)).toBe(true);
    expect(names(parallel, 'workload')).toHaveLength(8);
    expect(peer.maxInFlight).toBe(4);

    peer.maxInFlight = 0;
    const serial = await run(collector({ concurrency: 1, ...only }), places);
    expect(peer.maxInFlight).toBe(1);
    expect(names(serial, 'workload')).toEqual(names(parallel, 'workload'));
    // For the record (not asserted): 4 at a time took `elapsed` ms.
    void elapsed;
  }, 30_000);

  it('refuses a concurrency outside 1–32 at start-up, with the key named', () => {
    expect(() => collector({ concurrency: 0 })).toThrow(
      'rco.collectors.kubernetes.concurrency must be an integer from 1 to 32',
    );
  });

  it("asks the server to filter a list that serves one place by that place's selector (never a policy report list)", async () => {
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: [
        ...teamObjects(['rco']),
        fromSample('deployment', {
          name: 'other',
          namespace: 'rco',
          labels: app('other'),
        }),
      ],
    });
    const one = await run(collector(), [place(peer, 'rco', 'rco')]);
    expect(names(one, 'workload')).toEqual(['rco/rco']);
    expect(peer.lists('deployments')[0].query.labelSelector).toBe(
      'app.kubernetes.io/name=rco',
    );
    expect(peer.lists('policyreports')[0].query.labelSelector).toBeUndefined();

    peer.requests.length = 0;
    const two = await run(collector(), [
      place(peer, 'rco', 'rco'),
      place(peer, 'other', 'rco'),
    ]);
    expect(names(two, 'workload')).toEqual(['rco/other', 'rco/rco']);
    // Two places in one namespace: one list for both, matched locally.
    expect(peer.lists('deployments')).toHaveLength(1);
    expect(peer.lists('deployments')[0].query.labelSelector).toBeUndefined();
  });

  it('refuses: a continue token the server keeps repeating is read until the timeout; it stops at once with a clear error', async () => {
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: teamObjects(['rco']),
    });
    peer.repeatContinue.add('deployments');
    const result = await run(collector({ timeout: 'PT20S' }), [
      place(peer, 'rco', 'rco'),
    ]);
    expect(peer.lists('deployments')).toHaveLength(2);
    expect(names(result, 'workload')).toEqual([]);
    expect(result.health.find(h => h.kind === 'Deployment')).toMatchObject({
      ok: false,
      error:
        'the list of deployments.apps in namespace rco was not read: the cluster answered the same continue token twice (page 2)',
    });
    expect(names(result, 'network-policy')).toEqual(['rco/rco-deny']);
    expect(MAX_LIST_PAGES).toBe(1000);
  });

  it('refuses: one entity whose name cannot be a label value costs every other entity its objects of each kind', async () => {
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: teamObjects(['rco']),
    });
    const bad = place(peer, 'Bad Name!', 'rco', {
      entityRef: 'component:default/bad',
    });
    const result = await run(collector(), [place(peer, 'rco', 'rco'), bad]);
    expect(names(result, 'workload')).toEqual(['rco/rco']);
    const failing = result.health.filter(h => !h.ok);
    expect(failing.length).toBeGreaterThan(0);
    for (const h of failing) {
      expect(h.entityRef).toBe('component:default/bad');
      expect(h.error).toContain('cannot be a label value');
    }
    expect(
      result.health.find(h => h.kind === 'Deployment' && !h.entityRef),
    ).toMatchObject({ ok: true, objects: 1 });
  });

  it('reports objects it could not keep (no uid) instead of dropping them silently', async () => {
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: teamObjects(['rco']),
    });
    peer.transformList = (resource, page) => {
      if (resource === 'networkpolicies') {
        for (const item of page.items) delete item.metadata.uid;
      }
    };
    const result = await run(collector(), [place(peer, 'rco', 'rco')]);
    expect(names(result, 'network-policy')).toEqual([]);
    expect(result.health.find(h => h.kind === 'NetworkPolicy')).toMatchObject({
      ok: true,
      objects: 0,
      note: '1 object(s) without a name, uid or resourceVersion could not be kept',
    });
  });

  it('a timeout closes the request in flight (the peer sees the connection closed)', async () => {
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: teamObjects(['rco']),
    });
    peer.delayMs = 1000;
    const result = await run(collector({ timeout: 'PT0.3S' }), [
      place(peer, 'rco', 'rco'),
    ]);
    expect(result.health.every(h => !h.ok)).toBe(true);
    for (let i = 0; i < 500 && peer.aborted.length === 0; i++) {
      await new Promise(r => setTimeout(r, 20));
    }
    expect(peer.aborted).toEqual([{ method: 'GET', path: '/apis' }]);
  });

  it('refuses: a proxy that quotes the refused token in its 401 body gets it repeated in health or the log', async () => {
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: teamObjects(['rco']),
      echoRefusedToken: true,
    });
    const p = place(peer, 'rco', 'rco');
    p.cluster!.serviceAccountToken = 'stolen-looking-token-9f8e7d';
    const logger = mockServices.logger.mock();
    const result = await collector().collect({
      places: [p],
      signal: new AbortController().signal,
      logger,
    });
    expect(result.health.every(h => !h.ok)).toBe(true);
    // The peer did quote it: the test can fail.
    const echoed = await fetch(`${peer.url}/apis`, {
      headers: { authorization: 'Bearer stolen-looking-token-9f8e7d' },
    }).then(r => r.text());
    expect(echoed).toContain('stolen-looking-token-9f8e7d');
    expect(JSON.stringify(result)).not.toContain('stolen-looking-token-9f8e7d');
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain(
      'stolen-looking-token-9f8e7d',
    );
  });
});
