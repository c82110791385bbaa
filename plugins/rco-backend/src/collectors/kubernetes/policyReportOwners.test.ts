/**
 * R1 M6: real Kyverno reports carry only `app.kubernetes.io/managed-by: kyverno`, are named after
 * the resource's uid and name it in `scope` and ownerReferences. The peer serves the real sample
 * with its own labels untouched; the collector attributes it through the resource.
 */
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import type { CollectionPlace } from '@helix-portal/plugin-rco-node';
import { KubeListPeer } from '../../__testUtils__/kubeListPeer/KubeListPeer';
import {
  controlled,
  fromSample,
  kyvernoReportAbout,
  sample,
} from '../../__testUtils__/kubeListPeer/objects';
import { readKubernetesCollectorConfig } from './config';
import { KubernetesCollector } from './KubernetesCollector';
import { acceptObjects } from '../accept';
import { listedScopes } from '../CollectionWriter';

const TOKEN = 'peer-token-owner-0b7c';
const app = (name: string) => ({ 'app.kubernetes.io/name': name });

function place(
  peer: KubeListPeer,
  name: string,
  namespace = 'rco',
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

const reports = (r: { objects: any[] }) =>
  r.objects
    .filter(o => o.evidenceKind === 'policy-report')
    .map(o => `${o.entityRef} ${o.provenance.name}`)
    .sort();

const POD_UID = '11111111-1111-4111-8111-111111111111';
const RS_UID = '22222222-2222-4222-8222-222222222222';
const DEPLOY_UID = '33333333-3333-4333-8333-333333333333';
const STS_UID = '44444444-4444-4444-8444-444444444444';

/** rco's Deployment → ReplicaSet → Pod, and a Kyverno report about the Pod and one about a StatefulSet. */
function cluster() {
  return [
    fromSample('deployment', {
      name: 'rco',
      namespace: 'rco',
      labels: app('rco'),
    }),
    controlled('ReplicaSet', {
      name: 'rco-7d9f',
      namespace: 'rco',
      uid: RS_UID,
      labels: app('rco'),
      owner: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'rco',
        uid: DEPLOY_UID,
      },
    }),
    controlled('Pod', {
      name: 'rco-7d9f-abcde',
      namespace: 'rco',
      uid: POD_UID,
      labels: app('rco'),
      owner: {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'rco-7d9f',
        uid: RS_UID,
      },
    }),
    kyvernoReportAbout({
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'rco-7d9f-abcde',
      namespace: 'rco',
      uid: POD_UID,
    }),
    {
      ...sample('deployment'),
      kind: 'StatefulSet',
      metadata: {
        name: 'rco-db',
        namespace: 'rco',
        uid: STS_UID,
        labels: app('rco'),
      },
    },
    kyvernoReportAbout({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      name: 'rco-db',
      namespace: 'rco',
      uid: STS_UID,
    }),
  ];
}

