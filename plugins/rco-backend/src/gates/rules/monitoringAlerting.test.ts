import { context, record } from '../__testUtils__/context';
import { example } from '../__testUtils__/examples';
import { monitoringAlerting } from './monitoringAlerting';

describe('monitoring-alerting', () => {
  it.each([
    {
      name: 'no PrometheusRule: missing',
      evidence: () => [],
      status: 'missing',
      reason: 'No PrometheusRule',
    },
    {
      name: "the demo's SLO rules (availability, latency, error rate, paging): pass",
      evidence: () => example('prometheus-rule', 'prometheusrule-rco-slo.yaml'),
      status: 'pass',
      reason: 'latency:',
    },
    {
      name: "the real kube-prometheus Alertmanager rules (not the service's SLOs): fail",
      evidence: () => [
        record(
          'prometheus-rule',
          'prometheusrule-alertmanager-kube-prometheus.yaml',
          // Its labels say kube-prometheus's version, not the release's.
          { subject: {} },
        ),
      ],
      status: 'fail',
      reason: 'No latency alert',
    },
  ])('$name', ({ evidence, status, reason }) => {
    const outcome = monitoringAlerting(context(evidence()));
    expect(outcome.status).toBe(status);
    expect(outcome.reasons.join('\n')).toContain(reason);
  });
});
