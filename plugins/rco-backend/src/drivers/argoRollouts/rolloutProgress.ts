/**
 * Reads a Rollout's status (and its AnalysisRuns) into the driver contract's `DriverProgress`,
 * with the controller's own words for why something failed.
 */
import type { DriverMetric, DriverProgress } from '@internal/plugin-rco-node';
import { currentStepIndex, parseRevision } from './rolloutPatches';
import { AnalysisRun, CanaryStep, REVISION_ANNOTATION, Rollout } from './types';

/** The AnalysisRuns the Rollout names in its status (step analysis first). */
export function analysisRunNames(rollout: Rollout): string[] {
  const canary = rollout.status?.canary;
  return [
    canary?.currentStepAnalysisRunStatus?.name,
    canary?.currentBackgroundAnalysisRunStatus?.name,
  ].filter((n): n is string => !!n);
}

/** AnalysisRun phases that end a canary (`Failed`, `Error`); `Inconclusive` pauses it instead. */
const FAILED_ANALYSIS = new Set(['Failed', 'Error']);

/** True when one of the Rollout's AnalysisRuns failed (as the Rollout or the run itself says). */
function analysisFailed(rollout: Rollout, runs: AnalysisRun[]): boolean {
  const canary = rollout.status?.canary;
  const recorded = [
    canary?.currentStepAnalysisRunStatus?.status,
    canary?.currentBackgroundAnalysisRunStatus?.status,
  ];
  return (
    recorded.some(s => s !== undefined && FAILED_ANALYSIS.has(s)) ||
    runs.some(r => FAILED_ANALYSIS.has(r.status?.phase ?? ''))
  );
}

/** The condition a metric is judged against, as the AnalysisRun's spec states it. */
function metricCondition(run: AnalysisRun, name: string): string | undefined {
  const spec = run.spec?.metrics?.find(m => m.name === name);
  if (!spec) return undefined;
  const parts: string[] = [];
  if (spec.successCondition)
    parts.push(`successCondition ${spec.successCondition}`);
  if (spec.failureCondition)
    parts.push(`failureCondition ${spec.failureCondition}`);
  // The controller's default failureLimit is 0: one failed measurement fails the metric.
  parts.push(`failureLimit ${spec.failureLimit ?? 0}`);
  return parts.join(', ');
}

/** Each metric of the AnalysisRuns: last measured value, condition and phase. */
export function analysisMetrics(runs: AnalysisRun[]): DriverMetric[] {
  const metrics: DriverMetric[] = [];
  for (const run of runs) {
    for (const result of run.status?.metricResults ?? []) {
      const last = result.measurements?.[result.measurements.length - 1];
      metrics.push({
        name: result.name,
        value: last?.value,
        condition: metricCondition(run, result.name),
        phase: result.phase,
      });
    }
  }
  return metrics;
}

/** Why the analysis failed: the run's verdict, then each failing metric's value and condition. */
function analysisReasons(rollout: Rollout, runs: AnalysisRun[]): string[] {
  const reasons: string[] = [];
  const add = (r: string | undefined) => {
    if (r && !reasons.includes(r)) reasons.push(r);
  };
  const canary = rollout.status?.canary;
  add(canary?.currentStepAnalysisRunStatus?.message);
  add(canary?.currentBackgroundAnalysisRunStatus?.message);
  for (const run of runs) {
    add(run.status?.message);
    for (const result of run.status?.metricResults ?? []) {
      if (result.phase === 'Successful' || result.phase === 'Running') continue;
      const last = result.measurements?.[result.measurements.length - 1];
      const condition = metricCondition(run, result.name);
      add(
        `metric "${result.name}" measured ${last?.value ?? '(no value)'}${
          condition ? ` against ${condition}` : ''
        }: ${result.phase}${last?.message ? ` (${last.message})` : ''}`,
      );
    }
  }
  return reasons;
}

/** The canary weight: the controller's record, else the last `setWeight` up to the step. */
function canaryWeight(
  rollout: Rollout,
  steps: CanaryStep[],
  index: number | undefined,
) {
  // An aborted canary gets no traffic, whatever step it had reached.
  if (rollout.status?.abort) return 0;
  // Past the last step the new revision is the stable one and takes all traffic (the recorded
  // canary weight then drops back to 0, as canary and stable are the same pods).
  if (index !== undefined && index >= steps.length) return 100;
  const recorded = rollout.status?.canary?.weights?.canary?.weight;
  if (typeof recorded === 'number') return recorded;
  if (index === undefined) return undefined;
  let weight: number | undefined;
  for (let i = 0; i <= Math.min(index, steps.length - 1); i++) {
    if (typeof steps[i].setWeight === 'number') weight = steps[i].setWeight;
  }
  return weight;
}

/** A step described in words. */
function describeStep(step: CanaryStep | undefined): string | undefined {
  if (!step) return undefined;
  if (typeof step.setWeight === 'number') return `setWeight ${step.setWeight}`;
  if (step.pause) {
    return step.pause.duration !== undefined
      ? `pause ${step.pause.duration}`
      : 'pause';
  }
  if (step.analysis) return 'analysis';
  if (step.experiment) return 'experiment';
  return Object.keys(step)[0];
}

