import { Entity } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { DeployTarget } from '@internal/plugin-rco-node';
import { TargetClaimRow, TargetClaimStore } from '../database/TargetClaimStore';
import {
  decideBinding,
  kindAllowed,
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
  async claim(row: Omit<TargetClaimRow, 'claimedAt'>) {
    const held = this.rows.get(row.targetKey);
    if (held) return { claim: held, won: false };
    const claim = { ...row, claimedAt: new Date() };
    this.rows.set(row.targetKey, claim);
    return { claim, won: true };
  }
}

describe('targetKey', () => {
  it('is one lowercase string of environment, cluster, namespace, driver and name', () => {
    const target = helmTarget('component:default/payments', 'Payments');
    expect(targetKey(targetParts(target), false, target.entityRef)).toBe(
      'production|prod-eu|payments|helm|payments',
    );
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
  const key = 'production|prod-eu|payments|helm|payments';
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
    jest.spyOn(store, 'get').mockImplementationOnce(async k => {
      await store.claim({
        targetKey: k,
        entityRef: 'component:other/payments',
        environment: 'production',
        namespace: 'payments',
        driver: 'helm',
        name: 'payments',
        claimedBy: 'user:default/bob',
      });
      return undefined;
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
});