describe('Kubernetes collector: policy reports attributed through their resource', () => {
  let peer: KubeListPeer;
  afterEach(() => peer?.close());

  it("the peer serves the real Kyverno sample's labels, untouched", async () => {
    peer = await KubeListPeer.start({ token: TOKEN, objects: cluster() });
    const served = peer.cluster
      .all()
      .filter(o => o.kind === 'PolicyReport')
      .map(o => o.metadata.labels);
    expect(served).toEqual([
      sample('policyReport').metadata.labels,
      sample('policyReport').metadata.labels,
    ]);
    expect(served[0]).toEqual({ 'app.kubernetes.io/managed-by': 'kyverno' });
  });

  it('attributes a report about a Pod through ReplicaSet → Deployment, and one about a StatefulSet listed in the run, reading metadata only', async () => {
    peer = await KubeListPeer.start({ token: TOKEN, objects: cluster() });
    const result = await run(collector(), [place(peer, 'rco')]);
    expect(reports(result)).toEqual([
      `component:default/rco ${POD_UID}`,
      `component:default/rco ${STS_UID}`,
    ]);
    const gets = peer.requests.filter(r =>
      /\/(pods|replicasets|deployments|statefulsets)\/[^/]+$/.test(r.path),
    );
    expect(gets.map(g => g.path).sort()).toEqual([
      '/api/v1/namespaces/rco/pods/rco-7d9f-abcde',
      '/apis/apps/v1/namespaces/rco/replicasets/rco-7d9f',
    ]);
    for (const g of gets)
      expect(g.accept).toContain('as=PartialObjectMetadata');
    expect(result.health.find(h => h.kind === 'PolicyReport')).toMatchObject({
      ok: true,
      objects: 2,
    });
  });

  it("refuses: a report about another team's Pod is attributed to no one", async () => {
    peer = await KubeListPeer.start({ token: TOKEN, objects: cluster() });
    const result = await run(collector(), [place(peer, 'payments')]);
    expect(reports(result)).toEqual([]);
  });

  it('ambiguity still applies: two entities whose selectors match the workload get neither the report', async () => {
    peer = await KubeListPeer.start({ token: TOKEN, objects: cluster() });
    const wide = place(peer, 'rco-wide');
    const c = collector({
      environments: {
        production: {
          kinds: {
            'policy-report': { labelSelector: 'app.kubernetes.io/name' },
          },
        },
      },
    });
    const result = await run(c, [place(peer, 'rco'), wide]);
    expect(reports(result)).toEqual([]);
    // The note names the namespace's objects: it is that namespace's row (R3 low), not the
    // kind's row every team is shown.
    expect(
      result.health.find(h => h.kind === 'PolicyReport' && !h.namespace)?.note,
    ).toBeUndefined();
    expect(
      result.health.find(
        h => h.kind === 'PolicyReport' && h.namespace === 'rco',
      ),
    ).toMatchObject({
      ok: true,
      note: expect.stringMatching(
        /2 object\(s\) matched the label selectors of more than one entity/,
      ),
    });
  });

  it('lookups are bounded per run and a report left over says why; a refused lookup does not fail the kind', async () => {
    peer = await KubeListPeer.start({ token: TOKEN, objects: cluster() });
    const bounded = await run(collector({ ownerLookups: 1 }), [
      place(peer, 'rco'),
    ]);
    expect(reports(bounded)).toEqual([`component:default/rco ${STS_UID}`]);
    expect(
      bounded.health.find(
        h => h.kind === 'PolicyReport' && h.namespace === 'rco',
      ),
    ).toMatchObject({
      ok: true,
      note: expect.stringContaining(
        'the limit of 1 owner lookups per run was reached',
      ),
    });

    peer.forbidden.add('pods');
    const refused = await run(collector(), [place(peer, 'rco')]);
    expect(reports(refused)).toEqual([`component:default/rco ${STS_UID}`]);
    expect(
      refused.health.find(
        h => h.kind === 'PolicyReport' && h.namespace === 'rco',
      ),
    ).toMatchObject({
      ok: true,
      note: expect.stringContaining('403 Forbidden'),
    });
  });

  it('refuses: a failing report left unattributed (lookup cap, refused lookup, ambiguity) is judged gone (R3 H1)', async () => {
    peer = await KubeListPeer.start({ token: TOKEN, objects: cluster() });
    const check = async (c: KubernetesCollector, places: CollectionPlace[]) => {
      const result = await run(c, places);
      const { accepted } = acceptObjects(
        c,
        places,
        result.objects,
        result.health,
      );
      const scopes = [
        ...listedScopes(c, accepted, {
          places,
          health: result.health,
        }).values(),
      ]
        .flat()
        .filter(s => s.kind === 'PolicyReport');
      expect(scopes.length).toBeGreaterThan(0);
      // Both reports still in the cluster count as seen for every entity's scope.
      for (const s of scopes) expect(new Set(s.seen).size).toBe(2);
    };
    await check(collector({ ownerLookups: 1 }), [place(peer, 'rco')]);
    await check(
      collector({
        environments: {
          production: {
            kinds: {
              'policy-report': { labelSelector: 'app.kubernetes.io/name' },
            },
          },
        },
      }),
      [place(peer, 'rco'), place(peer, 'rco-wide')],
    );
    peer.forbidden.add('pods');
    await check(collector(), [place(peer, 'rco')]);
  });
});
