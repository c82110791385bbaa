/**
 * Reads a Rollout's status (and its AnalysisRuns) into the driver contract's `DriverProgress`,
 * with the controller's own words for why something failed.
 */
import type { DriverProgress } from '@helix-portal/plugin-rco-node';
import { canaryStepWords } from '@helix-portal/plugin-rco-common';
import {
  analysisFailed,
  analysisMetrics,
  analysisReasons,
} from './analysisProgress';
import { currentStepIndex, parseRevision } from './rolloutPatches';
import { AnalysisRun, CanaryStep, REVISION_ANNOTATION, Rollout } from './types';

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

/**
 * What the Rollout says when it aborted or degraded (`status.message`, the failed Progressing
 * condition), minus lines that only repeat one of the `known` reasons.
 */
function statusReasons(rollout: Rollout, known: string[] = []): string[] {
  const reasons = [...known];
  const add = (line: string | undefined, core = line) => {
    if (
      line &&
      core &&
      !reasons.some(r => r.includes(core) || core.includes(r))
    ) {
      reasons.push(line);
    }
  };
  add(rollout.status?.message);
  const progressing = rollout.status?.conditions?.find(
    c => c.type === 'Progressing' && c.status === 'False',
  );
  add(
    progressing?.message &&
      `${progressing.reason ?? 'Progressing'}: ${progressing.message}`,
    progressing?.message,
  );
  return reasons;
}

/** The progress of a canary whose analysis failed. */
function analysisFailure(
  base: DriverProgress,
  rollout: Rollout,
  runs: AnalysisRun[],
  message: string,
): DriverProgress {
  return {
    ...base,
    phase: 'failed',
    analysisFailed: true,
    message,
    reasons: statusReasons(rollout, analysisReasons(rollout, runs)),
  };
}

/**
 * The phase of a Rollout from a controller older than v1.0, which wrote no `status.phase` (the
 * golden sample is one): read from the pause conditions and the pod hashes.
 */
function derivedPhase(rollout: Rollout, steps: number): string {
  const status = rollout.status ?? {};
  if ((status.pauseConditions ?? []).length > 0 || rollout.spec.paused) {
    return 'Paused';
  }
  const done = (status.currentStepIndex ?? steps) >= steps;
  if (
    done &&
    status.currentPodHash &&
    status.currentPodHash === status.stableRS
  ) {
    return 'Healthy';
  }
  return 'Progressing';
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
  // One rule for the counter (rco-common canarySteps): never "step 4 of 3" past the last step.
  const stepWords =
    index !== undefined && steps.length > 0
      ? canaryStepWords({ index, total: steps.length })
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
      return analysisFailure(
        base,
        rollout,
        runs,
        'canary analysis failed: the Rollout aborted back to the stable revision',
      );
    }
    return {
      ...base,
      phase: 'aborted',
      message:
        'the Rollout was aborted: traffic is back on the stable revision',
      reasons: statusReasons(rollout),
    };
  }

  switch (status.phase ?? derivedPhase(rollout, steps.length)) {
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
          message: `${stepWords ?? 'Canary'}: paused, waiting for Promote`,
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
        return analysisFailure(base, rollout, runs, 'canary analysis failed');
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
        message: base.step
          ? canaryStepWords(base.step)
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
