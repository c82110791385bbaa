import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import type {
  CollectionPlace,
  CollectionResult,
} from '@helix-portal/plugin-rco-node';
import { KubeListPeer } from '../../__testUtils__/kubeListPeer/KubeListPeer';
import { fromSample, many } from '../../__testUtils__/kubeListPeer/objects';
import { builtinParsers } from '../../evidence/parsers';
import { readKubernetesCollectorConfig } from './config';
import { KubernetesCollector } from './KubernetesCollector';

const TOKEN = 'peer-token-7f3a9c2e1b';
const app = (name: string) => ({ 'app.kubernetes.io/name': name });

function rcoObjects() {
  return [
    fromSample('policyReport', {
      name: 'rco-pods',
      namespace: 'rco',
      labels: app('rco'),
    }),
    fromSample('policyReport', {
      name: 'other-pods',
      namespace: 'rco',
      labels: app('other'),
    }),
    fromSample('gatekeeper', {
      name: 'rco-must-have-owner',
      labels: app('rco'),
    }),
    fromSample(
      'veleroBackup',
      { name: 'rco-daily', namespace: 'velero', labels: app('rco') },
      // A backup counts for the places whose namespace it covers (placeScope.ts).
      { includedNamespaces: ['rco'] },
    ),
    fromSample('deployment', {
      name: 'rco',
      namespace: 'rco',
      labels: app('rco'),
    }),
    fromSample('networkPolicy', {
      name: 'rco-default-deny',
      namespace: 'rco',
      labels: app('rco'),
    }),
    fromSample('rollout', {
      name: 'rco',
      namespace: 'rco',
      labels: app('rco'),
    }),
    fromSample('analysisRun', {
      name: 'rco-canary-1',
      namespace: 'rco',
      labels: app('rco'),
    }),
    fromSample('prometheusRule', {
      name: 'rco-slo',
      namespace: 'rco',
      labels: app('rco'),
    }),
  ];
}

function place(
  peer: KubeListPeer,
  over: Partial<CollectionPlace> = {},
): CollectionPlace {
  return {
    entityRef: 'component:default/rco',
    name: 'rco',
    entityNamespace: 'default',
    environment: 'production',
    namespace: 'rco',
    // client-node only speaks plain HTTP to a cluster marked skipTLSVerify.
    cluster: {
      name: 'prod-eu',
      url: peer.url,
      serviceAccountToken: TOKEN,
      skipTLSVerify: true,
    },
    ...over,
  };
}

function collector(extra: object = {}) {
  return new KubernetesCollector(
    readKubernetesCollectorConfig(
      new ConfigReader({ collectors: { kubernetes: { ...extra } } }),
    ),
  );
}

const run = (c: KubernetesCollector, places: CollectionPlace[]) =>
  c.collect({
    places,
    signal: new AbortController().signal,
    logger: mockServices.logger.mock(),
  });

const healthOf = (r: CollectionResult, kind: string) =>
  r.health.find(h => h.kind === kind);

