import { ReleaseStatusResponse } from '@helix-portal/plugin-rco-common';
import { DAY, DIGEST, NOW } from '../gates/__testUtils__/context';
import { judgedGates } from './recordJudgement';

const MINUTE = 60_000;

/** The gates as a recorded judgement keeps them (issue 17). */
describe('judgedGates', () => {
  it('dates a collected object’s evidence age from its last observation, as the gates age it', () => {
    // A Kubernetes object the console first read 30 days ago and observed unchanged a minute
    // ago: the gates judge it a minute old (staleness counts from observedAt), so the evidence
    // age at deploy (what a platform lead compares with maxAge before replaying a new one) must
    // say a minute, not 30 days.
    const firstSeen = new Date(NOW.getTime() - 30 * DAY);
    const lastSeen = new Date(NOW.getTime() - MINUTE);
    const status = {
      release: { version: '1.3.2', digest: DIGEST },
      gates: [
        {
          id: 'policy-enforcement',
          status: 'pass',
          evidence: [
            {
              id: 'e1',
              kind: 'policy-report',
              collectedAt: firstSeen.toISOString(),
              provenance: {
                firstObservedAt: firstSeen.toISOString(),
                observedAt: lastSeen.toISOString(),
              },
            },
          ],
        },
      ],
    } as unknown as ReleaseStatusResponse;
    const [gate] = judgedGates(status, [], NOW);
    expect(gate.oldest).toBe(lastSeen.toISOString());
  });
});
