import request from 'supertest';
import { Entity } from '@backstage/catalog-model';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
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
import { governedEntity } from '../__testUtils__/fixtures';
import {
  MONITORING_DIR,
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
      options: {
        extraEntities?: Entity[];
        alertmanager?: Record<string, unknown>;
        collection?: Record<string, unknown>;
      } = {},
    ) {
      const knex = await databases.init(databaseId);
      const { app } = await startOperationsBackend(knex, {
        logLevel: 'none',
        extraEntities: options.extraEntities,
        rco: {
          // Refreshes follow each other in these tests; every change is observed at once.
          collection: {
            schedule: NO_SCHEDULED_RUN,
            refreshCooldown: 'PT0S',
            observationGranularity: 'PT0S',
            ...options.collection,
          },
          collectors: {
            prometheus: {
              environments: {
                staging: {
                  name: 'helix-staging',
                  prometheus: {
                    url: stack.prometheusUrl,
                    bearerToken: 'secret-prom-token',
                  },
                  alertmanager: {
                    url: alertmanagerUrl,
                    ...options.alertmanager,
                  },
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

    const refresh = (app: any, entity = RCO) =>
      request(app)
        .post(`${entity}/collection/refresh`)
        .set('Authorization', ALICE)
        .expect(200);

    async function gate(app: any, environment?: string, entity = RCO) {
      const res = await request(app)
        .get(
          `${entity}/status?version=${RELEASE.version}&digest=${DIGEST}${
            environment ? `&environment=${environment}` : ''
          }`,
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
      'refuses: an unreachable Alertmanager turns the gate green or red; health says why (%s)',
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

    it.each(databases.eachSupportedId())(
      'refuses: an entity named like another (team-b/rco beside default/rco) passes monitoring-alerting on the alerts labelled service=rco (%s)',
      async databaseId => {
        const impostor = governedEntity(
          'rco',
          'url:https://example.test/b.yaml',
          {
            'rco.helix.dev/runbook': './runbook.md',
          },
        );
        impostor.metadata.namespace = 'team-b';
        const TEAM_B = RCO.replace('/default/', '/team-b/');
        const app = await start(databaseId, stack.alertmanagerUrl, {
          extraEntities: [impostor],
        });
        // team-b/rco refreshes first: default/rco's places still take part in attribution.
        await refresh(app, TEAM_B);
        await refresh(app);
        for (const entity of [TEAM_B, RCO]) {
          const g = await gate(app, 'staging', entity);
          expect({ entity, status: g.status }).toEqual({
            entity,
            status: 'fail',
          });
          expect(g.reasons).toContain(
            'No availability alert loaded in Prometheus helix-staging (rules labelled service=rco)',
          );
          expect(g.reasons.join('\n')).not.toContain('routed to rco-pagerduty');
        }
        const res = await request(app)
          .get(`${TEAM_B}/collection`)
          .set('Authorization', ALICE)
          .expect(200);
        const health = res.body.health.find(
          (h: any) => h.collector === 'prometheus',
        );
        expect(health.note).toContain(
          'RCOAvailabilityBurnRate (component:default/rco, component:team-b/rco)',
        );
      },
    );

    it.each(databases.eachSupportedId())(
      'refuses: Alertmanager goes back from PagerDuty to a webhook (a version stored before) and the gate keeps reading PagerDuty (%s)',
      async databaseId => {
        // The default observation granularity (PT1H): a version seen again moves anyway.
        const app = await start(databaseId, stack.alertmanagerUrl, {
          collection: { observationGranularity: undefined },
        });
        const routedTo = async () => {
          const g = await gate(app, 'staging');
          return {
            status: g.status,
            webhook: g.reasons.some((r: string) =>
              r.includes(
                'is routed to rco-webhook (webhook), which no one acknowledges',
              ),
            ),
          };
        };
        try {
          await stack.useAlertmanagerConfig('alertmanager-webhook.yml');
          await refresh(app);
          expect(await routedTo()).toEqual({ status: 'fail', webhook: true });
          await stack.useAlertmanagerConfig('alertmanager.yml');
          await refresh(app);
          expect(await routedTo()).toEqual({ status: 'pass', webhook: false });
          await stack.useAlertmanagerConfig('alertmanager-webhook.yml');
          const third = await refresh(app);
          expect(third.body.run).toMatchObject({ created: 0 });
          expect(await routedTo()).toEqual({ status: 'fail', webhook: true });
        } finally {
          await stack.useAlertmanagerConfig('alertmanager.yml');
        }
      },
    );

    it.each(databases.eachSupportedId())(
      'refuses: a release judged without an environment (portfolio, status) passes on the PrometheusRule while the monitored stack fails (%s)',
      async databaseId => {
        const app = await start(databaseId);
        expect((await gate(app)).status).toBe('missing');
        await stack.useAlertmanagerConfig('alertmanager-webhook.yml');
        try {
          await refresh(app);
        } finally {
          await stack.useAlertmanagerConfig('alertmanager.yml');
        }
        const g = await gate(app);
        expect(g.status).toBe('fail');
        expect(g.reasons[0]).toBe(
          'No environment given: judged in each environment whose monitoring stack the console reads (staging), the worst verdict stands',
        );
        expect(g.reasons.join('\n')).not.toContain('only declared');
      },
    );

    it.each(databases.eachSupportedId())(
      'refuses: an active Alertmanager silence mutes the SLO alerts while the gate says they page (%s)',
      async databaseId => {
        const app = await start(databaseId);
        const created = await fetch(
          `${stack.alertmanagerUrl}/api/v2/silences`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              matchers: [
                {
                  name: 'service',
                  value: 'rco',
                  isRegex: false,
                  isEqual: true,
                },
              ],
              startsAt: new Date().toISOString(),
              endsAt: new Date(Date.now() + 3600_000).toISOString(),
              createdBy: 'test',
              comment: 'quiet please',
            }),
          },
        );
        const { silenceID } = await created.json();
        try {
          await refresh(app);
        } finally {
          await fetch(`${stack.alertmanagerUrl}/api/v2/silence/${silenceID}`, {
            method: 'DELETE',
          });
        }
        const g = await gate(app, 'staging');
        expect(g.status).toBe('fail');
        expect(g.reasons).toContain(
          `availability: RCOAvailabilityBurnRate is silenced in Alertmanager (active silence ${silenceID}), so it pages no one while the silence lasts`,
        );
      },
    );

    it.each(databases.eachSupportedId())(
      'refuses: a monitoring server that echoes the token and headers it was sent gets them into the collection health (%s)',
      async databaseId => {
        const seen: IncomingHttpHeaders[] = [];
        const echo: Server = createServer((req, res) => {
          seen.push(req.headers);
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              status: 'error',
              error: `upstream refused ${req.headers.authorization} for tenant ${req.headers['x-scope-orgid']}`,
            }),
          );
        });
        await new Promise<void>(r => echo.listen(0, '127.0.0.1', r));
        try {
          const url = `http://127.0.0.1:${(echo.address() as any).port}`;
          const app = await start(databaseId, url, {
            alertmanager: {
              bearerToken: 'secret-am-token-7c1d',
              headers: { 'X-Scope-OrgID': 'secret-tenant-9a2e' },
            },
          });
          await refresh(app);
          // The secrets did reach the server that echoes them: the test can fail.
          expect(seen[0].authorization).toBe('Bearer secret-am-token-7c1d');
          expect(seen[0]['x-scope-orgid']).toBe('secret-tenant-9a2e');
          const res = await request(app)
            .get(`${RCO}/collection`)
            .set('Authorization', ALICE)
            .expect(200);
          const health = res.body.health.find(
            (h: any) => h.collector === 'prometheus',
          );
          expect(health.error).toMatch(
            /^Alertmanager at http:\/\/127\.0\.0\.1:\d+\/api\/v2\/\w+ answered 503 Service Unavailable: upstream refused /,
          );
          const said = JSON.stringify(res.body);
          expect(said).not.toContain('secret-am-token-7c1d');
          expect(said).not.toContain('secret-tenant-9a2e');
        } finally {
          echo.closeAllConnections();
          await new Promise(r => echo.close(r));
        }
      },
    );

    describe('rules another tenant labels as the service’s (a shared Prometheus)', () => {
      // The prometheus-operator writes each PrometheusRule to <namespace>-<name>-<uid>.yaml;
      // rco runs in staging's namespace, default.
      const OPERATOR = 'prometheus-k8s-rulefiles-0';
      const RCO_OWN = `${OPERATOR}/default-rco-slo-0f3a.yaml`;
      const TENANT = `${OPERATOR}/tenant-x-whatever-9b1c.yaml`;
      const example = (variant: string) =>
        readFileSync(join(MONITORING_DIR, variant, 'rco-slo.yml'), 'utf8');
      // rco's alerts, renamed group, never firing: what any tenant can load in its namespace.
      const decoy = example('rules')
        .replace('name: rco-slo', 'name: whatever')
        .replace(/expr: .*/g, 'expr: vector(0) > 1');
      afterAll(() => stack.useRules('rules'));

      it('refuses: a never-firing copy in another namespace stands in for rco’s broken alerts', async () => {
        await stack.useRuleFiles({
          [RCO_OWN]: example('rules-broken'),
          [TENANT]: decoy,
        });
        const app = await start('SQLITE_3');
        await refresh(app);
        const g = await gate(app, 'staging');
        expect(g.status).toBe('fail');
        const said = g.reasons.join('\n');
        expect(said).toContain(
          'latency: RCOLatencyP95High is loaded but fails to evaluate',
        );
        expect(said).toContain(
          'Not counted: RCOAvailabilityBurnRate, RCOErrorRateHigh, RCOLatencyP95High, RCOWatchdog carry these labels',
        );
        // The other tenant's file is for the platform's log, not for rco's viewers.
        expect(JSON.stringify(g)).not.toContain('tenant-x');
      });

      it('refuses: rco has no rules loaded, only another namespace’s copy', async () => {
        await stack.useRuleFiles({ [TENANT]: decoy });
        const app = await start('SQLITE_3');
        await refresh(app);
        const g = await gate(app, 'staging');
        expect(g.status).toBe('fail');
        expect(g.reasons.join('\n')).toContain(
          'RCOLatencyP95High is declared in PrometheusRule rco-slo but not loaded',
        );
      });

      it('passes on rco’s own sound rules beside the copy, which is not counted', async () => {
        await stack.useRuleFiles({
          [RCO_OWN]: example('rules'),
          [TENANT]: decoy,
        });
        const app = await start('SQLITE_3');
        await refresh(app);
        const g = await gate(app, 'staging');
        expect(g.status).toBe('pass');
        expect(g.reasons.join('\n')).toContain('Not counted: ');
      });

      it('refuses: a healthy alert of the SLO does not outvote a broken one with the labels', async () => {
        // Both in files the platform loads itself (outside the operator's directories): counted.
        await stack.useRuleFiles({
          'broken/rco-slo.yaml': example('rules-broken'),
          'copy/whatever.yaml': decoy,
        });
        const app = await start('SQLITE_3');
        await refresh(app);
        const g = await gate(app, 'staging');
        expect(g.status).toBe('fail');
        expect(g.reasons.join('\n')).toContain(
          'latency: RCOLatencyP95High is loaded but fails to evaluate',
        );
      });

      it('counts only the files rco.collectors.prometheus.ruleFiles names, when set', async () => {
        await stack.useRuleFiles({
          'platform/rco-slo.yaml': example('rules'),
          'copy/whatever.yaml': decoy,
        });
        const knex = await databases.init('SQLITE_3');
        const { app } = await startOperationsBackend(knex, {
          logLevel: 'none',
          rco: {
            collection: {
              schedule: NO_SCHEDULED_RUN,
              refreshCooldown: 'PT0S',
              observationGranularity: 'PT0S',
            },
            collectors: {
              prometheus: {
                ruleFiles: ['**/copy/{name}-*.yaml'],
                environments: {
                  staging: {
                    name: 'helix-staging',
                    prometheus: { url: stack.prometheusUrl },
                    alertmanager: { url: stack.alertmanagerUrl },
                    ruleFiles: ['**/platform/{name}-slo.yaml'],
                  },
                },
              },
            },
          },
        });
        await upload(app, CI, PROMETHEUS_RULE).expect(201);
        await refresh(app);
        const g = await gate(app, 'staging');
        // The environment's globs replace the top-level ones: the platform file counts, the copy not.
        expect(g.status).toBe('pass');
        expect(g.reasons.join('\n')).toContain(
          'Not counted: RCOAvailabilityBurnRate, RCOErrorRateHigh, RCOLatencyP95High',
        );
      });
    });
  },
);
