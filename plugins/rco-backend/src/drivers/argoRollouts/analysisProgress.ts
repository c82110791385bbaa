/**
 * What a Rollout's AnalysisRuns say: each metric's last value against its condition, and why an
 * analysis failed, in the controller's words.
 */
import type { DriverMetric } from '@helix-portal/plugin-rco-node';
import { AnalysisRun, Rollout } from './types';

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
export function analysisFailed(rollout: Rollout, runs: AnalysisRun[]): boolean {
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
export function metricCondition(
  run: AnalysisRun,
  name: string,
): string | undefined {
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
export function analysisReasons(
  rollout: Rollout,
  runs: AnalysisRun[],
): string[] {
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
