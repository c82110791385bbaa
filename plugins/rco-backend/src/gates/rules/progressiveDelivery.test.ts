import { context, record } from '../__testUtils__/context';
import { example } from '../__testUtils__/examples';
import { progressiveDelivery } from './progressiveDelivery';

const demo = () => [
  ...example('argo-rollout', 'rollout-rco.yaml'),
  ...example('argo-analysis-template', 'analysistemplate-rco-canary-slo.yaml'),
];

describe('progressive-delivery', () => {
  it.each([
    {
      name: 'no Rollout: missing',
      evidence: () => [],
      status: 'missing',
      reason: 'No Argo Rollout',
    },
    {
      name: "the demo's canary with an SLO analysis template: pass",
      evidence: demo,
      status: 'pass',
      reason: 'Analysis covers latency and error rate with thresholds',
    },
    {
      name: 'the canary without its analysis template: missing',
      evidence: () => example('argo-rollout', 'rollout-rco.yaml'),
      status: 'missing',
      reason: 'No AnalysisTemplate',
    },
    {
      name: 'the real aborted canary and its failed AnalysisRun: fail',
      evidence: () => [
        record('argo-rollout', 'argo-rollouts-rollout-aborted-canary.yaml'),
        record('argo-analysis-run', 'argo-rollouts-analysisrun-failed.yaml'),
      ],
      status: 'fail',
      reason: 'Failed',
    },
  ])('$name', ({ evidence, status, reason }) => {
    const outcome = progressiveDelivery(context(evidence()));
    expect(outcome.status).toBe(status);
    expect(outcome.reasons.join('\n')).toContain(reason);
  });
});
