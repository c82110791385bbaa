import { context, record, DAY, NOW } from '../__testUtils__/context';
import { example } from '../__testUtils__/examples';
import { evaluateRelease } from '../evaluate';
import { monitoringAlerting } from './monitoringAlerting';

/** An AlertingState as the monitoring collector writes it. */
function state(
  alerts: Array<Record<string, unknown>>,
  options: { endpoint?: string; environment?: string } = {},
) {
  return {
    apiVersion: 'rco.helix.dev/v1',
    kind: 'AlertingState',
    metadata: { name: 'rco' },
    spec: {
      endpoint: options.endpoint ?? 'helix-prod',
      environment: options.environment ?? 'production',
      selector: { service: 'rco' },
      alerts: alerts.map(a => ({
        group: 'rco-slo',
        expr: 'vector(1)',
        labels: { service: 'rco', severity: 'critical' },
        runbookUrl: 'https://portal.helix.example/runbook',
        health: 'ok',
        firing: false,
        receivers: [
          {
            name: 'rco-pagerduty',
            integrations: ['pagerduty'],
            needsAck: true,
          },
        ],
        ...a,
      })),
    },
  };
}

const GOOD = [
  { alert: 'RCOAvailabilityBurnRate' },
  { alert: 'RCOLatencyP95High' },
  { alert: 'RCOErrorRateHigh' },
];

const collected = (doc: unknown, options: Parameters<typeof record>[2] = {}) =>
  record('alerting-state', doc, {
    source: 'monitoring',
    submitter: 'collector:prometheus',
    subject: { environment: 'production' },
    ...options,
  });

const declared = () =>
  example('prometheus-rule', 'prometheusrule-rco-slo.yaml');

const live = (
  evidence: ReturnType<typeof collected>[],
  environment = 'production',
) =>
  context(evidence, {
    release: { version: '1.3.2', environment },
    config: {
      maxAge: {},
      blockingSeverities: [],
      helixCoreRepository: 'helix-core',
      monitoredEnvironments: { production: 'helix-prod' },
    },
  });

