import { Entity } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { DeployTarget } from '@helix-portal/plugin-rco-node';
import { TargetClaimRow, TargetClaimStore } from '../database/TargetClaimStore';
import {
  clusterIdentity,
  decideBinding,
  kindAllowed,
  legacyTargetKey,
  TargetBindings,
  targetKey,
  targetParts,
} from './targetBinding';

const entity = (kind: string, name = 'payments', namespace = 'default') =>
  ({
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace },
    spec: {},
  } as Entity);

const helmTarget = (entityRef: string, release = 'payments'): DeployTarget =>
  ({
    entityRef,
    environment: 'production',
    driver: 'helm',
    cluster: { name: 'prod-eu', url: 'https://k8s.example' },
    namespace: 'payments',
    helm: { release, chart: 'payments' },
    rollout: { name: 'ignored' },
    timeoutMs: 1,
  } as DeployTarget);

/** A claim store in memory: the first claim of a key wins, like the primary key. */
class MemoryClaims implements TargetClaimStore {
  readonly rows = new Map<string, TargetClaimRow>();
  async get(key: string) {
    return this.rows.get(key);
  }
  async listByName(namespace: string, name: string) {
    return [...this.rows.values()].filter(
      r =>
        r.namespace.toLowerCase() === namespace &&
        r.name.toLowerCase() === name,
    );
  }
  async claim(row: Omit<TargetClaimRow, 'claimedAt'>) {
    const held = this.rows.get(row.targetKey);
    if (held) return { claim: held, won: false };
    const claim = { ...row, claimedAt: new Date() };
    this.rows.set(row.targetKey, claim);
    return { claim, won: true };
  }
}

describe('targetKey', () => {
  it('is one lowercase string of the cluster URL, the namespace and the name', () => {
    const target = helmTarget('component:default/payments', 'Payments');
    expect(targetKey(targetParts(target), false, target.entityRef)).toBe(
      'k8s.example:443|payments|payments',
    );
    expect(legacyTargetKey(targetParts(target))).toBe(
      'production|prod-eu|payments|helm|payments',
    );
  });

  it('is one key for one release, whatever the environment, the cluster entry or the driver is called', () => {
    const base = helmTarget('component:default/payments');
    const variants: DeployTarget[] = [
      { ...base, environment: 'production-eu' },
      { ...base, cluster: { name: 'alias', url: 'HTTPS://K8S.Example:443/' } },
      { ...base, cluster: { name: 'prod-eu', url: 'https://k8s.example./' } },
      {
        ...base,
        driver: 'argo-rollouts',
        rollout: { name: 'payments' },
      },
    ];
    const key = targetKey(targetParts(base), false, base.entityRef);
    for (const v of variants)
      expect(targetKey(targetParts(v), false, v.entityRef)).toBe(key);
    // Another server, port or namespace is another release.
    for (const v of [
      {
        ...base,
        cluster: { name: 'prod-eu', url: 'https://k8s.example:6443' },
      },
      { ...base, cluster: { name: 'prod-eu', url: 'https://k8s-2.example' } },
      { ...base, namespace: 'other' },
      { ...base, cluster: undefined },
    ]) {
      expect(targetKey(targetParts(v), false, v.entityRef)).not.toBe(key);
    }
  });

  it.each([
    ['https://k8s.example', 'k8s.example:443'],
    ['https://K8S.EXAMPLE:443/', 'k8s.example:443'],
    ['  https://k8s.example./  ', 'k8s.example:443'],
    ['http://k8s.example', 'k8s.example:80'],
    ['http://k8s.example:80/', 'k8s.example:80'],
    ['https://k8s.example:6443', 'k8s.example:6443'],
    ['https://10.0.0.1:6443/?x=1#y', '10.0.0.1:6443'],
    ['https://[::1]:6443/', '[::1]:6443'],
    [
      'https://rancher.example/k8s/clusters/c-1/',
      'rancher.example:443/k8s/clusters/c-1',
    ],
    ['https://p.example/a|b', 'p.example:443/a%7Cb'],
    ['not a url', 'unparsed:not a url'],
  ])('clusterIdentity(%j) is %j', (url, identity) => {
    expect(clusterIdentity(url)).toBe(identity);
  });

  it('does not depend on which entity asks, except in the simulated cluster', () => {
    const a = helmTarget('component:default/payments');
    const b = helmTarget('api:other/payments');
    expect(targetKey(targetParts(a), false, a.entityRef)).toBe(
      targetKey(targetParts(b), false, b.entityRef),
    );
    expect(targetKey(targetParts(a), true, a.entityRef)).not.toBe(
      targetKey(targetParts(b), true, b.entityRef),
    );
  });

  it('names the Rollout for drivers other than helm', () => {
    const target = {
      ...helmTarget('component:default/payments'),
      driver: 'argo-rollouts',
    };
    expect(targetParts(target).name).toBe('ignored');
  });
});

