import { InputError } from '@backstage/errors';
import {
  AnalysisRunSummary,
  AnalysisTemplateSummary,
  RolloutSummary,
} from '@helix-portal/plugin-rco-common';
import { parse } from 'yaml';
import { readSample } from '../../__testUtils__/fixtures';
import {
  argoAnalysisRunParser,
  argoAnalysisTemplateParser,
  argoRolloutParser,
} from './argo';

const rolloutSample = () =>
  parse(readSample('argo-rollouts-rollout-aborted-canary.yaml'));
const runSample = () =>
  parse(readSample('argo-rollouts-analysisrun-failed.yaml'));

const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** A blue-green Rollout from a current controller (status.phase and status.message set). */
const blueGreen = () => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'api', labels: { 'app.kubernetes.io/version': '2.4.0' } },
  spec: {
    template: {
      spec: {
        containers: [{ name: 'api', image: `ghcr.io/acme/api@${DIGEST}` }],
      },
    },
    strategy: {
      blueGreen: {
        activeService: 'api-active',
        prePromotionAnalysis: { templates: [{ templateName: 'smoke-tests' }] },
        postPromotionAnalysis: {
          templates: [{ templateName: 'success-rate', clusterScope: true }],
        },
      },
    },
  },
  status: { phase: 'Paused', message: 'BlueGreenPause', abort: false },
});

/** The success-rate template from the Argo Rollouts analysis docs. */
const template = () => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'success-rate' },
  spec: {
    args: [{ name: 'service-name' }],
    metrics: [
      {
        name: 'success-rate',
        interval: '5m',
        successCondition: 'result[0] >= 0.95',
        failureLimit: 3,
        provider: {
          prometheus: {
            address: 'http://prometheus.example.com:9090',
            query: 'sum(irate(istio_requests_total{response_code!~"5.*"}[5m]))',
          },
        },
      },
      {
        name: 'webcheck',
        failureCondition: 'result != "ok"',
        provider: {
          web: {
            url: 'https://api.example.com/health',
            jsonPath: '{$.status}',
          },
        },
      },
    ],
  },
});

describe('argoRolloutParser', () => {
  it('reads the aborted canary sample', () => {
    const raw = rolloutSample();
    expect(argoRolloutParser.detect(raw)).toBe(true);
    const summary = argoRolloutParser.parse(raw).summary as RolloutSummary;
    expect(summary).toEqual({
      type: 'argo-rollout',
      name: 'rollout-background-analysis',
      strategy: 'canary',
      steps: raw.spec.strategy.canary.steps,
      analysisTemplates: ['web-background'],
      // The sample predates status.phase.
      phase: undefined,
      aborted: true,
      // …and status.message: the abort reason comes from the Progressing condition.
      message:
        'metric "web" assessed Failed due to failed (1) > failureLimit (0)',
      currentStepIndex: 0,
    });
    expect(summary.steps).toEqual([{ setWeight: 10 }, { pause: {} }]);
    // Tag-only image: no digest to claim.
    expect(argoRolloutParser.parse(raw).subject).toEqual({});
    expect(argoRolloutParser.parse(raw).sanitized).toEqual(rolloutSample());
  });

  it('reads blue-green analyses, status and a pinned image', () => {
    const { summary, subject } = argoRolloutParser.parse(blueGreen());
    expect(summary).toMatchObject({
      strategy: 'blueGreen',
      steps: [],
      analysisTemplates: ['smoke-tests', 'success-rate'],
      phase: 'Paused',
      message: 'BlueGreenPause',
      aborted: false,
    });
    expect(subject).toEqual({ version: '2.4.0', digest: DIGEST });
  });

  it('lists inline analysis steps and keeps other steps for index alignment', () => {
    const doc = blueGreen();
    (doc.spec.strategy as Record<string, unknown>) = {
      canary: {
        steps: [
          { setWeight: 20 },
          { pause: { duration: '10m' } },
          {
            analysis: {
              templates: [
                { templateName: 'success-rate' },
                { templateName: 'latency' },
              ],
            },
          },
          {
            experiment: {
              templates: [{ name: 'baseline', specRef: 'stable' }],
            },
          },
          { pause: { duration: 30 } },
        ],
      },
    };
    const summary = argoRolloutParser.parse(doc).summary as RolloutSummary;
    expect(summary.steps).toEqual([
      { setWeight: 20 },
      { pause: { duration: '10m' } },
      { analysis: ['success-rate', 'latency'] },
      { other: 'experiment' },
      { pause: { duration: 30 } },
    ]);
    expect(summary.analysisTemplates).toEqual([]);
  });

  it('rejects a Rollout without spec or with a broken step', () => {
    const { spec, ...noSpec } = blueGreen();
    expect(spec).toBeDefined();
    expect(() => argoRolloutParser.parse(noSpec)).toThrow(InputError);
    expect(() => argoRolloutParser.parse(noSpec)).toThrow(
      'Argo Rollout has no spec',
    );
    const doc = blueGreen();
    (doc.spec.strategy as Record<string, unknown>) = {
      canary: { steps: [{ setWeight: '10%' }] },
    };
    expect(() => argoRolloutParser.parse(doc)).toThrow(
      'Argo Rollout: canary.steps[0]: setWeight is not a number',
    );
  });
});