describe('monitoring-alerting where the console reads the monitoring stack', () => {
  it('passes on SLO alerts loaded, healthy and routed to PagerDuty', () => {
    const outcome = monitoringAlerting(
      live([collected(state(GOOD)), ...declared()]),
    );
    expect(outcome.status).toBe('pass');
    expect(outcome.reasons).toContain(
      'error rate: RCOErrorRateHigh (critical) loaded and healthy, routed to rco-pagerduty (pagerduty)',
    );
  });

  it('is missing, not passing on the PrometheusRule, until the stack was collected', () => {
    const outcome = monitoringAlerting(live(declared()));
    expect(outcome.status).toBe('missing');
    expect(outcome.reasons).toEqual([
      "The console reads production's monitoring stack (helix-prod) but has not collected its alerting state yet: see the collection health on the Release tab",
    ]);
  });

  it.each([
    [
      'an alert without severity or runbook link',
      {
        alert: 'RCOErrorRateHigh',
        labels: { service: 'rco' },
        runbookUrl: undefined,
      },
      'error rate: RCOErrorRateHigh has no severity label; has no runbook_url annotation',
    ],
    [
      'an alert not evaluated yet',
      { alert: 'RCOErrorRateHigh', health: 'unknown' },
      'error rate: RCOErrorRateHigh has not been evaluated yet (health unknown)',
    ],
    [
      'an alert routed to email only',
      {
        alert: 'RCOErrorRateHigh',
        receivers: [
          { name: 'platform-email', integrations: ['email'], needsAck: false },
        ],
      },
      'error rate: RCOErrorRateHigh is routed to platform-email (email), which no one acknowledges (a PagerDuty or Opsgenie receiver, or one named in ackReceivers.add, does)',
    ],
    [
      'an alert routed nowhere',
      { alert: 'RCOErrorRateHigh', receivers: [] },
      'error rate: RCOErrorRateHigh is routed to no receiver, which no one acknowledges',
    ],
  ])('fails on %s', (_name, broken, reason) => {
    const outcome = monitoringAlerting(
      live([collected(state([...GOOD.slice(0, 2), broken]))]),
    );
    expect(outcome.status).toBe('fail');
    expect(outcome.reasons.join('\n')).toContain(reason);
  });

  it('refuses: a sound alert of an SLO does not outvote a broken one carrying the service’s labels', () => {
    const outcome = monitoringAlerting(
      live([
        collected(
          state([
            ...GOOD,
            { alert: 'RCOErrorBudgetSlow', health: 'err', lastError: 'boom' },
          ]),
        ),
      ]),
    );
    expect(outcome.status).toBe('fail');
    expect(outcome.reasons.join('\n')).toContain(
      'RCOErrorBudgetSlow is loaded but fails to evaluate',
    );
  });

  it('names what fires now (informational)', () => {
    const outcome = monitoringAlerting(
      live([
        collected(
          state([
            { alert: 'RCOAvailabilityBurnRate', firing: true },
            ...GOOD.slice(1),
          ]),
        ),
      ]),
    );
    expect(outcome.status).toBe('pass');
    expect(outcome.reasons).toContain(
      'Firing now: RCOAvailabilityBurnRate (informational)',
    );
  });

  it('does not count an alerting state uploaded by CI or a person, whatever it says', () => {
    for (const source of ['ci', 'human'] as const) {
      const outcome = monitoringAlerting(
        live([collected(state(GOOD), { source })]),
      );
      expect(outcome.status).toBe('missing');
    }
  });

  it("counts only the configured stack's state of this environment", () => {
    const other = collected(state(GOOD, { endpoint: 'old-prometheus' }));
    const staging = collected(state(GOOD, { environment: 'staging' }), {
      subject: { environment: 'staging' },
    });
    expect(monitoringAlerting(live([other, staging])).status).toBe('missing');
  });

  it('judges the newest collection: a rule broken since the last one fails', () => {
    const before = collected(state(GOOD), { age: DAY });
    const now = collected(
      state([
        GOOD[0],
        { alert: 'RCOLatencyP95High', health: 'err', lastError: 'bad' },
        GOOD[2],
      ]),
    );
    expect(monitoringAlerting(live([before, now])).status).toBe('fail');
  });

  it('keeps judging declared PrometheusRules where no stack is configured, and says so', () => {
    const outcome = monitoringAlerting(live(declared(), 'staging'));
    expect(outcome.status).toBe('pass');
    expect(outcome.reasons).toContain(
      "The alerts are only declared (PrometheusRule): the console does not read staging's Prometheus and Alertmanager (rco.collectors.prometheus), so whether they are loaded, healthy and routed to a receiver that needs acknowledgement is not checked",
    );
  });

  it('goes stale with the collection, not with the PrometheusRule', () => {
    const old = declared().map(r => ({
      ...r,
      collectedAt: new Date(r.collectedAt.getTime() - 60 * DAY),
    }));
    const gate = (evidence: ReturnType<typeof collected>[]) =>
      evaluateRelease(live(evidence)).gates.find(
        g => g.id === 'monitoring-alerting',
      )!;
    expect(gate([collected(state(GOOD)), ...old]).status).toBe('pass');
    const stale = gate([
      collected(state(GOOD), { age: 31 * DAY }),
      ...declared(),
    ]);
    expect(stale.status).toBe('stale');
    expect(stale.reasons[0]).toMatch(
      /^Evidence is stale: alerting-state is 31 days old/,
    );
  });

  it('refuses: the stack went back to a webhook (a version stored before) and the gate still reads the PagerDuty row collected after it', () => {
    const observed = (
      r: ReturnType<typeof collected>,
      firstObserved: number,
      lastObserved: number,
    ) => ({
      ...r,
      provenance: {
        collector: 'prometheus',
        cluster: 'helix-prod',
        kind: 'rules',
        name: 'rco',
        uid: 'rco-production',
        resourceVersion: r.sha256.slice(0, 32),
        firstObservedAt: new Date(NOW.getTime() - firstObserved),
        observedAt: new Date(NOW.getTime() - lastObserved),
      },
    });
    const webhook = [
      { name: 'rco-webhook', integrations: ['webhook'], needsAck: false },
    ];
    // Day 1 webhook, day 2 PagerDuty, day 3 webhook again: the day-1 row is observed now.
    const day1 = observed(
      collected(state(GOOD.map(a => ({ ...a, receivers: webhook }))), {
        age: 2 * DAY,
      }),
      2 * DAY,
      0,
    );
    const day2 = observed(collected(state(GOOD), { age: DAY }), DAY, DAY);
    const outcome = monitoringAlerting(live([day1, day2]));
    expect(outcome.status).toBe('fail');
    expect(outcome.reasons.join('\n')).toContain(
      'is routed to rco-webhook (webhook), which no one acknowledges',
    );
    expect(outcome.used[0]).toBe(day1);
  });
});

