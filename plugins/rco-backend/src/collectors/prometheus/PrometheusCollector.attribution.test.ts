import { mockServices } from '@backstage/backend-test-utils';
import { CollectionPlace } from '@helix-portal/plugin-rco-node';
import { PrometheusEnvironment } from './config';
import { AlertingStateDocument } from './alertingState';
import { PrometheusCollector } from './PrometheusCollector';

/**
 * Attribution of loaded rules to entities (R2 H2): a rule the alert labels of more than one
 * entity select is nobody's, whether both entities are collected or the other one only takes
 * part in attribution (an owner's refresh), and the health says so. A fake stack over fetch.
 */
const rule = (name: string, labels: Record<string, string>) => ({
  type: 'alerting',
  name,
  query: 'up == 0',
  labels: { severity: 'critical', ...labels },
  annotations: { runbook_url: 'https://r' },
  health: 'ok',
});

function fakeStack(rules: unknown[]): typeof fetch {
  return (async (url: URL) => {
    const p = url.pathname;
    let body: unknown;
    if (p.endsWith('/rules'))
      body = { status: 'success', data: { groups: [{ name: 'g', rules }] } };
    else if (p.endsWith('/alerts'))
      body = { status: 'success', data: { alerts: [] } };
    else if (p.endsWith('/config'))
      body = { status: 'success', data: { yaml: 'global: {}' } };
    else if (p.endsWith('/alertmanagers'))
      body = {
        status: 'success',
        data: {
          activeAlertmanagers: [
            { url: 'http://alertmanager.test/api/v2/alerts' },
          ],
        },
      };
    else if (p.endsWith('/silences')) body = [];
    else
      body = {
        config: {
          original:
            "route: {receiver: pd}\nreceivers: [{name: pd, pagerduty_configs: [{routing_key: 'k'}]}]\n",
        },
      };
    return new Response(JSON.stringify(body), { status: 200 });
  }) as typeof fetch;
}

const env = (
  environment: string,
  alertLabels: Record<string, string> = { service: '{name}' },
): PrometheusEnvironment => ({
  environment,
  name: 'helix-monitoring',
  prometheus: { url: 'http://prometheus.test', headers: {} },
  alertmanager: { url: 'http://alertmanager.test', headers: {} },
  timeoutMs: 1000,
  alertLabels,
  ack: { integrations: ['pagerduty'], add: [], exclude: [] },
});

const placeOf = (
  entityNamespace: string,
  environment = 'production',
): CollectionPlace => ({
  entityRef: `component:${entityNamespace}/rco`,
  name: 'rco',
  entityNamespace,
  environment,
  namespace: 'rco',
});
const DEFAULT_RCO = placeOf('default');
const TEAM_B_RCO = placeOf('team-b');

const logger = mockServices.logger.mock();
const run = (
  collector: PrometheusCollector,
  places: CollectionPlace[],
  otherPlaces?: CollectionPlace[],
) =>
  collector.collect({
    places,
    otherPlaces,
    signal: new AbortController().signal,
    logger,
  });

const alertsOf = (objects: Array<{ entityRef: string; document: unknown }>) =>
  Object.fromEntries(
    objects.map(o => [
      o.entityRef,
      (o.document as AlertingStateDocument).spec.alerts.map(a => a.alert),
    ]),
  );

describe('PrometheusCollector attribution of rules to entities', () => {
  const rules = [
    rule('RcoAvailabilityLow', { service: 'rco' }),
    rule('PaymentsDown', { service: 'payments' }),
  ];

  it('refuses: component:team-b/rco gets the alerts of component:default/rco because both are named rco', async () => {
    const collector = new PrometheusCollector(
      { environments: [env('production')] },
      fakeStack(rules),
    );
    const { objects, health } = await run(collector, [DEFAULT_RCO, TEAM_B_RCO]);
    expect(alertsOf(objects)).toEqual({
      'component:default/rco': [],
      'component:team-b/rco': [],
    });
    expect(health).toEqual([
      expect.objectContaining({
        ok: true,
        note: '1 alerting rule(s) matched the alert labels of more than one entity and were attributed to none: RcoAvailabilityLow (component:default/rco, component:team-b/rco)',
      }),
    ]);
  });

  it("refuses: team-b/rco takes default/rco's alerts by refreshing first (other places take part in attribution)", async () => {
    const collector = new PrometheusCollector(
      { environments: [env('production')] },
      fakeStack(rules),
    );
    const { objects, health } = await run(
      collector,
      [TEAM_B_RCO],
      [DEFAULT_RCO, placeOf('default', 'staging')],
    );
    expect(alertsOf(objects)).toEqual({ 'component:team-b/rco': [] });
    expect(health[0].note).toContain(
      'RcoAvailabilityLow (component:default/rco, component:team-b/rco)',
    );
  });

  it('gives each entity its own rules when the alert labels carry {entityNamespace}', async () => {
    const labels = { service: '{name}', entity_namespace: '{entityNamespace}' };
    const collector = new PrometheusCollector(
      { environments: [env('production', labels)] },
      fakeStack([
        rule('RcoAvailabilityLow', {
          service: 'rco',
          entity_namespace: 'default',
        }),
        rule('TeamBRcoDown', { service: 'rco', entity_namespace: 'team-b' }),
      ]),
    );
    const { objects, health } = await run(
      collector,
      [TEAM_B_RCO],
      [DEFAULT_RCO],
    );
    expect(alertsOf(objects)).toEqual({
      'component:team-b/rco': ['TeamBRcoDown'],
    });
    expect(health[0].note).toBeUndefined();
  });

  it('does not contest a rule between two environments of the same entity on one stack', async () => {
    const collector = new PrometheusCollector(
      { environments: [env('production'), env('staging')] },
      fakeStack(rules),
    );
    const { objects, health } = await run(collector, [
      DEFAULT_RCO,
      placeOf('default', 'staging'),
    ]);
    expect(
      objects.map(o => [
        o.environment,
        (o.document as AlertingStateDocument).spec.alerts.map(a => a.alert),
      ]),
    ).toEqual([
      ['production', ['RcoAvailabilityLow']],
      ['staging', ['RcoAvailabilityLow']],
    ]);
    expect(health[0].note).toBeUndefined();
  });
});
