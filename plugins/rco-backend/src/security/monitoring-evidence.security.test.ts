import request from 'supertest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  asService,
  asUser,
  DIGEST,
  RCO,
  RELEASE,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';
import {
  PrometheusStack,
  describeWithMonitoring,
  freePort,
  startPrometheusStack,
} from '../__testUtils__/prometheusStack';

/**
 * Issue 13, point 3: the monitoring-alerting gate rests on what the console reads from the real
 * Prometheus and Alertmanager (Debian's, started by the test), not on what it is told. The
 * backend is the real plugin; staging is monitored (rco.collectors.prometheus), production not.
 */
const databases = createTestDatabases();
jest.setTimeout(120_000);

const CI = asService('external:ci-rco');
const ALICE = asUser('alice');
const EXAMPLES = join(__dirname, '../../../../examples');
const PROMETHEUS_RULE = readFileSync(
  join(EXAMPLES, 'rco/evidence/prometheusrule-rco-slo.yaml'),
);
/** No scheduled run: the tests collect through the owner's refresh. */
const NO_SCHEDULED_RUN = {
  frequency: { hours: 1 },
  timeout: { minutes: 1 },
  initialDelay: { hours: 1 },
};

/** What the collector would write, passing: CI (or a person) sends it as if it had read it. */
const forgedState = (environment: string) =>
  JSON.stringify({
    apiVersion: 'rco.helix.dev/v1',
    kind: 'AlertingState',
    metadata: { name: 'rco' },
    spec: {
      endpoint: 'helix-staging',
      environment,
      selector: { service: 'rco' },
      alerts: [
        'RCOAvailabilityBurnRate',
        'RCOLatencyP95High',
        'RCOErrorRateHigh',
      ].map(alert => ({
        alert,
        group: 'rco-slo',
        expr: 'vector(0)',
        labels: { service: 'rco', severity: 'critical' },
        runbookUrl: 'https://portal.helix.example/runbook',
        health: 'ok',
        firing: false,
        receivers: [
          { name: 'pd', integrations: ['pagerduty'], needsAck: true },
        ],
      })),
    },
  });

const upload = (app: any, auth: string, body: Buffer | string, query = '') =>
  request(app)
    .post(`${RCO}/evidence${query}`)
    .set('Authorization', auth)
    .set('Content-Type', 'application/octet-stream')
    .send(Buffer.from(body));

