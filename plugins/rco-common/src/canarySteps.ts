/**
 * Where a canary stands, in words: the one rule the drivers' progress messages and the page's
 * step counter share, so neither says "step 6 of 5" nor "all steps done" at the start.
 */

/**
 * A canary's position as drivers report it (`OperationProgress.step`), in Argo Rollouts' terms:
 * `index` is `status.currentStepIndex`, the 0-based index of the step in progress, and equals
 * `total` (the number of entries of `strategy.canary.steps`) once every step is done. Every
 * entry counts as one step, whatever it does (`setWeight`, `pause`, `analysis`, …). A driver
 * that has not begun the first step yet reports an index below 0.
 *
 * @public
 */
export interface CanaryStepPosition {
  index: number;
  total: number;
  /** What the step in progress does ("setWeight 20", "pause"). */
  description?: string;
}

/**
 * Which of the three places a canary can be: before its first step, at a step (1-based
 * `number`), or past its last one.
 *
 * @public
 */
export type CanaryStepStage =
  | { stage: 'before'; total: number }
  | { stage: 'at'; number: number; total: number; description?: string }
  | { stage: 'done'; total: number };

/** @public */
export function canaryStepStage(step: CanaryStepPosition): CanaryStepStage {
  const total = Math.max(0, Math.floor(step.total));
  const index = Math.floor(step.index);
  if (!Number.isFinite(index) || index < 0) return { stage: 'before', total };
  if (index >= total) return { stage: 'done', total };
  return {
    stage: 'at',
    number: index + 1,
    total,
    ...(step.description ? { description: step.description } : {}),
  };
}

/**
 * "Step 2 of 5: pause", "Before step 1 of 5", "All steps done (5 of 5)": the counter of a canary,
 * never a step number outside 1..total.
 *
 * @public
 */
export function canaryStepWords(step: CanaryStepPosition): string {
  const s = canaryStepStage(step);
  if (s.total === 0) return 'No canary steps';
  if (s.stage === 'before') return `Before step 1 of ${s.total}`;
  if (s.stage === 'done') return `All steps done (${s.total} of ${s.total})`;
  return `Step ${s.number} of ${s.total}${
    s.description ? `: ${s.description}` : ''
  }`;
}
