import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { CollectionPlace } from '@helix-portal/plugin-rco-node';
import { createServer, Server } from 'node:http';
import {
  PrometheusStack,
  describeWithMonitoring,
  freePort,
  startPrometheusStack,
} from '../../__testUtils__/prometheusStack';
import { alertingStateParser } from '../../evidence/parsers/alertingState';
import { context, NOW } from '../../gates/__testUtils__/context';
import { example } from '../../gates/__testUtils__/examples';
import { monitoringAlerting } from '../../gates/rules/monitoringAlerting';
import { EvidenceRecord } from '../../database/EvidenceStore';
import { readPrometheusCollectorConfig } from './config';
import { PrometheusCollector } from './PrometheusCollector';

const place: CollectionPlace = {
  entityRef: 'component:default/rco',
  name: 'rco',
  entityNamespace: 'default',
  environment: 'production',
  namespace: 'rco-prod',
};

const TOKEN = 'prom-token-5f3a9c1e';

function collectorFor(
  prometheusUrl: string,
  alertmanagerUrl: string,
  extra: Record<string, unknown> = {},
) {
  const config = readPrometheusCollectorConfig(
    new ConfigReader({
      collectors: {
        prometheus: {
          timeout: 'PT2S',
          environments: {
            production: {
              name: 'helix-prod',
              prometheus: { url: prometheusUrl, bearerToken: TOKEN },
              alertmanager: {
                url: alertmanagerUrl,
                headers: { 'X-Scope-OrgID': 'helix' },
              },
              ...extra,
            },
          },
        },
      },
    }),
  );
  return new PrometheusCollector(config);
}

const logger = mockServices.logger.mock();
const collect = (collector: PrometheusCollector, places = [place]) =>
  collector.collect({
    places,
    signal: new AbortController().signal,
    logger,
  });

/** The collected document as the gate reads it (the same parser an upload would use). */
function asRecord(document: unknown): EvidenceRecord {
  const parsed = alertingStateParser.parse(document);
  return {
    id: 'collected',
    entityRef: place.entityRef,
    kind: 'alerting-state',
    sha256: '0'.repeat(64),
    subject: { environment: 'production' },
    source: 'monitoring',
    submitter: 'collector:prometheus',
    collectedAt: NOW,
    summary: parsed.summary,
    rawSize: 1,
  };
}

/** The gate in production, where the console reads helix-prod, with the declared PrometheusRule. */
function judge(document: unknown) {
  return monitoringAlerting(
    context(
      [
        asRecord(document),
        ...example('prometheus-rule', 'prometheusrule-rco-slo.yaml'),
      ],
      {
        release: { version: '1.3.2', environment: 'production' },
        config: {
          maxAge: {},
          blockingSeverities: [],
          helixCoreRepository: 'helix-core',
          monitoredEnvironments: { production: 'helix-prod' },
        },
      },
    ),
  );
}

