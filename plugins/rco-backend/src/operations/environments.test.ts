import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { Environments } from './environments';

const config = (rco: object, clusters: object[] = []) =>
  new ConfigReader({
    kubernetes: {
      clusterLocatorMethods: [
        { type: 'catalog' },
        { type: 'config', clusters },
      ],
    },
    rco,
  });

const cluster = {
  name: 'prod-eu',
  url: 'https://k8s.example.com',
  authProvider: 'serviceAccount',
  serviceAccountToken: 'secret-token',
  caData: 'Q0E=',
};

const entity = (annotations: Record<string, string> = {}): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'rco', namespace: 'default', annotations },
  spec: {},
});

describe('Environments', () => {
  it('takes clusters from the Kubernetes plugin configuration and defaults from the entity', () => {
    const envs = Environments.fromConfig(
      config(
        {
          environments: [
            {
              name: 'production',
              driver: 'helm',
              cluster: 'prod-eu',
              namespace: 'rco',
              helm: { chart: 'oci://charts/rco', values: { replicas: 3 } },
              timeout: 'PT15M',
              requiredSignoffs: ['po', 'dpo', 'security'],
            },
          ],
        },
        [cluster],
      ),
    );
    const target = envs.target(entity(), 'production');
    expect(target).toMatchObject({
      entityRef: 'component:default/rco',
      driver: 'helm',
      namespace: 'rco',
      timeoutMs: 15 * 60_000,
      cluster: {
        name: 'prod-eu',
        url: 'https://k8s.example.com',
        serviceAccountToken: 'secret-token',
        caData: 'Q0E=',
      },
      helm: {
        release: 'rco',
        chart: 'oci://charts/rco',
        values: { replicas: 3 },
      },
      rollout: { name: 'rco' },
    });
    expect(envs.get('production').requiredSignoffs).toEqual([
      'po',
      'dpo',
      'security',
    ]);
  });

  it('never lets an annotation pick the chart, the image or a namespace the environment does not allow', () => {
    const envs = Environments.fromConfig(
      config({
        environments: [
          {
            name: 'prod',
            driver: 'helm',
            namespace: 'rco',
            helm: { chart: 'oci://charts/rco' },
            imageRepository: 'registry/{name}',
          },
        ],
      }),
    );
    const sneaky = entity({
      'rco.helix.dev/helm-chart': 'https://evil.example/pwn-1.0.0.tgz',
      'rco.helix.dev/image-repository': 'evil/rco',
    });
    expect(envs.target(sneaky, 'prod').helm?.chart).toBe('oci://charts/rco');
    expect(
      envs.imageFor(sneaky, 'prod', { version: '1', digest: 'sha256:abc' }),
    ).toBe('registry/rco@sha256:abc');
    expect(() =>
      envs.target(entity({ 'rco.helix.dev/namespace': 'payments' }), 'prod'),
    ).toThrow(/namespace "payments" is not allowed in prod/);
    expect(() =>
      envs.target(entity({ 'rco.helix.dev/helm-release': '--set=x' }), 'prod'),
    ).toThrow(/not a Kubernetes name/);
    // Two entities naming one release share one lock: they cannot change it at the same time.
    const a = envs.target(
      entity({ 'rco.helix.dev/helm-release': 'shared' }),
      'prod',
    );
    const b = envs.target(
      {
        ...entity({ 'rco.helix.dev/helm-release': 'shared' }),
        metadata: {
          name: 'other',
          namespace: 'default',
          annotations: { 'rco.helix.dev/helm-release': 'shared' },
        },
      },
      'prod',
    );
    expect(envs.lockKey(a, false)).toBe(envs.lockKey(b, false));
  });

  it('gives a configured binding its target whatever the annotations say, keyed like the lock', () => {
    const envs = Environments.fromConfig(
      config(
        {
          environments: [
            {
              name: 'production',
              driver: 'helm',
              cluster: 'prod-eu',
              namespace: 'apps',
              helm: { chart: 'oci://charts/rco' },
              bindings: [
                { entity: 'Component:default/RCO', name: 'rco-prod' },
                { entity: 'component:default/payments', namespace: 'payments' },
              ],
            },
          ],
        },
        [cluster],
      ),
    );
    const annotated = entity({
      'rco.helix.dev/helm-release': 'payments',
      'rco.helix.dev/namespace': 'payments',
    });
    const target = envs.target(annotated, 'production');
    expect(target).toMatchObject({
      namespace: 'apps',
      helm: { release: 'rco-prod' },
      rollout: { name: 'rco-prod' },
    });
    const server = 'k8s.example.com';
    expect(envs.lockKey(target, false)).toBe(`${server}:443|apps|rco-prod`);
    expect([...envs.configuredBindings]).toEqual([
      [`${server}:443|apps|rco-prod`, 'component:default/rco'],
      [`${server}:443|payments|payments`, 'component:default/payments'],
    ]);
  });

  it('lets an entity differ through annotations, per environment first', () => {
    const envs = Environments.fromConfig(
      config({
        environments: [
          {
            name: 'staging',
            driver: 'argo-rollouts',
            namespace: 'apps',
            allowedNamespaces: ['apps', 'rco-all', 'rco-staging'],
            imageRepository: 'registry/rco',
          },
        ],
      }),
    );
    const annotated = entity({
      'rco.helix.dev/namespace': 'rco-all',
      'rco.helix.dev/namespace.staging': 'rco-staging',
      'rco.helix.dev/rollout': 'rco-canary',
    });
    expect(envs.target(annotated, 'staging')).toMatchObject({
      namespace: 'rco-staging',
      rollout: { name: 'rco-canary' },
    });
    expect(
      envs.imageFor(annotated, 'staging', {
        version: '1.5.0',
        digest: 'sha256:abc',
      }),
    ).toBe('registry/rco@sha256:abc');
    expect(envs.imageFor(entity(), 'staging', { version: '1.5.0' })).toBe(
      'registry/rco:1.5.0',
    );
  });

  it.each([
    [
      { environments: [{ name: 'prod', driver: 'helm', cluster: 'nowhere' }] },
      /cluster "nowhere" is not a cluster of kubernetes.clusterLocatorMethods/,
    ],
    [
      { environments: [{ name: 'Prod!', driver: 'helm' }] },
      /"Prod!" is not a valid environment name/,
    ],
    [
      {
        environments: [
          { name: 'a', driver: 'helm' },
          { name: 'a', driver: 'helm' },
        ],
      },
      /"a" is declared twice/,
    ],
    [
      {
        environments: [
          { name: 'a', driver: 'helm', requiredSignoffs: ['cto'] },
        ],
      },
      /"cto" is not one of po, dpo, security/,
    ],
    [
      { environments: [{ name: 'a', driver: 'helm', timeout: '10 minutes' }] },
      /must be an ISO 8601 duration/,
    ],
    [
      {
        environments: [
          {
            name: 'a',
            driver: 'helm',
            bindings: [
              { entity: 'component:default/payments' },
              { entity: 'component:sandbox/x', name: 'payments' },
            ],
          },
        ],
      },
      /default\/payments is bound to both component:default\/payments and component:sandbox\/x/,
    ],
    [
      {
        environments: [
          {
            name: 'a',
            driver: 'helm',
            bindings: [
              { entity: 'component:default/payments' },
              { entity: 'Component:default/Payments', name: 'other' },
            ],
          },
        ],
      },
      /component:default\/payments is bound twice/,
    ],
    [
      {
        environments: [
          {
            name: 'a',
            driver: 'helm',
            bindings: [{ entity: 'component:default/x', name: '--set=y' }],
          },
        ],
      },
      /not a Kubernetes name/,
    ],
  ])('refuses bad configuration at start: %j', (rco, message) => {
    expect(() => Environments.fromConfig(config(rco))).toThrow(message);
  });

  it('refuses at start one release bound to two entities through two environments or two names of one cluster', () => {
    const alias = {
      ...cluster,
      name: 'prod-eu-alias',
      url: 'HTTPS://K8S.example.com:443/',
    };
    const env = (name: string, clusterName: string, boundTo: string) => ({
      name,
      driver: 'helm',
      cluster: clusterName,
      namespace: 'payments',
      bindings: [{ entity: boundTo, name: 'payments' }],
    });
    expect(() =>
      Environments.fromConfig(
        config(
          {
            environments: [
              env('production', 'prod-eu', 'component:default/payments'),
              env('production-b', 'prod-eu-alias', 'component:sandbox/x'),
            ],
          },
          [cluster, alias],
        ),
      ),
    ).toThrow(
      /bound to both component:default\/payments and component:sandbox\/x/,
    );
    // One entity bound in both is one binding of one release.
    const envs = Environments.fromConfig(
      config(
        {
          environments: [
            env('production', 'prod-eu', 'component:default/payments'),
            env('production-b', 'prod-eu', 'component:default/payments'),
          ],
        },
        [cluster, alias],
      ),
    );
    expect([...envs.configuredBindings]).toEqual([
      ['k8s.example.com:443|payments|payments', 'component:default/payments'],
    ]);
  });

  it('works out the key a claim recorded under the older key format holds now', () => {
    const alias = {
      ...cluster,
      name: 'prod-eu-alias',
      url: 'https://k8s.example.com:443',
    };
    const envs = Environments.fromConfig(
      config(
        {
          environments: [
            { name: 'production', driver: 'helm', cluster: 'prod-eu' },
          ],
        },
        [cluster, alias],
      ),
    );
    const row = (c: string | undefined, targetKey: string) => ({
      targetKey,
      entityRef: 'component:default/payments',
      environment: 'production',
      cluster: c,
      namespace: 'payments',
      driver: 'helm',
      name: 'payments',
      claimedBy: 'user:default/alice',
      claimedAt: new Date(),
    });
    expect(
      envs.claimKey(
        row('prod-eu', 'production|prod-eu|payments|helm|payments'),
      ),
    ).toBe('k8s.example.com:443|payments|payments');
    expect(
      envs.claimKey(
        row(
          'prod-eu-alias',
          'staging|prod-eu-alias|payments|argo-rollouts|payments',
        ),
      ),
    ).toBe('k8s.example.com:443|payments|payments');
    expect(
      envs.claimKey(row(undefined, 'production||payments|helm|payments')),
    ).toBe('own-context|payments|payments');
    // A cluster no longer configured: the claim keeps its key and holds nothing reachable.
    expect(
      envs.claimKey(row('gone', 'production|gone|payments|helm|payments')),
    ).toBe('production|gone|payments|helm|payments');
  });

  it('answers an unknown environment with the configured ones', () => {
    const envs = Environments.fromConfig(
      config({ environments: [{ name: 'staging', driver: 'simulated' }] }),
    );
    expect(() => envs.get('moon')).toThrow(
      'Unknown environment "moon"; configured: staging',
    );
  });
});