/** What the Rollout says when it aborted or degraded. */
function statusReasons(rollout: Rollout): string[] {
  const reasons: string[] = [];
  const progressing = rollout.status?.conditions?.find(
    c => c.type === 'Progressing',
  );
  if (rollout.status?.message) reasons.push(rollout.status.message);
  if (progressing?.message && progressing.status === 'False') {
    const line = `${progressing.reason ?? 'Progressing'}: ${
      progressing.message
    }`;
    if (!reasons.some(r => r.includes(progressing.message!)))
      reasons.push(line);
  }
  return reasons;
}

/**
 * Maps a Rollout and its AnalysisRuns to a `DriverProgress`.
 *
 * @param runs - the AnalysisRuns named by `analysisRunNames` that could be read.
 */
export function rolloutProgress(
  rollout: Rollout,
  runs: AnalysisRun[],
): DriverProgress {
  const status = rollout.status ?? {};
  const steps = rollout.spec.strategy?.canary?.steps ?? [];
  const index = currentStepIndex(rollout);
  const revision = rollout.metadata.annotations?.[REVISION_ANNOTATION];
  const metrics = analysisMetrics(runs);
  const base: DriverProgress = {
    phase: 'progressing',
    revision,
    ...(index !== undefined && {
      step: {
        index,
        total: steps.length,
        description: describeStep(steps[index]),
      },
    }),
    ...(metrics.length > 0 && { metrics }),
  };
  const weight = canaryWeight(rollout, steps, index);
  if (weight !== undefined) base.canaryWeight = weight;
  const stepWords =
    index !== undefined && steps.length > 0
      ? `step ${Math.min(index + 1, steps.length)} of ${steps.length}`
      : undefined;

  // The controller has not seen the latest spec yet: whatever status says is about the old one.
  const generation = rollout.metadata.generation;
  const observed = parseRevision(
    status.observedGeneration === undefined
      ? undefined
      : String(status.observedGeneration),
  );
  if (
    generation !== undefined &&
    (observed === undefined || observed < generation)
  ) {
    return {
      ...base,
      phase: 'progressing',
      message: `waiting for the controller to observe generation ${generation}`,
    };
  }

  if (status.abort) {
    if (analysisFailed(rollout, runs)) {
      return {
        ...base,
        phase: 'failed',
        analysisFailed: true,
        message:
          'canary analysis failed: the Rollout aborted back to the stable revision',
        reasons: [
          ...analysisReasons(rollout, runs),
          ...statusReasons(rollout),
        ].filter((r, i, all) => all.indexOf(r) === i),
      };
    }
    return {
      ...base,
      phase: 'aborted',
      message:
        'the Rollout was aborted: traffic is back on the stable revision',
      reasons: statusReasons(rollout),
    };
  }

  switch (status.phase) {
    case 'Healthy': {
      const done = index === undefined || index >= steps.length;
      if (
        done &&
        status.currentPodHash &&
        status.currentPodHash === status.stableRS
      ) {
        return {
          ...base,
          phase: 'succeeded',
          message: `revision ${revision} is healthy`,
        };
      }
      return {
        ...base,
        phase: 'progressing',
        message: 'the new revision is becoming stable',
      };
    }
    case 'Paused': {
      const reasons = (status.pauseConditions ?? []).map(p => p.reason);
      if (reasons.includes('CanaryPauseStep')) {
        return {
          ...base,
          phase: 'paused',
          message: `${stepWords ?? 'canary'}: paused for promotion`,
        };
      }
      if (reasons.includes('InconclusiveAnalysis')) {
        return {
          ...base,
          phase: 'paused',
          message: 'paused: the analysis was inconclusive, promote or abort',
          reasons: analysisReasons(rollout, runs),
        };
      }
      return {
        ...base,
        phase: 'paused',
        message: rollout.spec.paused
          ? 'paused by hand (spec.paused): promote to continue'
          : `paused${reasons.length ? ` (${reasons.join(', ')})` : ''}`,
      };
    }
    case 'Degraded':
      if (analysisFailed(rollout, runs)) {
        return {
          ...base,
          phase: 'failed',
          analysisFailed: true,
          message: 'canary analysis failed',
          reasons: [
            ...analysisReasons(rollout, runs),
            ...statusReasons(rollout),
          ],
        };
      }
      return {
        ...base,
        phase: 'failed',
        message: 'the Rollout is degraded',
        reasons: statusReasons(rollout),
      };
    case 'Progressing':
      return {
        ...base,
        phase: 'progressing',
        message: stepWords
          ? `${stepWords}: ${base.step?.description ?? 'running'}`
          : status.message || 'progressing',
      };
    default:
      return {
        ...base,
        phase: 'unknown',
        message: `the Rollout reports phase "${status.phase ?? '(none)'}"`,
      };
  }
}
