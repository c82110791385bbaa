import { InputError } from '@backstage/errors';
import { PolicyReportSummary } from '@helix-portal/plugin-rco-common';
import { parse } from 'yaml';
import { readSample } from '../../__testUtils__/fixtures';
import { policyReportParser } from './policyReport';

type Raw = {
  metadata: { name: string; namespace: string };
  summary: Record<string, number>;
  results: Array<{
    policy: string;
    rule: string;
    result: string;
    message: string;
  }>;
};

const sample = () =>
  parse(readSample('kyverno-policyreport-pod-v1alpha2.yaml')) as Raw;
const summaryOf = (doc: unknown) =>
  policyReportParser.parse(doc).summary as PolicyReportSummary;

/** A wg-policy ClusterPolicyReport as Kyverno's background scan wrote them (v1beta1). */
const clusterReport = () => ({
  apiVersion: 'wgpolicyk8s.io/v1beta1',
  kind: 'ClusterPolicyReport',
  metadata: { name: 'cpol-require-labels' },
  results: [
    {
      policy: 'require-labels',
      rule: 'check-team',
      result: 'fail',
      message: 'label team is required',
      resources: [
        { apiVersion: 'v1', kind: 'Namespace', name: 'payments' },
        { apiVersion: 'v1', kind: 'Namespace', name: 'billing' },
      ],
    },
    { policy: 'require-labels', rule: 'check-team', result: 'pass' },
    {
      policy: 'restrict-nodeport',
      result: 'error',
      message: 'variable not found',
    },
    { policy: 'disallow-latest', result: 'skip' },
    { policy: 'disallow-latest', result: 'warn' },
  ],
});

/** An OpenReports Report (openreports.io/v1alpha1), shape from openreports/reports-api. */
const openReport = () => ({
  apiVersion: 'openreports.io/v1alpha1',
  kind: 'Report',
  metadata: { name: 'trivy-deploy-api', namespace: 'shop' },
  source: 'trivy',
  scope: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'api',
    namespace: 'shop',
  },
  summary: { pass: 4, fail: 1, warn: 0, error: 0, skip: 0 },
  results: [
    {
      source: 'trivy',
      policy: 'KSV014',
      result: 'fail',
      message: 'root fs writable',
    },
    { source: 'trivy', policy: 'KSV001', result: 'pass' },
  ],
});

describe('policyReportParser', () => {
  it('reads the Kyverno PolicyReport sample', () => {
    const raw = sample();
    expect(policyReportParser.detect(raw)).toBe(true);
    const summary = summaryOf(raw);

    expect(summary.name).toBe(raw.metadata.name);
    expect(summary.namespace).toBe('kube-system');
    // The report's summary counts all results; the sample lists only some of them.
    expect(summary.counts).toEqual(raw.summary);
    expect(summary.counts.fail).toBe(2);
    const failing = raw.results.filter(
      r => r.result === 'fail' || r.result === 'error',
    );
    expect(summary.failures).toHaveLength(failing.length);
    expect(summary.failures[0]).toEqual({
      policy: 'disallow-host-namespaces',
      rule: 'host-namespaces',
      result: 'fail',
      message: failing[0].message,
      // No resources on the result: it is about the report's scope.
      resource: 'kube-system/pod/kube-apiserver-kind-control-plane',
    });
    expect(summary.scope).toBe(
      'kube-system/pod/kube-apiserver-kind-control-plane',
    );
  });

  it('stores the document unchanged, as a copy', () => {
    const raw = sample();
    const { sanitized, subject } = policyReportParser.parse(raw);
    expect(sanitized).toEqual(sample());
    expect(sanitized).not.toBe(raw);
    expect(subject).toEqual({});
  });

  it('computes counts from results when a ClusterPolicyReport has no summary', () => {
    const summary = summaryOf(clusterReport());
    expect(summary.counts).toEqual({
      pass: 1,
      fail: 1,
      warn: 1,
      error: 1,
      skip: 1,
    });
    expect(summary.namespace).toBeUndefined();
    // One failure per checked resource, plus the error result.
    expect(summary.failures.map(f => f.resource)).toEqual([
      'namespace/payments',
      'namespace/billing',
      undefined,
    ]);
    expect(summary.failures[2]).toMatchObject({
      policy: 'restrict-nodeport',
      result: 'error',
    });
  });

  it('reads an OpenReports Report', () => {
    const doc = openReport();
    expect(policyReportParser.detect(doc)).toBe(true);
    const summary = summaryOf(doc);
    expect(summary.counts).toEqual(doc.summary);
    expect(summary.failures).toEqual([
      {
        policy: 'KSV014',
        rule: undefined,
        result: 'fail',
        message: 'root fs writable',
        resource: 'shop/deployment/api',
      },
    ]);
  });

  it('detects every wg-policy version and both OpenReports kinds, nothing else', () => {
    for (const v of ['v1alpha1', 'v1alpha2', 'v1beta1']) {
      expect(
        policyReportParser.detect({
          ...clusterReport(),
          apiVersion: `wgpolicyk8s.io/${v}`,
        }),
      ).toBe(true);
    }
    expect(
      policyReportParser.detect({ ...openReport(), kind: 'ClusterReport' }),
    ).toBe(true);
    expect(
      policyReportParser.detect({ ...openReport(), kind: 'PolicyReport' }),
    ).toBe(false);
    expect(
      policyReportParser.detect({
        ...clusterReport(),
        apiVersion: 'wgpolicyk8s.io/v2',
      }),
    ).toBe(false);
    expect(
      policyReportParser.detect({ ...clusterReport(), kind: 'Report' }),
    ).toBe(false);
    expect(policyReportParser.detect([clusterReport()])).toBe(false);
  });

  it('keeps the summary small on huge reports', () => {
    const doc = clusterReport();
    doc.results = Array.from({ length: 150 }, (_, i) => ({
      policy: `p${i}`,
      result: 'fail',
    }));
    const summary = summaryOf(doc);
    expect(summary.counts.fail).toBe(150);
    expect(summary.failures).toHaveLength(100);
    expect(summary.failuresOmitted).toBe(50);
  });

  it('rejects malformed reports with the field at fault', () => {
    const noName = { ...clusterReport(), metadata: {} };
    expect(() => policyReportParser.parse(noName)).toThrow(InputError);
    expect(() => policyReportParser.parse(noName)).toThrow(
      'ClusterPolicyReport has no metadata.name',
    );

    const notList = { ...clusterReport(), results: { policy: 'x' } };
    expect(() => policyReportParser.parse(notList)).toThrow(
      'results is not a list',
    );

    const bogus = clusterReport();
    bogus.results[1].result = 'passed';
    expect(() => policyReportParser.parse(bogus)).toThrow(
      'results[1].result is not one of pass, fail, warn, error, skip',
    );

    const noPolicy = clusterReport();
    (noPolicy.results[0] as { policy?: string }).policy = undefined;
    expect(() => policyReportParser.parse(noPolicy)).toThrow(
      'results[0] has no policy',
    );

    const badSummary = { ...openReport(), summary: { pass: 'four' } };
    expect(() => policyReportParser.parse(badSummary)).toThrow(
      'summary.pass is not a non-negative integer',
    );
    expect(() => policyReportParser.parse({ kind: 'PolicyReport' })).toThrow(
      InputError,
    );
  });
});