describe('decideBinding', () => {
  it.each([
    [{ configured: 'component:default/payments' }, 'configured'],
    [{ configured: 'Component:default/Payments' }, 'configured'],
    [{ configured: 'component:other/payments' }, 'elsewhere'],
    [
      {
        configured: 'component:other/payments',
        claim: { entityRef: 'component:default/payments' },
      },
      'elsewhere',
    ],
    [{ claim: { entityRef: 'component:default/payments' } }, 'claimed'],
    [{ claim: { entityRef: 'api:default/payments' } }, 'elsewhere'],
    [{}, 'unclaimed'],
  ])('%j → %s', (input, decision) => {
    expect(
      decideBinding({ entityRef: 'component:default/payments', ...input }),
    ).toBe(decision);
  });
});

describe('kindAllowed', () => {
  it('compares kinds case-insensitively', () => {
    expect(kindAllowed(entity('component'), ['Component'])).toBe(true);
    expect(kindAllowed(entity('API'), ['Component'])).toBe(false);
    expect(kindAllowed(entity('Resource'), ['component', 'RESOURCE'])).toBe(
      true,
    );
  });
});

describe('TargetBindings', () => {
  const key = 'k8s.example:443|payments|payments';
  const make = (configured = new Map<string, string>()) => {
    const store = new MemoryClaims();
    return {
      store,
      bindings: new TargetBindings({
        entityKinds: ['Component'],
        configured,
        store,
      }),
    };
  };

  it('refuses kinds that may not operate, without a word about targets', () => {
    const { bindings } = make();
    expect(() => bindings.assertKind(entity('API'))).toThrow(NotAllowedError);
    expect(() => bindings.assertKind(entity('API'))).toThrow(
      /^Entities of kind API do not deploy/,
    );
    expect(() => bindings.assertKind(entity('Component'))).not.toThrow();
  });

  it('lets the first entity claim an unclaimed target and nobody else afterwards', async () => {
    const { bindings, store } = make();
    const owner = entity('Component');
    const other = entity('Component', 'payments', 'other');
    await expect(
      bindings.holdOrClaim(
        owner,
        helmTarget('component:default/payments'),
        key,
        'user:default/alice',
      ),
    ).resolves.toBe('claimed');
    expect(store.rows.get(key)).toMatchObject({
      entityRef: 'component:default/payments',
      claimedBy: 'user:default/alice',
      name: 'payments',
      namespace: 'payments',
      cluster: 'prod-eu',
    });
    const refused = bindings.holdOrClaim(
      other,
      helmTarget('component:other/payments'),
      key,
      'user:default/bob',
    );
    await expect(refused).rejects.toThrow(NotAllowedError);
    await expect(refused).rejects.not.toThrow(/component:default\/payments/);
    await expect(
      bindings.decide('component:default/payments', key),
    ).resolves.toBe('claimed');
  });

  it('keeps a configured target for its entity even against an older claim', async () => {
    const { bindings, store } = make(
      new Map([[key, 'component:default/payments']]),
    );
    await store.claim({
      targetKey: key,
      entityRef: 'component:other/payments',
      environment: 'production',
      namespace: 'payments',
      driver: 'helm',
      name: 'payments',
      claimedBy: 'user:default/bob',
    });
    await expect(
      bindings.holdOrClaim(
        entity('Component', 'payments', 'other'),
        helmTarget('component:other/payments'),
        key,
        'user:default/bob',
      ),
    ).rejects.toThrow(NotAllowedError);
    await expect(
      bindings.holdOrClaim(
        entity('Component'),
        helmTarget('component:default/payments'),
        key,
        'user:default/alice',
      ),
    ).resolves.toBe('configured');
  });

  it('never records a claim on a configured target', async () => {
    const { bindings, store } = make(
      new Map([[key, 'component:default/payments']]),
    );
    await expect(
      bindings.holdOrClaim(
        entity('Component', 'payments', 'other'),
        helmTarget('component:other/payments'),
        key,
        'user:default/bob',
      ),
    ).rejects.toThrow(NotAllowedError);
    expect(store.rows.size).toBe(0);
  });

  it('treats a simulated target as the entity’s own, without a claim', async () => {
    const { bindings, store } = make();
    const simulatedKey = 'staging|entity|component:default/payments';
    await expect(
      bindings.decide('component:default/payments', simulatedKey, true),
    ).resolves.toBe('own');
    await expect(
      bindings.holdOrClaim(
        entity('Component'),
        { ...helmTarget('component:default/payments'), driver: 'simulated' },
        simulatedKey,
        'user:default/alice',
        true,
      ),
    ).resolves.toBe('own');
    expect(store.rows.size).toBe(0);
  });

  it('answers a lost race with 403', async () => {
    const { bindings, store } = make();
    // The other entity's claim lands between this one's read and its insert.
    const get = store.get.bind(store);
    jest.spyOn(store, 'listByName').mockImplementationOnce(async () => {
      await store.claim({
        targetKey: key,
        entityRef: 'component:other/payments',
        environment: 'production',
        namespace: 'payments',
        driver: 'helm',
        name: 'payments',
        claimedBy: 'user:default/bob',
      });
      return [];
    });
    await expect(
      bindings.holdOrClaim(
        entity('Component'),
        helmTarget('component:default/payments'),
        key,
        'user:default/alice',
      ),
    ).rejects.toThrow(NotAllowedError);
    await expect(get(key)).resolves.toMatchObject({
      entityRef: 'component:other/payments',
    });
  });

  it('refuses a first claim of a release that exists with history, without naming anyone', async () => {
    const { bindings, store } = make();
    const refused = bindings.holdOrClaim(
      entity('Component'),
      helmTarget('component:default/payments'),
      key,
      'user:default/alice',
      false,
      async () => true,
    );
    await expect(refused).rejects.toThrow(NotAllowedError);
    await expect(refused).rejects.toThrow(
      /release exists and is not bound to this entity: bind it in rco\.environments\[\]\.bindings/,
    );
    expect(store.rows.size).toBe(0);
  });

  it('refuses a first claim when it cannot tell whether the release exists, hiding why', async () => {
    const { bindings, store } = make();
    const refused = bindings.holdOrClaim(
      entity('Component'),
      helmTarget('component:default/payments'),
      key,
      'user:default/alice',
      false,
      async () => {
        throw new Error('Unauthorized (Bearer s3cr3t)');
      },
    );
    await expect(refused).rejects.toThrow(/could not tell whether/);
    await expect(refused).rejects.not.toThrow(/s3cr3t/);
    expect(store.rows.size).toBe(0);
  });

  it('claims a release that does not exist yet, and lets configuration bind one that does', async () => {
    const { bindings } = make();
    await expect(
      bindings.holdOrClaim(
        entity('Component'),
        helmTarget('component:default/payments'),
        key,
        'user:default/alice',
        false,
        async () => false,
      ),
    ).resolves.toBe('claimed');
    const configured = make(new Map([[key, 'component:default/payments']]));
    const probe = jest.fn(async () => true);
    await expect(
      configured.bindings.holdOrClaim(
        entity('Component'),
        helmTarget('component:default/payments'),
        key,
        'user:default/alice',
        false,
        probe,
      ),
    ).resolves.toBe('configured');
    expect(probe).not.toHaveBeenCalled();
  });

  it('gives one release to the oldest of the claims recorded under keys that told it apart', async () => {
    const { store } = make();
    const bindings = new TargetBindings({
      entityKinds: ['Component'],
      configured: new Map(),
      store,
      // What Environments.claimKey does: both cluster names reach k8s.example.
      keyOfClaim: () => key,
    });
    const legacy = (
      entityRef: string,
      cluster: string,
      claimedAt: string,
    ): TargetClaimRow => ({
      targetKey: `production|${cluster}|payments|helm|payments`,
      entityRef,
      environment: 'production',
      cluster,
      namespace: 'payments',
      driver: 'helm',
      name: 'payments',
      claimedBy: 'user:default/alice',
      claimedAt: new Date(claimedAt),
    });
    const later = legacy('component:other/payments', 'alias', '2026-02-01');
    const first = legacy('component:default/payments', 'prod-eu', '2026-01-01');
    store.rows.set(later.targetKey, later);
    store.rows.set(first.targetKey, first);
    await expect(
      bindings.decide('component:default/payments', key),
    ).resolves.toBe('claimed');
    await expect(
      bindings.decide('component:other/payments', key),
    ).resolves.toBe('elsewhere');
  });

  it('lets first claims wait for the claims carried over from past operations', async () => {
    const { bindings, store } = make();
    let finish!: () => void;
    bindings.awaitBackfill(
      new Promise<void>(r => {
        finish = r;
      }).then(() => {
        store.rows.set(key, {
          targetKey: key,
          entityRef: 'component:other/payments',
          environment: 'production',
          namespace: 'payments',
          driver: 'helm',
          name: 'payments',
          claimedBy: 'rco-backfill:operation/1',
          claimedAt: new Date(),
        });
      }),
    );
    const asked = bindings.holdOrClaim(
      entity('Component'),
      helmTarget('component:default/payments'),
      key,
      'user:default/alice',
      false,
      async () => false,
    );
    await new Promise(r => setTimeout(r, 20));
    expect(store.rows.size).toBe(0);
    finish();
    await expect(asked).rejects.toThrow(NotAllowedError);
  });
});
