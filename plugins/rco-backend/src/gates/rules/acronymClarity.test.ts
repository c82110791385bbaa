import { context, record } from '../__testUtils__/context';
import { example } from '../__testUtils__/examples';
import { acronymClarity } from './acronymClarity';

const workload = (labels: Record<string, string>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'gateway', namespace: 'rco', labels },
  spec: {
    template: {
      metadata: { labels },
      spec: { containers: [{ name: 'app', image: 'registry.example/rco:1' }] },
    },
  },
});

describe('acronym-clarity', () => {
  it.each([
    {
      name: 'nothing uploaded: missing',
      evidence: () => [],
      status: 'missing',
      reason: 'Upload a naming report',
    },
    {
      name: "the demo's naming report: pass",
      evidence: () => example('naming-report', 'naming-report.yaml'),
      status: 'pass',
      reason: 'every object is labelled rco',
    },
    {
      name: 'a workload labelled with the canonical name: pass',
      evidence: () => [record('workload', workload({ app: 'rco-gateway' }))],
      status: 'pass',
      reason: 'carry the canonical name rco',
    },
    {
      name: 'a workload labelled with a name the glossary keeps distinct (rcot): fail',
      evidence: () => [record('workload', workload({ app: 'rcot' }))],
      status: 'fail',
      reason: 'is labelled rcot',
    },
    {
      name: 'the real kube-prometheus deployment (no rco label): fail',
      evidence: () => [
        record(
          'workload',
          'deployment-hardened-securitycontext-kube-prometheus.yaml',
          // Its labels say kube-prometheus's version, not the release's.
          { subject: {} },
        ),
      ],
      status: 'fail',
      reason: 'carries no "rco" label',
    },
  ])('$name', ({ evidence, status, reason }) => {
    const outcome = acronymClarity(context(evidence()));
    expect(outcome.status).toBe(status);
    expect(outcome.reasons.join('\n')).toContain(reason);
  });
});
