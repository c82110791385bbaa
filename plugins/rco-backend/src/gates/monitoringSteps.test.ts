import { GateResult } from '@helix-portal/plugin-rco-common';
import { EvidenceRecord } from '../database/EvidenceStore';
import { context, DAY, DIGEST, NOW, record } from './__testUtils__/context';
import { example } from './__testUtils__/examples';
import { gateCondition } from './conditions';
import { evaluateRelease } from './evaluate';
import { NextStepContext, nextSteps } from './nextSteps';

const MONITORED = {
  maxAge: {},
  blockingSeverities: [],
  helixCoreRepository: 'helix-core',
  monitoredEnvironments: { production: 'helix-prod' },
};

/** An AlertingState of production's stack with the three SLO alerts, one changed as given. */
function collected(change: Record<string, unknown> = {}, age = 0) {
  return record(
    'alerting-state',
    {
      apiVersion: 'rco.helix.dev/v1',
      kind: 'AlertingState',
      metadata: { name: 'rco' },
      spec: {
        endpoint: 'helix-prod',
        environment: 'production',
        selector: { service: 'rco' },
        alerts: [
          'RCOAvailabilityBurnRate',
          'RCOLatencyP95High',
          'RCOErrorRateHigh',
        ].map((alert, i) => ({
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
          ...(i === 1 ? change : {}),
        })),
      },
    },
    { source: 'monitoring', subject: { environment: 'production' }, age },
  );
}

function judged(
  evidence: EvidenceRecord[],
  environment = 'production',
): GateResult {
  const ctx = context(evidence, {
    release: { version: '1.3.2', digest: DIGEST, environment },
    config: MONITORED,
  });
  return evaluateRelease(ctx).gates.find(g => g.id === 'monitoring-alerting')!;
}

const stepsCtx = (
  evidence: EvidenceRecord[],
  environment = 'production',
): NextStepContext => ({
  baseUrl: 'https://portal.example/api/rco',
  entity: { kind: 'Component', namespace: 'default', name: 'rco' },
  release: { version: '1.3.2', digest: DIGEST, environment },
  environments: ['staging', 'production'],
  signoffGroups: { po: undefined, dpo: undefined, security: undefined },
  people: () => undefined,
  records: new Map(evidence.map(r => [r.id, r])),
  now: NOW,
});

const steps = (evidence: EvidenceRecord[], environment = 'production') =>
  nextSteps(judged(evidence, environment), stepsCtx(evidence, environment));

describe('monitoring-alerting next steps where the console reads the stack', () => {
  it('asks for nothing when the stack passes', () => {
    expect(steps([collected()])).toEqual([]);
  });

  it('never asks CI to upload an alerting state: the fix is in Prometheus and Alertmanager', () => {
    const [step, ...rest] = steps([
      collected({
        health: 'err',
        receivers: [
          { name: 'hook', integrations: ['webhook'], needsAck: false },
        ],
      }),
    ]);
    expect(rest).toEqual([]);
    expect(step).toMatchObject({
      action: 'fix',
      kind: 'alerting-state',
      environment: 'production',
    });
    expect(step.command).toBeUndefined();
    expect(step.text).toBe(
      "Fix the rules whose evaluation fails (Prometheus shows why); route the SLO alerts in Alertmanager to a receiver that pages someone who acknowledges (PagerDuty or Opsgenie, or one the portal's operators list in rco.collectors.prometheus ackReceivers.add); the console sees the change at its next collection (or refresh it on the Release tab)",
    );
  });

  it('says to expire the silence and fix the inhibit rule that keep the SLO alerts from paging', () => {
    const [step] = steps([
      collected({ silencedBy: ['5f3c'], inhibitedBy: ['RCOWatchdog'] }),
    ]);
    expect(step.text).toBe(
      'Expire the Alertmanager silences that match the SLO alerts, or let them run out; change the inhibit_rules so that no alert that is always firing mutes the SLO alerts; the console sees the change at its next collection (or refresh it on the Release tab)',
    );
  });

  it('says to load the rules a PrometheusRule declares but Prometheus lacks', () => {
    const [step] = steps([
      collected({ alert: 'RCOSomethingElse', expr: 'x' }),
      ...example('prometheus-rule', 'prometheusrule-rco-slo.yaml'),
    ]);
    expect(step.text).toMatch(
      /^Load the SLO alert rules into Prometheus with the labels the console selects by/,
    );
  });

  it.each([
    ['not collected yet', [] as EvidenceRecord[]],
    ['collected too long ago', [collected({}, 31 * DAY)]],
  ])('points at the collection health when %s', (_name, evidence) => {
    expect(steps(evidence)).toEqual([
      expect.objectContaining({
        action: 'fix',
        kind: 'alerting-state',
        text: expect.stringMatching(
          /^The console has no recent reading of the monitoring stack: check the collection health/,
        ),
      }),
    ]);
  });

  it('still asks for the PrometheusRule where no stack is configured', () => {
    expect(steps([], 'staging').map(s => `${s.action}:${s.kind}`)).toEqual([
      'upload:prometheus-rule',
    ]);
  });
});

describe('monitoring-alerting condition', () => {
  const condition = (config = context([]).config) =>
    gateCondition('monitoring-alerting', 'P30D', {
      config,
      entityName: 'rco',
      signoffGroups: { po: undefined, dpo: undefined, security: undefined },
      release: {},
    });

  it('says where the stack itself is checked', () => {
    expect(condition(MONITORED)).toContain(
      "In production, where the console reads Prometheus and Alertmanager itself: each SLO alert is loaded and healthy in Prometheus (an alert a PrometheusRule declares but Prometheus has not loaded fails), has a severity and a runbook_url, and Alertmanager routes it to a receiver that needs a human's acknowledgement (PagerDuty, Opsgenie or one configured); elsewhere the alerts are only declared.",
    );
  });

  it('says nothing of a stack when none is configured', () => {
    expect(condition()).not.toContain('Alertmanager');
  });
});
