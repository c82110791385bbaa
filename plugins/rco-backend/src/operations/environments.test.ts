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
      cluster: { name: 'prod-eu', url: 'https://k8s.example.com', serviceAccountToken: 'secret-token', caData: 'Q0E=' },
      helm: { release: 'rco', chart: 'oci://charts/rco', values: { replicas: 3 } },
      rollout: { name: 'rco' },
    });
    expect(envs.get('production').requiredSignoffs).toEqual(['po', 'dpo', 'security']);
  });

  it('lets an entity differ through annotations, per environment first', () => {
    const envs = Environments.fromConfig(
      config({
        environments: [
          { name: 'staging', driver: 'argo-rollouts', namespace: 'apps', imageRepository: 'registry/rco' },
        ],
      }),
    );
    const annotated = entity({
      'rco.helix.dev/namespace': 'rco-all',
      'rco.helix.dev/namespace.staging': 'rco-staging',
      'rco.helix.dev/rollout': 'rco-canary',
      'rco.helix.dev/image-repository': 'registry/rco-custom',
    });
    expect(envs.target(annotated, 'staging')).toMatchObject({
      namespace: 'rco-staging',
      rollout: { name: 'rco-canary' },
    });
    expect(envs.imageFor(annotated, 'staging', { version: '1.5.0', digest: 'sha256:abc' })).toBe(
      'registry/rco-custom@sha256:abc',
    );
    expect(envs.imageFor(entity(), 'staging', { version: '1.5.0' })).toBe('registry/rco:1.5.0');
  });

  it.each([
    [{ environments: [{ name: 'prod', driver: 'helm', cluster: 'nowhere' }] }, /cluster "nowhere" is not a cluster of kubernetes.clusterLocatorMethods/],
    [{ environments: [{ name: 'Prod!', driver: 'helm' }] }, /"Prod!" is not a valid environment name/],
    [{ environments: [{ name: 'a', driver: 'helm' }, { name: 'a', driver: 'helm' }] }, /"a" is declared twice/],
    [{ environments: [{ name: 'a', driver: 'helm', requiredSignoffs: ['cto'] }] }, /"cto" is not one of po, dpo, security/],
    [{ environments: [{ name: 'a', driver: 'helm', timeout: '10 minutes' }] }, /must be an ISO 8601 duration/],
  ])('refuses bad configuration at start: %j', (rco, message) => {
    expect(() => Environments.fromConfig(config(rco))).toThrow(message);
  });

  it('answers an unknown environment with the configured ones', () => {
    const envs = Environments.fromConfig(config({ environments: [{ name: 'staging', driver: 'simulated' }] }));
    expect(() => envs.get('moon')).toThrow('Unknown environment "moon"; configured: staging');
  });
});