describe('argoAnalysisTemplateParser', () => {
  it('reads metrics, conditions, provider and query', () => {
    const doc = template();
    expect(argoAnalysisTemplateParser.detect(doc)).toBe(true);
    expect(
      argoAnalysisTemplateParser.parse(doc).summary as AnalysisTemplateSummary,
    ).toEqual({
      type: 'argo-analysis-template',
      name: 'success-rate',
      metrics: [
        {
          name: 'success-rate',
          successCondition: 'result[0] >= 0.95',
          failureCondition: undefined,
          provider: 'prometheus',
          query: doc.spec.metrics[0].provider.prometheus?.query,
        },
        {
          name: 'webcheck',
          successCondition: undefined,
          failureCondition: 'result != "ok"',
          provider: 'web',
          query: undefined,
        },
      ],
    });
  });

  it('accepts a ClusterAnalysisTemplate and rejects templates without metrics', () => {
    const cluster = { ...template(), kind: 'ClusterAnalysisTemplate' };
    expect(argoAnalysisTemplateParser.detect(cluster)).toBe(true);
    expect(argoAnalysisTemplateParser.parse(cluster).summary).toMatchObject({
      name: 'success-rate',
    });
    const noMetrics = { ...template(), spec: { args: [] } };
    expect(() => argoAnalysisTemplateParser.parse(noMetrics)).toThrow(
      'Argo AnalysisTemplate has no spec.metrics list',
    );
    const noName = template();
    (noName.spec.metrics[1] as { name?: string }).name = undefined;
    expect(() => argoAnalysisTemplateParser.parse(noName)).toThrow(
      'spec.metrics[1] has no name',
    );
  });
});

describe('argoAnalysisRunParser', () => {
  it('reads the failed background AnalysisRun sample', () => {
    const raw = runSample();
    expect(argoAnalysisRunParser.detect(raw)).toBe(true);
    const summary = argoAnalysisRunParser.parse(raw)
      .summary as AnalysisRunSummary;
    const result = raw.status.metricResults[0];
    expect(summary).toEqual({
      type: 'argo-analysis-run',
      name: 'rollout-background-analysis-db976bc44-2',
      phase: 'Failed',
      message: raw.status.message,
      metrics: [
        {
          name: 'web',
          phase: 'Failed',
          successCondition: raw.spec.metrics[0].successCondition,
          failureCondition: undefined,
          lastValue: result.measurements[result.measurements.length - 1].value,
          failed: result.failed,
          successful: undefined,
          message: undefined,
        },
      ],
    });
    expect(summary.metrics[0].lastValue).toBe('false');
  });

  it('keeps metrics not yet measured and results missing from spec', () => {
    const raw = runSample();
    raw.spec.metrics.push({
      name: 'latency',
      successCondition: 'result < 300',
    });
    raw.status.metricResults.push({
      name: 'orphan',
      phase: 'Error',
      message: 'no provider',
    });
    const summary = argoAnalysisRunParser.parse(raw)
      .summary as AnalysisRunSummary;
    expect(summary.metrics.map(m => [m.name, m.phase])).toEqual([
      ['web', 'Failed'],
      ['latency', undefined],
      ['orphan', 'Error'],
    ]);
    expect(summary.metrics[2].message).toBe('no provider');
  });

  it('rejects a run without status and broken results', () => {
    const { status, ...noStatus } = runSample();
    expect(status).toBeDefined();
    expect(() => argoAnalysisRunParser.parse(noStatus)).toThrow(
      'Argo AnalysisRun has no status',
    );
    const bad = runSample();
    bad.status.metricResults[0].failed = 'one';
    expect(() => argoAnalysisRunParser.parse(bad)).toThrow(
      'status.metricResults[0]: failed is not a number',
    );
  });

  it('never overlaps with the other Argo kinds', () => {
    const docs = [rolloutSample(), runSample(), template(), blueGreen()];
    const parsers = [
      argoRolloutParser,
      argoAnalysisTemplateParser,
      argoAnalysisRunParser,
    ];
    for (const doc of docs) {
      expect(parsers.filter(p => p.detect(doc))).toHaveLength(1);
    }
    expect(
      argoRolloutParser.detect({
        ...blueGreen(),
        apiVersion: 'argoproj.io/v1',
      }),
    ).toBe(false);
    expect(
      argoRolloutParser.detect({ ...blueGreen(), kind: 'Application' }),
    ).toBe(false);
  });
});
