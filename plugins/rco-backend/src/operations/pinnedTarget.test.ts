import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { TargetClaimRow, TargetClaimStore } from '../database/TargetClaimStore';
import { Environments } from './environments';
import { isPinnedKey, pinnedTarget, TargetMovedError } from './pinnedTarget';
import { TargetBindings } from './targetBinding';

const KEY = 'k8s.example:443|shop|ledger-ui';

const entity = (annotations: Record<string, string> = {}): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'ledger-ui', namespace: 'default', annotations },
  spec: {},
});

const environments = (bindings: object[] = []) =>
  Environments.fromConfig(
    new ConfigReader({
      rco: {
        environments: [
          {
            name: 'production',
            driver: 'helm',
            cluster: 'prod-eu',
            namespace: 'shop',
            allowedNamespaces: ['shop', 'other'],
            helm: { chart: 'oci://charts/shop' },
            bindings,
          },
          { name: 'staging', driver: 'simulated' },
        ],
      },
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [{ name: 'prod-eu', url: 'https://k8s.example' }],
          },
        ],
      },
    }),
  );

/** Claims in memory, keyed like the table. */
const claims = (rows: Record<string, string>): TargetClaimStore => ({
  get: async key =>
    rows[key]
      ? ({ targetKey: key, entityRef: rows[key] } as TargetClaimRow)
      : undefined,
  listByName: async (namespace, name) =>
    Object.keys(rows)
      .filter(key => key.endsWith(`|${namespace}|${name}`))
      .map(
        key =>
          ({
            targetKey: key,
            entityRef: rows[key],
            claimedAt: new Date(0),
          } as TargetClaimRow),
      ),
  claim: async () => {
    throw new Error('no claims after creation');
  },
});

const deps = (
  o: { bindings?: object[]; claimed?: Record<string, string> } = {},
) => {
  const envs = environments(o.bindings);
  return {
    environments: envs,
    bindings: new TargetBindings({
      entityKinds: ['Component'],
      configured: envs.configuredBindings,
      store: claims(o.claimed ?? { [KEY]: 'component:default/ledger-ui' }),
    }),
  };
};

const op = (lockKey = KEY, environment = 'production') => ({
  id: 'op-1',
  entityRef: 'component:default/ledger-ui',
  environment,
  lockKey,
});

describe('isPinnedKey', () => {
  it.each([
    [KEY, KEY, true],
    // Recorded before keys were lowercased: the same target.
    ['K8S.example:443|shop|Ledger-UI', KEY, true],
    [KEY, 'k8s.example:443|shop|payments', false],
    [KEY, 'k8s.example:443|other|ledger-ui', false],
    // Ended: it holds no target any more, so it may act on none.
    [undefined, KEY, false],
  ])('recorded %s, now %s: %s', (recorded, current, expected) => {
    expect(isPinnedKey(recorded, current)).toBe(expected);
  });
});

describe('pinnedTarget', () => {
  it('gives the target the operation was created for while the entity still names it', async () => {
    const target = await pinnedTarget(deps(), entity(), op(), false);
    expect(target.helm?.release).toBe('ledger-ui');
    expect(target.cluster?.url).toBe('https://k8s.example');
  });

  it.each([
    ['a release', { 'rco.helix.dev/helm-release': 'payments' }],
    [
      'a release for this environment',
      {
        'rco.helix.dev/helm-release.production': 'payments',
      },
    ],
    ['a namespace', { 'rco.helix.dev/namespace': 'other' }],
  ])(
    'refuses when the annotations now name another %s, naming neither target',
    async (_what, annotations) => {
      const refused = pinnedTarget(deps(), entity(annotations), op(), false);
      await expect(refused).rejects.toThrow(TargetMovedError);
      await expect(refused).rejects.toThrow(
        /now name another target.*Put the entity's deploy annotations back/,
      );
      await expect(refused).rejects.not.toThrow(/payments|\bother\b/);
    },
  );

  it('refuses, in words, when the annotations no longer name a valid target', async () => {
    await expect(
      pinnedTarget(
        deps(),
        entity({ 'rco.helix.dev/namespace': 'kube-system' }),
        op(),
        false,
      ),
    ).rejects.toThrow(/no longer name a valid target.*not allowed/);
  });

  it('keeps an operation that was active during the upgrade to keys by cluster URL on its target', async () => {
    const target = await pinnedTarget(
      deps(),
      entity(),
      { ...op(), lockKey: 'production|prod-eu|shop|helm|ledger-ui' },
      false,
    );
    expect(target.helm?.release).toBe('ledger-ui');
    await expect(
      pinnedTarget(
        deps(),
        entity({ 'rco.helix.dev/helm-release': 'payments' }),
        { ...op(), lockKey: 'production|prod-eu|shop|helm|ledger-ui' },
        false,
      ),
    ).rejects.toThrow(TargetMovedError);
  });

  it('refuses an operation that no longer holds a lock', async () => {
    await expect(
      pinnedTarget(deps(), entity(), { ...op(), lockKey: undefined }, false),
    ).rejects.toThrow(/no longer holds that target/);
  });

  it('refuses when configuration has bound the target to another entity since', async () => {
    await expect(
      pinnedTarget(
        deps({
          bindings: [
            { entity: 'component:default/payments', name: 'ledger-ui' },
          ],
        }),
        entity(),
        op(),
        false,
      ),
    ).rejects.toThrow(/no longer bound to this entity/);
  });

  it('refuses when the claim was released by an operator since', async () => {
    await expect(
      pinnedTarget(deps({ claimed: {} }), entity(), op(), false),
    ).rejects.toThrow(/no longer bound to this entity/);
  });

  it('holds a configured binding whatever the annotations say', async () => {
    const target = await pinnedTarget(
      deps({
        bindings: [{ entity: 'component:default/ledger-ui' }],
        claimed: {},
      }),
      entity({ 'rco.helix.dev/helm-release': 'payments' }),
      op(),
      false,
    );
    expect(target.helm?.release).toBe('ledger-ui');
  });

  it('keys the simulated cluster by the entity, so annotations cannot move it', async () => {
    const target = await pinnedTarget(
      deps(),
      entity({ 'rco.helix.dev/helm-release': 'payments' }),
      op('staging|entity|component:default/ledger-ui', 'staging'),
      true,
    );
    expect(target.entityRef).toBe('component:default/ledger-ui');
  });
});
