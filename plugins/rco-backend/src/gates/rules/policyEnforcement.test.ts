import { context, record } from '../__testUtils__/context';
import { example } from '../__testUtils__/examples';
import { policyEnforcement } from './policyEnforcement';

const passingReport = () =>
  example('policy-report', 'policyreport-rco-prod.yaml').map(r => {
    const s = r.summary as any;
    return {
      ...r,
      summary: {
        ...s,
        counts: { ...s.counts, fail: 0, error: 0 },
        failures: [],
      },
    };
  });

describe('policy-enforcement', () => {
  it.each([
    {
      name: 'nothing uploaded: missing',
      evidence: () => [],
      status: 'missing',
      reason: 'No Kyverno/OpenReports policy report',
    },
    {
      name: 'the real Gatekeeper constraint with violations: fail',
      evidence: () => [
        record(
          'gatekeeper-constraint',
          'gatekeeper-constraint-with-violations.yaml',
        ),
      ],
      status: 'fail',
      reason: 'violations',
    },
    {
      name: "the demo's production report with one failure: fail, naming the policy",
      evidence: () => example('policy-report', 'policyreport-rco-prod.yaml'),
      status: 'fail',
      reason: 'require-run-as-nonroot',
    },
    {
      name: 'reports without fail or error: pass',
      evidence: passingReport,
      status: 'pass',
      reason: 'show no fail, error or violation',
    },
  ])('$name', ({ evidence, status, reason }) => {
    const outcome = policyEnforcement(context(evidence()));
    expect(outcome.status).toBe(status);
    expect(outcome.reasons.join('\n')).toContain(reason);
  });
});
