import { alertingStateParser } from './alertingState';

const doc = (alerts: unknown[] = []) => ({
  apiVersion: 'rco.helix.dev/v1',
  kind: 'AlertingState',
  metadata: { name: 'rco' },
  spec: {
    endpoint: 'helix-prod',
    environment: 'production',
    selector: { service: 'rco' },
    alerts,
  },
});

const alert = (over: Record<string, unknown> = {}) => ({
  alert: 'RCOLatencyP95High',
  group: 'rco-slo',
  expr: 'histogram_quantile(0.95, …) > 0.3',
  labels: { service: 'rco', severity: 'critical' },
  runbookUrl: 'https://portal.helix.example/runbook',
  health: 'ok',
  firing: false,
  receivers: [
    { name: 'rco-pagerduty', integrations: ['pagerduty'], needsAck: true },
  ],
  ...over,
});

describe('alertingStateParser', () => {
  it('detects only its own kind', () => {
    expect(alertingStateParser.detect(doc())).toBe(true);
    expect(alertingStateParser.detect({ ...doc(), kind: 'NamingReport' })).toBe(
      false,
    );
  });

  it('summarises each alert with the SLOs it covers (the same reading as the PrometheusRule check)', () => {
    const { summary, subject } = alertingStateParser.parse(
      doc([
        alert(),
        alert({
          alert: 'RCOErrorRateHigh',
          expr: 'x',
          health: 'err',
          lastError: 'boom',
          firing: true,
        }),
        alert({
          alert: 'RCOWatchdog',
          expr: 'vector(1)',
          labels: { service: 'rco' },
          runbookUrl: undefined,
          receivers: [],
        }),
        alert({ alert: 'RCOOdd', expr: 'x', health: 'weird' }),
      ]),
    );
    expect(subject).toEqual({ environment: 'production' });
    expect(summary).toEqual({
      type: 'alerting-state',
      endpoint: 'helix-prod',
      selector: { service: 'rco' },
      alerts: [
        expect.objectContaining({
          alert: 'RCOLatencyP95High',
          slos: ['latency'],
          severity: 'critical',
          health: 'ok',
        }),
        expect.objectContaining({
          alert: 'RCOErrorRateHigh',
          slos: ['error rate'],
          health: 'err',
          lastError: 'boom',
          firing: true,
        }),
        {
          alert: 'RCOWatchdog',
          group: 'rco-slo',
          slos: [],
          health: 'ok',
          firing: false,
          receivers: [],
        },
        // A health this console does not know is not ok.
        expect.objectContaining({ alert: 'RCOOdd', health: 'unknown' }),
      ],
    });
  });

  it.each([
    [
      { ...doc(), spec: { ...doc().spec, alerts: [alert({ firing: 'yes' })] } },
      'spec.alerts[0].firing: Expected boolean',
    ],
    [{ ...doc(), spec: { ...doc().spec, extra: 1 } }, 'spec'],
    [{ ...doc(), spec: { ...doc().spec, endpoint: '' } }, 'spec.endpoint'],
  ])('refuses a malformed document, naming the field', (bad, field) => {
    expect(() => alertingStateParser.parse(bad)).toThrow(
      `AlertingState is invalid: ${field}`,
    );
  });
});