describeWithMonitoring()(
  'point 3: monitoring-alerting reads the real monitoring stack',
  () => {
    let stack: PrometheusStack;

    beforeAll(async () => {
      stack = await startPrometheusStack();
    });
    afterAll(async () => {
      await stack?.stop();
    });

    async function start(
      databaseId: any,
      alertmanagerUrl = stack.alertmanagerUrl,
    ) {
      const knex = await databases.init(databaseId);
      const { app } = await startOperationsBackend(knex, {
        logLevel: 'none',
        rco: {
          collection: { schedule: NO_SCHEDULED_RUN },
          collectors: {
            prometheus: {
              environments: {
                staging: {
                  name: 'helix-staging',
                  prometheus: {
                    url: stack.prometheusUrl,
                    bearerToken: 'secret-prom-token',
                  },
                  alertmanager: { url: alertmanagerUrl },
                },
              },
            },
          },
        },
      });
      // CI declares the SLO alerts (the PrometheusRule), as it always could.
      await upload(app, CI, PROMETHEUS_RULE).expect(201);
      return app;
    }

    const refresh = (app: any) =>
      request(app)
        .post(`${RCO}/collection/refresh`)
        .set('Authorization', ALICE)
        .expect(200);

    async function gate(app: any, environment: string) {
      const res = await request(app)
        .get(
          `${RCO}/status?version=${RELEASE.version}&digest=${DIGEST}&environment=${environment}`,
        )
        .set('Authorization', ALICE)
        .expect(200);
      return res.body.gates.find((g: any) => g.id === 'monitoring-alerting');
    }

    it.each(databases.eachSupportedId())(
      'refuses: a PrometheusRule alone passes monitoring-alerting where the console reads the stack (%s)',
      async databaseId => {
        const app = await start(databaseId);
        const before = await gate(app, 'staging');
        expect(before.status).toBe('missing');
        expect(before.reasons[0]).toContain(
          "The console reads staging's monitoring stack (helix-staging) but has not collected its alerting state yet",
        );
        // Production is not monitored by the console: the declaration still counts there, and says so.
        const production = await gate(app, 'production');
        expect(production.status).toBe('pass');
        expect(production.reasons.join('\n')).toContain(
          'The alerts are only declared (PrometheusRule)',
        );

        const first = await refresh(app);
        expect(first.body.run).toMatchObject({ created: 1, observed: 0 });
        // An unchanged stack only moves the observation: no new row.
        const second = await refresh(app);
        expect(second.body.run).toMatchObject({ created: 0, observed: 1 });
        const after = await gate(app, 'staging');
        expect(after.status).toBe('pass');
        expect(after.reasons.join('\n')).toContain(
          'latency: RCOLatencyP95High (critical) loaded and healthy, routed to rco-pagerduty (pagerduty)',
        );
        expect(after.evidence).toContainEqual(
          expect.objectContaining({
            kind: 'alerting-state',
            source: 'monitoring',
            provenance: expect.objectContaining({
              collector: 'prometheus',
              cluster: 'helix-staging',
              kind: 'rules',
            }),
          }),
        );
      },
    );

    it.each(databases.eachSupportedId())(
      'refuses: CI or an owner uploads an AlertingState saying the alerts are loaded and paged (%s)',
      async databaseId => {
        const app = await start(databaseId);
        for (const [who, auth] of [
          ['CI', CI],
          ['an owner', ALICE],
        ]) {
          for (const query of [
            '?environment=staging',
            '?environment=staging&kind=alerting-state',
          ]) {
            const res = await upload(app, auth, forgedState('staging'), query);
            expect({ who, query, status: res.status }).toEqual({
              who,
              query,
              status: 400,
            });
            expect(res.body.error.message).toMatch(
              /alerting-state evidence, which only the console's monitoring collector observes .*it cannot be uploaded/,
            );
          }
        }
        expect((await gate(app, 'staging')).status).toBe('missing');
      },
    );

    it.each(databases.eachSupportedId())(
      'refuses: SLO alerts routed to a webhook nobody acknowledges pass because a PrometheusRule says severity critical (%s)',
      async databaseId => {
        const app = await start(databaseId);
        await stack.useAlertmanagerConfig('alertmanager-webhook.yml');
        try {
          await refresh(app);
        } finally {
          await stack.useAlertmanagerConfig('alertmanager.yml');
        }
        const g = await gate(app, 'staging');
        expect(g.status).toBe('fail');
        expect(g.reasons.join('\n')).toContain(
          'is routed to rco-webhook (webhook), which no one acknowledges',
        );
      },
    );

    it.each(databases.eachSupportedId())(
      'refuses: an unreachable Alertmanager turns the gate green or red; health says why, without the token (%s)',
      async databaseId => {
        const closed = `http://127.0.0.1:${await freePort()}`;
        const app = await start(databaseId, closed);
        await refresh(app);
        expect((await gate(app, 'staging')).status).toBe('missing');
        const res = await request(app)
          .get(`${RCO}/collection`)
          .set('Authorization', ALICE)
          .expect(200);
        const health = res.body.health.find(
          (h: any) => h.collector === 'prometheus',
        );
        expect(health).toMatchObject({
          cluster: 'helix-staging',
          kind: 'rules',
        });
        expect(health.error).toMatch(
          new RegExp(
            `^Alertmanager at ${closed}/api/v2/status could not be reached: ECONNREFUSED`,
          ),
        );
        expect(JSON.stringify(res.body)).not.toContain('secret-prom-token');
      },
    );
  },
);