describeWithMonitoring()(
  'PrometheusCollector against a real Prometheus and Alertmanager',
  () => {
    let stack: PrometheusStack;
    jest.setTimeout(60_000);

    beforeAll(async () => {
      stack = await startPrometheusStack();
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('reads the loaded SLO alerts, their health, firing and receivers: the gate passes', async () => {
      const collector = collectorFor(
        stack.prometheusUrl,
        stack.alertmanagerUrl,
      );
      const { objects, health } = await collect(collector);
      expect(health).toEqual([
        expect.objectContaining({
          cluster: 'helix-prod',
          kind: 'rules',
          ok: true,
          objects: 1,
          environments: ['production'],
        }),
      ]);
      expect(objects).toHaveLength(1);
      const [object] = objects;
      expect(object).toMatchObject({
        entityRef: 'component:default/rco',
        environment: 'production',
        evidenceKind: 'alerting-state',
        provenance: {
          collector: 'prometheus',
          cluster: 'helix-prod',
          kind: 'rules',
          name: 'rco',
        },
      });
      const summary = alertingStateParser.parse(object.document).summary as any;
      expect(summary.selector).toEqual({ service: 'rco' });
      const latency = summary.alerts.find(
        (a: any) => a.alert === 'RCOLatencyP95High',
      );
      expect(latency).toMatchObject({
        slos: ['latency'],
        severity: 'critical',
        health: 'ok',
        firing: false,
        receivers: [
          {
            name: 'rco-pagerduty',
            integrations: ['pagerduty'],
            needsAck: true,
          },
        ],
      });
      expect(latency.runbookUrl).toMatch(/^https:\/\/portal\.helix\.example\//);
      // The watchdog (vector(1)) fires after a rule evaluation or two and goes to the
      // blackhole: wait until Prometheus says it fires (a loaded CI machine evaluates late).
      const deadline = Date.now() + 30_000;
      for (;;) {
        const res = await fetch(`${stack.prometheusUrl}/api/v1/alerts`);
        const body = (await res.json()) as any;
        if (
          body.data.alerts.some(
            (a: any) =>
              a.labels.alertname === 'RCOWatchdog' && a.state === 'firing',
          )
        )
          break;
        if (Date.now() > deadline)
          throw new Error('RCOWatchdog did not fire within 30 s');
        await new Promise(r => setTimeout(r, 200));
      }
      const again = await collect(collector);
      const watchdog = (
        alertingStateParser.parse(again.objects[0].document).summary as any
      ).alerts.find((a: any) => a.alert === 'RCOWatchdog');
      expect(watchdog).toMatchObject({
        firing: true,
        slos: [],
        receivers: [{ name: 'blackhole', needsAck: false }],
      });

      const outcome = judge(object.document);
      expect(outcome.reasons.join('\n')).toContain(
        'latency: RCOLatencyP95High (critical) loaded and healthy, routed to rco-pagerduty (pagerduty)',
      );
      expect(outcome.status).toBe('pass');
    });

    it('keeps uid and resourceVersion while nothing changes, and only the resourceVersion when the rules change', async () => {
      const collector = collectorFor(
        stack.prometheusUrl,
        stack.alertmanagerUrl,
      );
      const first = (await collect(collector)).objects[0].provenance;
      const second = (await collect(collector)).objects[0].provenance;
      expect(second).toEqual(first);
      await stack.useRules('rules-missing-latency');
      try {
        const changed = (await collect(collector)).objects[0].provenance;
        expect(changed.uid).toBe(first.uid);
        expect(changed.resourceVersion).not.toBe(first.resourceVersion);
      } finally {
        await stack.useRules('rules');
      }
    });

    it('fails the gate when an SLO alert the PrometheusRule declares is not loaded', async () => {
      await stack.useRules('rules-missing-latency');
      try {
        const { objects } = await collect(
          collectorFor(stack.prometheusUrl, stack.alertmanagerUrl),
        );
        const outcome = judge(objects[0].document);
        expect(outcome.status).toBe('fail');
        expect(outcome.reasons).toEqual(
          expect.arrayContaining([
            'No latency alert loaded in Prometheus helix-prod (rules labelled service=rco)',
            'RCOLatencyP95High is declared in PrometheusRule rco-slo but not loaded in Prometheus helix-prod (rules labelled service=rco)',
          ]),
        );
      } finally {
        await stack.useRules('rules');
      }
    });

    it('fails the gate when an SLO alert is loaded but its evaluation fails (health err)', async () => {
      await stack.useRules('rules-broken');
      try {
        const { objects } = await collect(
          collectorFor(stack.prometheusUrl, stack.alertmanagerUrl),
        );
        const outcome = judge(objects[0].document);
        expect(outcome.status).toBe('fail');
        expect(outcome.reasons).toContain(
          'latency: RCOLatencyP95High is loaded but fails to evaluate (health err: invalid regular expression in label_replace(): (), so it can never fire',
        );
      } finally {
        await stack.useRules('rules');
      }
    });

    it('fails the gate when Alertmanager routes the SLO alerts to a webhook no one acknowledges', async () => {
      await stack.useAlertmanagerConfig('alertmanager-webhook.yml');
      try {
        const { objects } = await collect(
          collectorFor(stack.prometheusUrl, stack.alertmanagerUrl),
        );
        const outcome = judge(objects[0].document);
        expect(outcome.status).toBe('fail');
        expect(outcome.reasons.join('\n')).toContain(
          'availability: RCOAvailabilityBurnRate is routed to rco-webhook (webhook), which no one acknowledges',
        );
      } finally {
        await stack.useAlertmanagerConfig('alertmanager.yml');
      }
    });

    it('fails the gate when Prometheus sends its alerts to no Alertmanager (no alerting: section)', async () => {
      await stack.useAlerting(false);
      try {
        const { objects } = await collect(
          collectorFor(stack.prometheusUrl, stack.alertmanagerUrl, {
            timeout: 'PT0.5S',
          }),
        );
        const outcome = judge(objects[0].document);
        expect(outcome.status).toBe('fail');
        expect(outcome.reasons).toContain(
          'Prometheus helix-prod sends its alerts to no Alertmanager (/api/v1/alertmanagers lists none active), so no alert reaches a receiver',
        );
      } finally {
        await stack.useAlerting(true);
      }
      const { objects } = await collect(
        collectorFor(stack.prometheusUrl, stack.alertmanagerUrl),
      );
      expect(judge(objects[0].document).status).toBe('pass');
    });

    it('fails the gate when an active silence in Alertmanager matches an SLO alert', async () => {
      const created = await fetch(`${stack.alertmanagerUrl}/api/v2/silences`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          matchers: [
            { name: 'service', value: 'rco', isRegex: false, isEqual: true },
            {
              name: 'alertname',
              value: 'RCOLatency.*',
              isRegex: true,
              isEqual: true,
            },
          ],
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 3600_000).toISOString(),
          createdBy: 'test',
          comment: 'maintenance',
        }),
      });
      expect(created.status).toBe(200);
      const { silenceID } = await created.json();
      try {
        const { objects } = await collect(
          collectorFor(stack.prometheusUrl, stack.alertmanagerUrl),
        );
        const outcome = judge(objects[0].document);
        expect(outcome.status).toBe('fail');
        expect(outcome.reasons).toContain(
          `latency: RCOLatencyP95High is silenced in Alertmanager (active silence ${silenceID}), so it pages no one while the silence lasts`,
        );
        expect(outcome.reasons.join('\n')).toContain(
          'availability: RCOAvailabilityBurnRate (critical) loaded and healthy',
        );
      } finally {
        await fetch(`${stack.alertmanagerUrl}/api/v2/silence/${silenceID}`, {
          method: 'DELETE',
        });
      }
    });

    it('fails the gate when an inhibit rule lets the always-firing watchdog mute the SLO alerts', async () => {
      await stack.useAlertmanagerConfig('alertmanager-inhibit.yml');
      try {
        const { objects } = await collect(
          collectorFor(stack.prometheusUrl, stack.alertmanagerUrl),
        );
        const outcome = judge(objects[0].document);
        expect(outcome.status).toBe('fail');
        expect(outcome.reasons).toContain(
          'error rate: RCOErrorRateHigh is inhibited in Alertmanager by RCOWatchdog, firing now (inhibit_rules), so it pages no one',
        );
      } finally {
        await stack.useAlertmanagerConfig('alertmanager.yml');
      }
    });

    it('counts a receiver the configuration adds, and not one it excludes', async () => {
      await stack.useAlertmanagerConfig('alertmanager-webhook.yml');
      try {
        const added = await collect(
          collectorFor(stack.prometheusUrl, stack.alertmanagerUrl, {
            ackReceivers: { add: ['rco-webhook'] },
          }),
        );
        expect(judge(added.objects[0].document).status).toBe('pass');
      } finally {
        await stack.useAlertmanagerConfig('alertmanager.yml');
      }
      const excluded = await collect(
        collectorFor(stack.prometheusUrl, stack.alertmanagerUrl, {
          ackReceivers: { exclude: ['rco-pagerduty'] },
        }),
      );
      expect(judge(excluded.objects[0].document).status).toBe('fail');
    });

    it('selects by the configured labels with {name} templating: another service has no SLO alerts', async () => {
      const { objects } = await collect(
        collectorFor(stack.prometheusUrl, stack.alertmanagerUrl),
        [
          {
            ...place,
            entityRef: 'component:default/payments',
            name: 'payments',
          },
        ],
      );
      const summary = alertingStateParser.parse(objects[0].document)
        .summary as any;
      expect(summary).toMatchObject({
        selector: { service: 'payments' },
        alerts: [],
      });
    });

    it('reports Alertmanager down as collection health in words, with no evidence', async () => {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const { objects, health } = await collect(
        collectorFor(stack.prometheusUrl, closed),
      );
      expect(objects).toEqual([]);
      expect(health).toEqual([
        expect.objectContaining({
          cluster: 'helix-prod',
          kind: 'rules',
          ok: false,
          error: expect.stringMatching(
            new RegExp(
              `^Alertmanager at ${closed}/api/v2/status could not be reached: ECONNREFUSED`,
            ),
          ),
        }),
      ]);
    });

    it('reports Prometheus down (stopped) as collection health in words, with no evidence', async () => {
      await stack.stopPrometheus();
      const { objects, health } = await collect(
        collectorFor(stack.prometheusUrl, stack.alertmanagerUrl),
      );
      expect(objects).toEqual([]);
      expect(health[0]).toMatchObject({
        ok: false,
        environments: ['production'],
      });
      expect(health[0].error).toMatch(
        new RegExp(
          `^Prometheus at ${stack.prometheusUrl}/api/v1/\\S+ could not be reached: ECONNREFUSED`,
        ),
      );
      expect(JSON.stringify(health)).not.toContain(TOKEN);
    });
  },
);

