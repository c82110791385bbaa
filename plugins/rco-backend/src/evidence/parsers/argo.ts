import { InputError } from '@backstage/errors';
import {
  AnalysisRunSummary,
  AnalysisTemplateSummary,
  evidenceDetectors,
  EvidenceSubject,
  RolloutSummary,
} from '@helix-portal/plugin-rco-common';
import { EvidenceParser } from './types';
import {
  Obj,
  getArray,
  getBoolean,
  getNumber,
  getObject,
  getPath,
  getString,
  imageDigest,
  isObject,
  optionalNumber,
  requireMetadata,
  requireObject,
  stripNoise,
  subjectFromLabels,
} from './k8s';

// Argo Rollouts (argoproj.io/v1alpha1): Rollout, AnalysisTemplate, AnalysisRun. Type guards over the shared detectors, so parse() reads the document as an object.
const isRollout = (doc: unknown): doc is Obj =>
  evidenceDetectors['argo-rollout'](doc);
const isTemplate = (doc: unknown): doc is Obj =>
  evidenceDetectors['argo-analysis-template'](doc);
const isRun = (doc: unknown): doc is Obj =>
  evidenceDetectors['argo-analysis-run'](doc);

/** `templateName`s of an analysis block (`{ templates: [{ templateName }] }`). */
function templateNames(analysis: Obj | undefined): string[] {
  return (getArray(analysis, 'templates') ?? [])
    .filter(isObject)
    .map(t => getString(t, 'templateName'))
    .filter((name): name is string => name !== undefined);
}

type Step = RolloutSummary['steps'][number];

function readStep(step: unknown, at: string): Step {
  if (!isObject(step)) throw new InputError(`${at} is not an object`);
  const out: Step = {};
  const weight = optionalNumber(step, 'setWeight', at);
  if (weight !== undefined) out.setWeight = weight;
  if ('pause' in step) {
    const duration = getObject(step, 'pause')?.duration;
    // `pause: {}` waits for a person to promote; a duration is "1h" or seconds.
    out.pause =
      typeof duration === 'string' || typeof duration === 'number'
        ? { duration }
        : {};
  }
  if ('analysis' in step) {
    out.analysis = templateNames(getObject(step, 'analysis'));
  }
  if (Object.keys(out).length === 0) {
    // experiment, setCanaryScale, setHeaderRoute, …: kept so indices match currentStepIndex.
    out.other = Object.keys(step)[0] ?? 'empty';
  }
  return out;
}

/** The Rollout's strategy, by which of its blocks is present. */
function strategyOf(
  canary: unknown,
  blueGreen: unknown,
): 'canary' | 'blueGreen' | 'unknown' {
  if (canary) return 'canary';
  return blueGreen ? 'blueGreen' : 'unknown';
}

/** Older controllers set no status.message; the abort reason is the Progressing condition. */
function progressingMessage(status: Obj): string | undefined {
  const progressing = (getArray(status, 'conditions') ?? [])
    .filter(isObject)
    .find(c => c.type === 'Progressing');
  return getString(progressing, 'message');
}

function rolloutSubject(
  doc: Obj,
  labels: Record<string, string>,
): EvidenceSubject {
  const podSpec = getPath(doc, ['spec', 'template', 'spec']);
  const first = (getArray(podSpec, 'containers') ?? []).find(isObject);
  const digest = imageDigest(getString(first, 'image'));
  return { ...subjectFromLabels(labels), ...(digest ? { digest } : {}) };
}

export const argoRolloutParser: EvidenceParser = {
  kind: 'argo-rollout',
  detect: isRollout,

  parse(doc) {
    if (!isRollout(doc)) throw new InputError('Not an Argo Rollout');
    const meta = requireMetadata(doc, 'Argo Rollout');
    const what = 'Argo Rollout'; // no name from the document: messages never echo input
    const strategy = getObject(requireObject(doc, 'spec', what), 'strategy');
    const canary = getObject(strategy, 'canary');
    const blueGreen = getObject(strategy, 'blueGreen');

    const rawSteps = canary?.steps ?? [];
    if (!Array.isArray(rawSteps)) {
      throw new InputError(`${what}: canary.steps is not a list`);
    }
    const steps = rawSteps.map((s, i) =>
      readStep(s, `${what}: canary.steps[${i}]`),
    );

    // Analyses that run beside the rollout (canary background, blue-green pre/post
    // promotion); inline step analyses are listed on their step.
    const analysisTemplates = [
      ...templateNames(getObject(canary, 'analysis')),
      ...templateNames(getObject(blueGreen, 'prePromotionAnalysis')),
      ...templateNames(getObject(blueGreen, 'postPromotionAnalysis')),
    ];

    const status = getObject(doc, 'status');
    const aborted = getBoolean(status, 'abort') ?? false;
    const message =
      getString(status, 'message') ??
      (aborted && status ? progressingMessage(status) : undefined);
    const summary: RolloutSummary = {
      type: 'argo-rollout',
      name: meta.name,
      strategy: strategyOf(canary, blueGreen),
      steps,
      analysisTemplates: [...new Set(analysisTemplates)],
      phase: getString(status, 'phase'),
      aborted,
      message,
      currentStepIndex: getNumber(status, 'currentStepIndex'),
    };
    return {
      summary,
      subject: rolloutSubject(doc, meta.labels),
      sanitized: stripNoise(doc),
    };
  },
};

