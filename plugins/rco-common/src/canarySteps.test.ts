import { canaryStepStage, canaryStepWords } from './canarySteps';

describe('canaryStepWords', () => {
  // The simulated canary and a Rollout with setWeight 20, pause, setWeight 50, analysis,
  // setWeight 100: five entries, each one step as Argo Rollouts counts them.
  const total = 5;

  it('says "before step 1" before the first step, never "all steps done" nor "step 0"', () => {
    expect(canaryStepWords({ index: -1, total })).toBe('Before step 1 of 5');
    expect(canaryStepStage({ index: -1, total })).toEqual({
      stage: 'before',
      total: 5,
    });
    expect(canaryStepWords({ index: Number.NaN, total })).toBe(
      'Before step 1 of 5',
    );
  });

  it('counts each step from 1, with what it does', () => {
    expect(
      [0, 1, 2, 3, 4].map(index => canaryStepWords({ index, total })),
    ).toEqual([
      'Step 1 of 5',
      'Step 2 of 5',
      'Step 3 of 5',
      'Step 4 of 5',
      'Step 5 of 5',
    ]);
    expect(canaryStepWords({ index: 1, total, description: 'pause' })).toBe(
      'Step 2 of 5: pause',
    );
  });

  it('says all steps are done after the last, never "step 6 of 5"', () => {
    expect(canaryStepWords({ index: 5, total })).toBe(
      'All steps done (5 of 5)',
    );
    // A promote past the end (currentStepIndex may exceed the count after a spec change).
    expect(canaryStepWords({ index: 7, total })).toBe(
      'All steps done (5 of 5)',
    );
    expect(canaryStepStage({ index: 5, total })).toEqual({
      stage: 'done',
      total: 5,
    });
  });

  it('counts a pause step like any other step, as Argo Rollouts does', () => {
    // steps: [setWeight 10, pause {}]: paused at currentStepIndex 1 reads step 2 of 2.
    expect(canaryStepWords({ index: 1, total: 2, description: 'pause' })).toBe(
      'Step 2 of 2: pause',
    );
  });

  it('has words for a canary without steps', () => {
    expect(canaryStepWords({ index: 0, total: 0 })).toBe('No canary steps');
  });
});