describe('PrometheusCollector against servers that misbehave', () => {
  let server: Server;
  let url: string;
  const seen: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url, headers: req.headers });
      if (req.url?.startsWith('/slow')) return; // never answers
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', error: 'bad token' }));
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as any).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(r => server.close(r));
  });

  it('sends the token and headers, and says 401 without echoing either', async () => {
    const { health } = await collect(collectorFor(url, url));
    expect(health[0].ok).toBe(false);
    expect(health[0].error).toMatch(
      /^(Prometheus|Alertmanager) at http:\/\/127\.0\.0\.1:\d+\/api\/v\S+ answered 401 Unauthorized: bad token$/,
    );
    expect(
      seen.some(s => (s.headers as any).authorization === `Bearer ${TOKEN}`),
    ).toBe(true);
    expect(
      seen.some(s => (s.headers as any)['x-scope-orgid'] === 'helix'),
    ).toBe(true);
    const said = JSON.stringify([health, logger.warn.mock.calls]);
    expect(said).not.toContain(TOKEN);
  });

  it('gives up on a server that does not answer within the timeout', async () => {
    const collector = collectorFor(`${url}/slow`, `${url}/slow`, {
      timeout: 'PT0.5S',
    });
    const started = Date.now();
    const { health, objects } = await collect(collector);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(objects).toEqual([]);
    expect(health[0].error).toMatch(/did not answer within 0\.5 s$/);
  });

  it('collects nothing for an environment without a monitoring stack', async () => {
    const result = await collect(collectorFor(url, url), [
      { ...place, environment: 'staging' },
    ]);
    expect(result).toEqual({ objects: [], health: [] });
  });
});