describe('monitoring-alerting: does routed to PagerDuty mean someone is paged', () => {
  const withSpec = (
    doc: ReturnType<typeof state>,
    spec: Record<string, unknown>,
  ) => ({ ...doc, spec: { ...doc.spec, ...spec } });

  it('refuses: Prometheus sends its alerts to no Alertmanager, yet the routing looks right', () => {
    const outcome = monitoringAlerting(
      live([
        collected(
          withSpec(state(GOOD), {
            alertmanagers: { active: 0, readIsActive: false },
          }),
        ),
      ]),
    );
    expect(outcome.status).toBe('fail');
    expect(outcome.reasons[0]).toBe(
      'Prometheus helix-prod sends its alerts to no Alertmanager (/api/v1/alertmanagers lists none active), so no alert reaches a receiver',
    );
  });

  it('says so, without failing, when Prometheus sends to an Alertmanager at another address than the one read', () => {
    const outcome = monitoringAlerting(
      live([
        collected(
          withSpec(state(GOOD), {
            alertmanagers: { active: 1, readIsActive: false },
          }),
        ),
      ]),
    );
    expect(outcome.status).toBe('pass');
    expect(outcome.reasons[0]).toMatch(/none at the address the console reads/);
  });

  it('refuses: an active silence mutes the only SLO alert of a kind', () => {
    const outcome = monitoringAlerting(
      live([
        collected(
          state([
            GOOD[0],
            { alert: 'RCOLatencyP95High', silencedBy: ['5f3c'] },
            GOOD[2],
          ]),
        ),
      ]),
    );
    expect(outcome.status).toBe('fail');
    expect(outcome.reasons).toContain(
      'latency: RCOLatencyP95High is silenced in Alertmanager (active silence 5f3c), so it pages no one while the silence lasts',
    );
  });

  it('refuses: an always-firing alert inhibits the SLO alerts', () => {
    const outcome = monitoringAlerting(
      live([
        collected(
          state(GOOD.map(a => ({ ...a, inhibitedBy: ['RCOWatchdog'] }))),
        ),
      ]),
    );
    expect(outcome.status).toBe('fail');
    expect(outcome.reasons).toContain(
      'availability: RCOAvailabilityBurnRate is inhibited in Alertmanager by RCOWatchdog, firing now (inhibit_rules), so it pages no one',
    );
  });

  it('states what it does not evaluate: time intervals and alert relabelling', () => {
    const outcome = monitoringAlerting(
      live([
        collected(
          withSpec(
            state([
              { ...GOOD[0], timeIntervals: ['weekends'] },
              GOOD[1],
              GOOD[2],
            ]),
            { alertRelabeling: true },
          ),
        ),
      ]),
    );
    expect(outcome.status).toBe('pass');
    expect(outcome.reasons).toEqual(
      expect.arrayContaining([
        'Not evaluated: the time intervals on the routes of RCOAvailabilityBurnRate (weekends); outside them Alertmanager does not notify',
        "Not evaluated: Prometheus helix-prod relabels alerts before sending them (alert_relabel_configs); the routing judged uses the rules' own labels",
      ]),
    );
  });
});

describe('monitoring-alerting for a release judged without an environment', () => {
  const envless = (evidence: ReturnType<typeof collected>[]) =>
    context(evidence, {
      release: { version: '1.3.2' },
      config: {
        maxAge: {},
        blockingSeverities: [],
        helixCoreRepository: 'helix-core',
        monitoredEnvironments: { production: 'helix-prod' },
      },
    });

  it('refuses: the portfolio (no environment) passes on the PrometheusRule while the monitored stack fails', () => {
    const outcome = monitoringAlerting(
      envless([...declared(), collected(state([]))]),
    );
    expect(outcome.status).toBe('fail');
    expect(outcome.reasons[0]).toBe(
      'No environment given: judged in each environment whose monitoring stack the console reads (production), the worst verdict stands',
    );
    expect(outcome.reasons).toContain(
      'production: No availability alert loaded in Prometheus helix-prod (rules labelled service=rco)',
    );
    expect(outcome.reasons.join('\n')).not.toContain('only declared');
  });

  it('is missing, not passing on the PrometheusRule, while a monitored stack was never collected', () => {
    const outcome = monitoringAlerting(envless(declared()));
    expect(outcome.status).toBe('missing');
  });

  it('passes when every monitored stack passes', () => {
    const outcome = monitoringAlerting(
      envless([...declared(), collected(state(GOOD))]),
    );
    expect(outcome.status).toBe('pass');
    expect(outcome.reasons.join('\n')).not.toContain(
      'the console does not read',
    );
  });
});
