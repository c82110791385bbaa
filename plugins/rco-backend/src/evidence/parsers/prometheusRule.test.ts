import { InputError } from '@backstage/errors';
import { PrometheusRuleSummary } from '@helix-portal/plugin-rco-common';
import { parse } from 'yaml';
import { readSample } from '../../__testUtils__/fixtures';
import { prometheusRuleParser } from './prometheusRule';

type RawRule = {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: { severity?: string };
  annotations?: { runbook_url?: string };
};
type Raw = {
  metadata: { name: string; labels: Record<string, string> };
  spec: { groups: Array<{ name: string; rules: RawRule[] }> };
};

const sample = () =>
  parse(readSample('prometheusrule-alertmanager-kube-prometheus.yaml')) as Raw;
const summaryOf = (doc: unknown) =>
  prometheusRuleParser.parse(doc).summary as PrometheusRuleSummary;

const withRules = (rules: unknown[]) => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: { name: 'shop-rules', namespace: 'shop' },
  spec: { groups: [{ name: 'shop.rules', rules }] },
});

describe('prometheusRuleParser', () => {
  it('reads the kube-prometheus Alertmanager rules', () => {
    const raw = sample();
    expect(prometheusRuleParser.detect(raw)).toBe(true);
    const summary = summaryOf(raw);
    const rawAlerts = raw.spec.groups
      .flatMap(g => g.rules)
      .filter(r => r.alert);
    expect(summary.name).toBe('alertmanager-main-rules');
    expect(summary.alerts).toHaveLength(rawAlerts.length);
    expect(summary.alerts.map(a => a.alert)).toEqual(
      rawAlerts.map(r => r.alert),
    );
    expect(summary.alerts.map(a => a.severity)).toEqual(
      rawAlerts.map(r => r.labels?.severity),
    );
    expect(summary.alerts.map(a => a.runbookUrl)).toEqual(
      rawAlerts.map(r => r.annotations?.runbook_url),
    );
    expect(summary.alerts[0]).toMatchObject({
      alert: 'AlertmanagerFailedReload',
      for: '10m',
      severity: 'critical',
      runbookUrl:
        'https://runbooks.prometheus-operator.dev/runbooks/alertmanager/alertmanagerfailedreload',
    });
    expect(summary.alerts[0].expr).toContain(
      'alertmanager_config_last_reload_successful',
    );
  });

  it('takes the version from app.kubernetes.io/version and keeps the document', () => {
    const raw = sample();
    const { subject, sanitized } = prometheusRuleParser.parse(raw);
    expect(subject).toEqual({
      version: raw.metadata.labels['app.kubernetes.io/version'],
    });
    expect(subject.version).toBe('0.33.1');
    expect(sanitized).toEqual(sample());
  });

  it('skips recording rules and accepts a numeric expr', () => {
    const summary = summaryOf(
      withRules([
        {
          record: 'job:http_requests:rate5m',
          expr: 'sum by (job) (rate(http_requests_total[5m]))',
        },
        { alert: 'Watchdog', expr: 1, labels: { severity: 'none' } },
      ]),
    );
    expect(summary.alerts).toEqual([
      {
        alert: 'Watchdog',
        expr: '1',
        for: undefined,
        severity: 'none',
        runbookUrl: undefined,
      },
    ]);
  });

  it('accepts a rule file with no alerts at all', () => {
    expect(summaryOf(withRules([])).alerts).toEqual([]);
  });

  it('rejects malformed rules with their position', () => {
    expect(() =>
      prometheusRuleParser.parse(withRules([{ alert: 'NoExpr' }])),
    ).toThrow(InputError);
    expect(() =>
      prometheusRuleParser.parse(withRules([{ alert: 'NoExpr' }])),
    ).toThrow('PrometheusRule: spec.groups[0].rules[0] has no expr');
    expect(() => prometheusRuleParser.parse(withRules(['up == 0']))).toThrow(
      'spec.groups[0].rules[0] is not an object',
    );
    const noGroups = { ...withRules([]), spec: {} };
    expect(() => prometheusRuleParser.parse(noGroups)).toThrow(
      'PrometheusRule has no spec.groups list',
    );
    const noSpec = { ...withRules([]), spec: undefined };
    expect(() => prometheusRuleParser.parse(noSpec)).toThrow(
      'PrometheusRule has no spec',
    );
  });

  it('detects only monitoring.coreos.com/v1 PrometheusRule', () => {
    expect(
      prometheusRuleParser.detect({
        ...withRules([]),
        apiVersion: 'monitoring.coreos.com/v1alpha1',
      }),
    ).toBe(false);
    expect(
      prometheusRuleParser.detect({ ...withRules([]), kind: 'ServiceMonitor' }),
    ).toBe(false);
    expect(prometheusRuleParser.detect({ groups: [] })).toBe(false);
  });
});
