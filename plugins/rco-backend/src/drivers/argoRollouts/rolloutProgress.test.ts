import { imageForRelease, promotePatches } from './rolloutPatches';
import { labelSelector } from './rolloutHistory';
import { rolloutProgress } from './rolloutProgress';
import { AnalysisRun, Rollout } from './types';

const steps = [{ setWeight: 25 }, { pause: {} }, { analysis: {} }];

function rollout(
  status: Rollout['status'],
  spec: Partial<Rollout['spec']> = {},
): Rollout {
  return {
    metadata: {
      name: 'web',
      namespace: 'shop',
      generation: 4,
      annotations: { 'rollout.argoproj.io/revision': '7' },
    },
    spec: { strategy: { canary: { steps } }, ...spec },
    status: { observedGeneration: '4', ...status },
  };
}

describe('rolloutProgress', () => {
  it('reads a controller without status.phase (older than v1.0) from hashes and pauses', () => {
    expect(
      rolloutProgress(
        rollout({ currentPodHash: 'a', stableRS: 'a', currentStepIndex: 3 }),
        [],
      ),
    ).toMatchObject({ phase: 'succeeded', revision: '7', canaryWeight: 100 });
    expect(
      rolloutProgress(
        rollout({
          currentPodHash: 'b',
          stableRS: 'a',
          currentStepIndex: 1,
          pauseConditions: [{ reason: 'CanaryPauseStep' }],
        }),
        [],
      ),
    ).toMatchObject({
      phase: 'paused',
      message: 'Step 2 of 3: paused, waiting for Promote',
      canaryWeight: 25,
    });
  });

  it('counts the steps as Argo does: at each step, at the pause, and past the last one', () => {
    // steps: setWeight 25, pause, analysis: three entries, three steps.
    expect(
      rolloutProgress(
        rollout({ phase: 'Progressing', currentStepIndex: 0 }),
        [],
      ),
    ).toMatchObject({
      step: { index: 0, total: 3 },
      message: 'Step 1 of 3: setWeight 25',
    });
    expect(
      rolloutProgress(
        rollout({
          phase: 'Paused',
          currentStepIndex: 1,
          pauseConditions: [{ reason: 'CanaryPauseStep' }],
        }),
        [],
      ).message,
    ).toBe('Step 2 of 3: paused, waiting for Promote');
    expect(
      rolloutProgress(
        rollout({ phase: 'Progressing', currentStepIndex: 2 }),
        [],
      ).message,
    ).toBe('Step 3 of 3: analysis');
    // Every step done, the new pods not yet the stable ones: not "step 4 of 3".
    expect(
      rolloutProgress(
        rollout({
          phase: 'Progressing',
          currentStepIndex: 3,
          currentPodHash: 'b',
          stableRS: 'a',
        }),
        [],
      ).message,
    ).toBe('All steps done (3 of 3)');
  });

  it('pauses on an inconclusive analysis with its reasons', () => {
    const run: AnalysisRun = {
      metadata: { name: 'web-b-7-2' },
      spec: {
        metrics: [
          { name: 'p99', failureCondition: 'result > 0.5', failureLimit: 2 },
        ],
      },
      status: {
        phase: 'Inconclusive',
        message:
          'metric "p99" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)',
        metricResults: [
          {
            name: 'p99',
            phase: 'Inconclusive',
            measurements: [{ phase: 'Inconclusive', value: '0.4' }],
          },
        ],
      },
    };
    const progress = rolloutProgress(
      rollout({
        phase: 'Paused',
        currentStepIndex: 2,
        pauseConditions: [{ reason: 'InconclusiveAnalysis' }],
        canary: {
          currentStepAnalysisRunStatus: {
            name: 'web-b-7-2',
            status: 'Inconclusive',
          },
        },
      }),
      [run],
    );
    expect(progress.phase).toBe('paused');
    expect(progress.analysisFailed).toBeUndefined();
    expect(progress.reasons).toEqual([
      'metric "p99" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)',
      'metric "p99" measured 0.4 against failureCondition result > 0.5, failureLimit 2: Inconclusive',
    ]);
  });

  it('reports a Degraded Rollout without analysis as failed, in the controller words', () => {
    const progress = rolloutProgress(
      rollout({
        phase: 'Degraded',
        message:
          'ProgressDeadlineExceeded: ReplicaSet "web-b" has timed out progressing.',
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "web-b" has timed out progressing.',
          },
        ],
      }),
      [],
    );
    expect(progress.phase).toBe('failed');
    expect(progress.analysisFailed).toBeUndefined();
    expect(progress.reasons).toEqual([
      'ProgressDeadlineExceeded: ReplicaSet "web-b" has timed out progressing.',
    ]);
  });
});

describe('what the plugin computes before writing', () => {
  it('pins the repository (registry port and old digest kept apart) to the digest', () => {
    expect(
      imageForRelease('registry:5000/shop/web:1.2@sha256:old', {
        digest: 'sha256:new',
      }),
    ).toBe('registry:5000/shop/web@sha256:new');
    expect(imageForRelease('registry:5000/shop/web', { digest: 'abc' })).toBe(
      'registry:5000/shop/web@sha256:abc',
    );
    expect(imageForRelease('web:1', { image: 'web:2', digest: 'x' })).toBe(
      'web:2',
    );
    expect(() => imageForRelease('web:1', {})).toThrow(
      'neither an image nor a digest',
    );
  });

  it('builds the selector string as LabelSelectorAsSelector prints it', () => {
    expect(
      labelSelector(
        rollout(
          {},
          {
            selector: {
              matchLabels: { b: '2', a: '1' },
              matchExpressions: [
                { key: 'tier', operator: 'In', values: ['web', 'api'] },
              ],
            },
          },
        ),
      ),
    ).toBe('a=1,b=2,tier in (api,web)');
  });

  it('promotes a blue-green pause by clearing the pause conditions only', () => {
    expect(
      promotePatches({
        metadata: {},
        spec: { strategy: { blueGreen: {} } },
        status: { pauseConditions: [{ reason: 'BlueGreenPause' }] },
      }),
    ).toEqual({
      spec: undefined,
      status: { status: { pauseConditions: null } },
      unified: { spec: { paused: false }, status: { pauseConditions: null } },
    });
  });
});
