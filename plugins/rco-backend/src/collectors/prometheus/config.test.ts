import { ConfigReader } from '@backstage/config';
import { needsAck, readPrometheusCollectorConfig } from './config';

const read = (prometheus: unknown) =>
  readPrometheusCollectorConfig(
    new ConfigReader({ collectors: { prometheus } } as any),
  );

const stack = {
  prometheus: { url: 'https://prometheus.helix.example' },
  alertmanager: { url: 'https://alertmanager.helix.example' },
};

describe('readPrometheusCollectorConfig', () => {
  it('reads nothing when unset', () => {
    expect(readPrometheusCollectorConfig(undefined)).toEqual({
      environments: [],
    });
  });

  it('fills the defaults: service={name}, PagerDuty and Opsgenie need acknowledgement, 10 s', () => {
    expect(read({ environments: { production: stack } }).environments).toEqual([
      {
        environment: 'production',
        name: 'prometheus-production',
        prometheus: { url: 'https://prometheus.helix.example', headers: {} },
        alertmanager: {
          url: 'https://alertmanager.helix.example',
          headers: {},
        },
        timeoutMs: 10_000,
        alertLabels: { service: '{name}' },
        ack: { integrations: ['pagerduty', 'opsgenie'], add: [], exclude: [] },
      },
    ]);
  });

  it('lets an environment override the top-level defaults', () => {
    const [staging, production] = read({
      timeout: 'PT5S',
      alertLabels: { app: '{name}', namespace: '{namespace}' },
      ackReceivers: { add: ['phone-bridge'] },
      environments: {
        staging: stack,
        production: {
          ...stack,
          name: 'helix-prod',
          timeout: 'PT20S',
          alertLabels: { service: '{name}', env: '{environment}' },
          ackReceivers: {
            exclude: ['pagerduty-test'],
            integrations: ['pagerduty', 'victorops'],
          },
          prometheus: {
            ...stack.prometheus,
            bearerToken: 't',
            headers: { 'X-Scope-OrgID': 'helix' },
          },
        },
      },
    }).environments;
    expect(staging).toMatchObject({
      timeoutMs: 5000,
      alertLabels: { app: '{name}', namespace: '{namespace}' },
      ack: { add: ['phone-bridge'], exclude: [] },
    });
    expect(production).toMatchObject({
      name: 'helix-prod',
      timeoutMs: 20_000,
      alertLabels: { service: '{name}', env: '{environment}' },
      ack: {
        integrations: ['pagerduty', 'victorops'],
        add: ['phone-bridge'],
        exclude: ['pagerduty-test'],
      },
      prometheus: { bearerToken: 't', headers: { 'X-Scope-OrgID': 'helix' } },
    });
  });

  it.each([
    [
      { ...stack, prometheus: { url: 'not a url' } },
      'rco.collectors.prometheus.environments.production.prometheus.url is not a URL',
    ],
    [
      { ...stack, prometheus: { url: 'file:///etc/passwd' } },
      'must be an http or https URL',
    ],
    [
      { ...stack, alertmanager: { url: 'https://admin:hunter2@am.example' } },
      'rco.collectors.prometheus.environments.production.alertmanager.url must not hold credentials: use bearerToken or headers',
    ],
    [
      { ...stack, timeout: '10s' },
      'rco.collectors.prometheus.environments.production.timeout must be a positive ISO 8601 duration such as PT10S, got "10s"',
    ],
    [{ prometheus: stack.prometheus }, 'alertmanager'],
  ])('refuses %j at start-up', (production, message) => {
    expect(() => read({ environments: { production } })).toThrow(message);
  });

  it('never echoes a credential from a URL it refuses', () => {
    expect(() =>
      read({
        environments: {
          production: {
            ...stack,
            prometheus: { url: 'https://u:s3cret@p.example' },
          },
        },
      }),
    ).toThrow(
      expect.objectContaining({
        message: expect.not.stringContaining('s3cret'),
      }),
    );
  });
});

describe('needsAck', () => {
  const policy = {
    integrations: ['pagerduty', 'opsgenie'],
    add: ['phone-bridge'],
    exclude: ['pd-test'],
  };
  it.each([
    ['rco-pagerduty', ['pagerduty'], true],
    ['rco-opsgenie', ['webhook', 'opsgenie'], true],
    ['rco-webhook', ['webhook'], false],
    ['platform-email', ['email'], false],
    ['blackhole', [], false],
    ['phone-bridge', ['webhook'], true],
    ['pd-test', ['pagerduty'], false],
  ])('%s (%j) → %s', (name, integrations, expected) => {
    expect(needsAck(policy, name, integrations)).toBe(expected);
  });
});