type TemplateMetric = AnalysisTemplateSummary['metrics'][number];

/** `spec.metrics[]` of a template or run: the same MetricSpec in both. */
function readMetrics(spec: Obj, what: string): TemplateMetric[] {
  const metrics = spec.metrics;
  if (!Array.isArray(metrics)) {
    throw new InputError(`${what} has no spec.metrics list`);
  }
  return metrics.map((metric, i) => {
    const at = `${what}: spec.metrics[${i}]`;
    if (!isObject(metric)) throw new InputError(`${at} is not an object`);
    const name = getString(metric, 'name');
    if (!name) throw new InputError(`${at} has no name`);
    const providers = getObject(metric, 'provider');
    // Exactly one provider key is set (prometheus, web, job, datadog, …).
    const provider = providers ? Object.keys(providers)[0] : undefined;
    return {
      name,
      successCondition: getString(metric, 'successCondition'),
      failureCondition: getString(metric, 'failureCondition'),
      provider,
      query: provider
        ? getString(getObject(providers, provider), 'query')
        : undefined,
    };
  });
}

export const argoAnalysisTemplateParser: EvidenceParser = {
  kind: 'argo-analysis-template',
  detect: isTemplate,

  parse(doc) {
    if (!isTemplate(doc)) {
      throw new InputError('Not an Argo AnalysisTemplate');
    }
    const meta = requireMetadata(doc, `Argo ${doc.kind}`);
    const what = `Argo ${doc.kind}`; // kind is one detect() accepted; no name echoed
    const summary: AnalysisTemplateSummary = {
      type: 'argo-analysis-template',
      name: meta.name,
      metrics: readMetrics(requireObject(doc, 'spec', what), what),
    };
    return {
      summary,
      subject: subjectFromLabels(meta.labels),
      sanitized: stripNoise(doc),
    };
  },
};

type RunMetric = AnalysisRunSummary['metrics'][number];

function readResult(result: unknown, at: string): RunMetric {
  if (!isObject(result)) throw new InputError(`${at} is not an object`);
  const name = getString(result, 'name');
  if (!name) throw new InputError(`${at} has no name`);
  const measurements = (getArray(result, 'measurements') ?? []).filter(
    isObject,
  );
  const last = measurements[measurements.length - 1]?.value;
  return {
    name,
    phase: getString(result, 'phase'),
    // Argo stores measurement values as strings; a hand-written run may hold a number.
    lastValue:
      typeof last === 'string' || typeof last === 'number'
        ? String(last)
        : undefined,
    failed: optionalNumber(result, 'failed', at),
    successful: optionalNumber(result, 'successful', at),
    message: getString(result, 'message'),
  };
}

export const argoAnalysisRunParser: EvidenceParser = {
  kind: 'argo-analysis-run',
  detect: isRun,

  parse(doc) {
    if (!isRun(doc)) {
      throw new InputError('Not an Argo AnalysisRun');
    }
    const meta = requireMetadata(doc, 'Argo AnalysisRun');
    const what = 'Argo AnalysisRun'; // no name from the document: messages never echo input
    const specMetrics = readMetrics(requireObject(doc, 'spec', what), what);
    // A run the controller never picked up has no status and proves nothing.
    const status = requireObject(doc, 'status', what);
    const rawResults = status.metricResults ?? [];
    if (!Array.isArray(rawResults)) {
      throw new InputError(`${what}: status.metricResults is not a list`);
    }
    const results = rawResults.map((r, i) =>
      readResult(r, `${what}: status.metricResults[${i}]`),
    );

    // Every metric the run was asked to measure, with its conditions, joined by name to
    // its result; results for metrics missing from spec are kept rather than dropped.
    const byName = new Map(results.map(r => [r.name, r]));
    const metrics: RunMetric[] = specMetrics.map(m => ({
      name: m.name,
      successCondition: m.successCondition,
      failureCondition: m.failureCondition,
      ...byName.get(m.name),
    }));
    const known = new Set(specMetrics.map(m => m.name));
    metrics.push(...results.filter(r => !known.has(r.name)));

    const summary: AnalysisRunSummary = {
      type: 'argo-analysis-run',
      name: meta.name,
      phase: getString(status, 'phase'),
      message: getString(status, 'message'),
      metrics,
    };
    return {
      summary,
      subject: subjectFromLabels(meta.labels),
      sanitized: stripNoise(doc),
    };
  },
};