describe('KubernetesCollector against the HTTP peer', () => {
  let peer: KubeListPeer;
  afterEach(() => peer?.close());

  it('discovers what the cluster serves once per run and collects each kind as its evidence kind', async () => {
    peer = await KubeListPeer.start({ token: TOKEN, objects: rcoObjects() });
    const result = await run(collector(), [place(peer)]);
    const kinds = result.objects
      .map(o => `${o.evidenceKind}:${o.provenance.name}`)
      .sort();
    expect(kinds).toEqual([
      'argo-analysis-run:rco-canary-1',
      'argo-rollout:rco',
      'gatekeeper-constraint:rco-must-have-owner',
      'network-policy:rco-default-deny',
      'policy-report:rco-pods',
      'prometheus-rule:rco-slo',
      'velero-backup:rco-daily',
      'workload:rco',
    ]);
    expect(peer.requests.filter(r => r.path === '/apis')).toHaveLength(1);
    // Gatekeeper's kinds are discovered, not hard-coded.
    expect(healthOf(result, 'Gatekeeper constraints')).toMatchObject({
      ok: true,
      objects: 1,
      // The group's row covers the stored constraints of every kind (R3 M5: deleted ones go).
      evidenceKind: 'gatekeeper-constraint',
      listed: [
        result.objects.find(o => o.evidenceKind === 'gatekeeper-constraint')!
          .provenance.uid,
      ],
    });
    expect(result.health.every(h => h.ok)).toBe(true);
    // Every object is a document its evidence kind's parser reads.
    for (const o of result.objects) {
      const parser = builtinParsers.find(p => p.kind === o.evidenceKind)!;
      expect(parser.detect(o.document)).toBe(true);
      expect(() => parser.parse(o.document)).not.toThrow();
    }
    const workload = result.objects.find(o => o.evidenceKind === 'workload')!;
    expect(workload.provenance).toMatchObject({
      collector: 'kubernetes',
      cluster: 'prod-eu',
      namespace: 'rco',
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      name: 'rco',
    });
    expect(workload.provenance.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(workload.provenance.resourceVersion).toMatch(/^\d+$/);
  });

  it('says "not served by this cluster" for a kind whose group is not installed, and still collects the rest', async () => {
    peer = await KubeListPeer.start({ token: TOKEN, objects: rcoObjects() });
    peer.unserved.add('velero.io');
    const result = await run(collector(), [place(peer)]);
    expect(healthOf(result, 'Backup')).toMatchObject({
      ok: true,
      objects: 0,
      note: expect.stringContaining('not served by this cluster'),
    });
    expect(result.objects.some(o => o.evidenceKind === 'velero-backup')).toBe(
      false,
    );
    expect(result.objects.some(o => o.evidenceKind === 'workload')).toBe(true);
  });

  it('reads every page with continue and lists each (resource, namespace) once for all entities', async () => {
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: [
        ...many('deployment', 7, {
          prefix: 'rco',
          namespace: 'rco',
          app: 'rco',
        }),
        ...many('deployment', 5, {
          prefix: 'db',
          namespace: 'rco',
          app: 'rco-db',
        }),
      ],
    });
    const result = await run(collector({ pageSize: 2 }), [
      place(peer),
      place(peer, { entityRef: 'component:default/rco-db', name: 'rco-db' }),
    ]);
    const workloads = result.objects.filter(o => o.evidenceKind === 'workload');
    expect(
      workloads.filter(o => o.entityRef === 'component:default/rco'),
    ).toHaveLength(7);
    expect(
      workloads.filter(o => o.entityRef === 'component:default/rco-db'),
    ).toHaveLength(5);
    const lists = peer.lists('deployments');
    expect(lists).toHaveLength(6);
    expect(lists[0].query.limit).toBe('2');
    expect(lists.slice(1).every(r => r.query.continue)).toBe(true);
  });

  it('starts a new list when the continue token expired (410 Gone), never mixing two snapshots', async () => {
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: many('deployment', 5, {
        prefix: 'rco',
        namespace: 'rco',
        app: 'rco',
      }),
    });
    // The second continued page of the first list finds its token expired.
    peer.expireContinue = { afterPages: 1, times: 1 };
    const result = await run(collector({ pageSize: 2 }), [place(peer)]);
    expect(
      result.objects.filter(o => o.evidenceKind === 'workload'),
    ).toHaveLength(5);
    const lists = peer.lists('deployments');
    expect(lists.filter(r => !r.query.continue).length).toBe(2);
    expect(healthOf(result, 'Deployment')).toMatchObject({
      ok: true,
      objects: 5,
    });
  });

  it('fails the kind with a clear error when every list keeps expiring, and returns none of its objects', async () => {
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: [
        ...many('deployment', 5, {
          prefix: 'rco',
          namespace: 'rco',
          app: 'rco',
        }),
        fromSample('networkPolicy', {
          name: 'rco',
          namespace: 'rco',
          labels: app('rco'),
        }),
      ],
    });
    peer.expireContinue = { afterPages: 0, times: Infinity };
    const result = await run(collector({ pageSize: 2 }), [place(peer)]);
    expect(healthOf(result, 'Deployment')).toMatchObject({
      ok: false,
      error: expect.stringContaining('410 Gone'),
    });
    expect(
      result.objects.filter(o => o.evidenceKind === 'workload'),
    ).toHaveLength(0);
    expect(
      result.objects.filter(o => o.evidenceKind === 'network-policy'),
    ).toHaveLength(1);
  });

  it('a 403 for one kind fails that kind only, in words, and the others are collected', async () => {
    peer = await KubeListPeer.start({ token: TOKEN, objects: rcoObjects() });
    peer.forbidden.add('policyreports');
    const result = await run(collector(), [place(peer)]);
    const h = healthOf(result, 'PolicyReport')!;
    expect(h.ok).toBe(false);
    expect(h.error).toMatch(
      /^the cluster answered 403 Forbidden for policyreports\.wgpolicyk8s\.io in namespace rco: policyreports\.wgpolicyk8s\.io is forbidden: User "system:serviceaccount:rco:rco-backend" cannot list/,
    );
    expect(result.objects.some(o => o.evidenceKind === 'policy-report')).toBe(
      false,
    );
    expect(result.objects.some(o => o.evidenceKind === 'workload')).toBe(true);
    expect(healthOf(result, 'Deployment')!.ok).toBe(true);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it("a 403 on discovering one group fails that group's kinds only", async () => {
    peer = await KubeListPeer.start({ token: TOKEN, objects: rcoObjects() });
    peer.forbiddenPaths.add('/apis/velero.io/v1');
    const result = await run(collector(), [place(peer)]);
    expect(healthOf(result, 'Backup')).toMatchObject({
      ok: false,
      error: expect.stringContaining(
        'the cluster answered 403 Forbidden for /apis/velero.io/v1',
      ),
    });
    expect(healthOf(result, 'Restore')!.ok).toBe(false);
    expect(result.objects.some(o => o.evidenceKind === 'velero-backup')).toBe(
      false,
    );
    expect(result.objects.some(o => o.evidenceKind === 'workload')).toBe(true);
  });

  it('a cluster that answers too slowly fails every kind of that cluster with the timeout', async () => {
    peer = await KubeListPeer.start({ token: TOKEN, objects: rcoObjects() });
    peer.delayMs = 400;
    const result = await run(collector({ timeout: 'PT0.3S' }), [place(peer)]);
    expect(result.objects).toEqual([]);
    expect(result.health.length).toBeGreaterThan(5);
    for (const h of result.health) {
      expect(h.ok).toBe(false);
      expect(h.error).toMatch(
        /^http:\/\/127\.0\.0\.1:\d+ did not answer .* within 0\.3 s \(the collector's timeout per cluster\)$/,
      );
    }
  });

  it('a cluster that is down fails every kind with "could not reach … connection refused"', async () => {
    peer = await KubeListPeer.start({ token: TOKEN, objects: rcoObjects() });
    const url = peer.url;
    await peer.down();
    const result = await run(collector(), [place(peer)]);
    expect(result.objects).toEqual([]);
    expect(result.health.length).toBeGreaterThan(5);
    for (const h of result.health) {
      expect(h).toMatchObject({
        ok: false,
        cluster: 'prod-eu',
        environments: ['production'],
      });
      expect(h.error).toBe(
        `could not reach ${url} for the API group list (/apis): connection refused`,
      );
    }
  });

  it('a refused token fails every kind, and the token is in no error', async () => {
    peer = await KubeListPeer.start({ token: TOKEN, objects: rcoObjects() });
    const p = place(peer);
    p.cluster!.serviceAccountToken = 'wrong-token-abc123';
    const result = await run(collector(), [p]);
    expect(result.objects).toEqual([]);
    for (const h of result.health) {
      expect(h.ok).toBe(false);
      expect(h.error).toContain('401 Unauthorized');
    }
    expect(JSON.stringify(result)).not.toContain('wrong-token-abc123');
  });

  it('one failing cluster does not stop another', async () => {
    peer = await KubeListPeer.start({ token: TOKEN, objects: rcoObjects() });
    const down = await KubeListPeer.start({ token: TOKEN });
    await down.down();
    const result = await run(collector(), [
      place(peer),
      place(peer, {
        environment: 'staging',
        cluster: {
          name: 'staging',
          url: down.url,
          serviceAccountToken: TOKEN,
          skipTLSVerify: true,
        },
      }),
    ]);
    expect(result.objects.every(o => o.environment === 'production')).toBe(
      true,
    );
    expect(result.objects.length).toBe(8);
    expect(
      result.health.filter(h => h.cluster === 'staging').every(h => !h.ok),
    ).toBe(true);
  });

  it('refuses: on an owner refresh, a second entity named rco (another catalog namespace) takes the objects both selectors match', async () => {
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: [
        fromSample('deployment', {
          name: 'rco',
          namespace: 'rco',
          labels: app('rco'),
        }),
        fromSample('networkPolicy', {
          name: 'rco',
          namespace: 'rco',
          labels: app('rco'),
        }),
      ],
    });
    const mine = place(peer);
    const impostor = place(peer, {
      entityRef: 'component:team-b/rco',
      entityNamespace: 'team-b',
    });
    // The impostor's owner refreshes: the default rco is among the other places.
    const result = await collector().collect({
      places: [impostor],
      otherPlaces: [mine, impostor],
      signal: new AbortController().signal,
      logger: mockServices.logger.mock(),
    });
    expect(result.objects).toEqual([]);
    // The note names the namespace's objects: it is that namespace's row (R3 low).
    expect(
      result.health.find(h => h.kind === 'Deployment' && h.namespace === 'rco'),
    ).toMatchObject({
      ok: true,
      objects: 0,
      note: expect.stringContaining(
        'rco/rco (component:team-b/rco in production, component:default/rco in production)',
      ),
    });
    // And the scheduled run, with both entities, gives the objects to neither either.
    const scheduled = await run(collector(), [mine, impostor]);
    expect(scheduled.objects).toEqual([]);
    // Another entity's place only contests objects; it never gets any collected for it.
    const alone = await collector().collect({
      places: [
        place(peer, { entityRef: 'component:default/rco-db', name: 'rco-db' }),
      ],
      otherPlaces: [mine],
      signal: new AbortController().signal,
      logger: mockServices.logger.mock(),
    });
    expect(alone.objects).toEqual([]);
  });

  it('follows the configuration: namespace per kind and environment, label selector templating, kinds turned off', async () => {
    peer = await KubeListPeer.start({
      token: TOKEN,
      objects: [
        fromSample(
          'veleroBackup',
          {
            name: 'b1',
            namespace: 'backups',
            labels: { team: 'default', svc: 'rco' },
          },
          { includedNamespaces: ['rco'] },
        ),
        fromSample(
          'veleroBackup',
          { name: 'b2', namespace: 'velero', labels: app('rco') },
          { includedNamespaces: ['rco'] },
        ),
        ...rcoObjects().filter(o => o.kind === 'Deployment'),
      ],
    });
    const c = collector({
      kinds: { 'network-policy': { enabled: false } },
      environments: {
        production: {
          kinds: {
            'velero-backup': {
              namespace: 'backups',
              labelSelector: 'svc={name},team in ({namespace})',
            },
          },
        },
      },
    });
    const result = await run(c, [place(peer)]);
    expect(
      result.objects
        .map(
          o =>
            `${o.evidenceKind}:${o.provenance.namespace}/${o.provenance.name}`,
        )
        .sort(),
    ).toEqual(['velero-backup:backups/b1', 'workload:rco/rco']);
    expect(healthOf(result, 'NetworkPolicy')).toBeUndefined();
  });
});

describe('KubernetesCollector.namespacesRead', () => {
  const at = { url: 'http://127.0.0.1:1' } as KubeListPeer;

  it('names the place’s namespace and each enabled kind’s fixed one, per environment', () => {
    const c = collector({
      kinds: { 'velero-restore': { namespace: 'restores' } },
      environments: {
        staging: { kinds: { 'velero-backup': { namespace: 'backups-stg' } } },
        production: { kinds: { 'velero-restore': { enabled: false } } },
      },
    });
    expect(c.namespacesRead(place(at)).sort()).toEqual(['rco', 'velero']);
    expect(
      c.namespacesRead(place(at, { environment: 'staging' })).sort(),
    ).toEqual(['backups-stg', 'rco', 'restores']);
  });

  it('names nothing for a place without a cluster, or when the collector is off', () => {
    expect(
      collector().namespacesRead(place(at, { cluster: undefined })),
    ).toEqual([]);
    expect(collector({ enabled: false }).namespacesRead(place(at))).toEqual([]);
  });
});
