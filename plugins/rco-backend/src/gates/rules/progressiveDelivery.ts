import { evidenceOf, newestPerObject, summaryOf } from '../helpers';
import { fresh, missing, Rule, LATENCY, ERRORS } from './shared';

export const progressiveDelivery: Rule = ctx => {
  const [rollout] = evidenceOf(ctx, ['argo-rollout']);
  if (!rollout)
    return missing([
      'No Argo Rollout of the service: upload kubectl get rollout -o json',
    ]);
  const r = summaryOf(rollout, 'argo-rollout')!;
  const used = [rollout];
  if (r.strategy !== 'canary')
    return {
      status: 'fail',
      reasons: [
        `Rollout ${r.name} uses the ${r.strategy} strategy, not a canary`,
      ],
      used,
    };
  const templates = newestPerObject(
    evidenceOf(ctx, ['argo-analysis-template']),
    t => summaryOf(t, 'argo-analysis-template')!.name,
  ).filter(t =>
    r.analysisTemplates.includes(summaryOf(t, 'argo-analysis-template')!.name),
  );
  used.push(...templates);
  const metrics = templates.flatMap(
    t => summaryOf(t, 'argo-analysis-template')!.metrics,
  );
  const covers = (re: RegExp) =>
    metrics.some(
      m =>
        (re.test(m.name) || re.test(m.query ?? '')) &&
        (m.successCondition || m.failureCondition),
    );
  const reasons: string[] = [
    `Rollout ${r.name} is a canary of ${r.steps.length} steps`,
  ];
  const [run] = evidenceOf(ctx, ['argo-analysis-run']);
  if (run) {
    used.push(run);
    const a = summaryOf(run, 'argo-analysis-run')!;
    if (
      a.phase === 'Failed' ||
      a.phase === 'Error' ||
      a.phase === 'Inconclusive'
    ) {
      const failing = a.metrics.filter(
        m => m.phase === 'Failed' || m.phase === 'Error' || (m.failed ?? 0) > 0,
      );
      return {
        status: 'fail',
        reasons: [
          ...reasons,
          `AnalysisRun ${a.name} ${a.phase}: ${
            failing
              .map(
                m =>
                  `${m.name} = ${m.lastValue ?? '?'} against ${
                    m.successCondition ?? m.failureCondition ?? 'its condition'
                  }`,
              )
              .join('; ') ||
            a.message ||
            'see the run'
          }`,
        ],
        used,
        freshness: fresh(used),
      };
    }
    reasons.push(`AnalysisRun ${a.name} ${a.phase ?? 'running'}`);
  }
  if (r.aborted)
    return {
      status: 'fail',
      reasons: [...reasons, `Rollout was aborted: ${r.message ?? ''}`],
      used,
      freshness: fresh(used),
    };
  if (!templates.length)
    return missing(
      [
        ...reasons,
        `No AnalysisTemplate (${
          r.analysisTemplates.join(', ') || 'none referenced'
        }) uploaded`,
      ],
      used,
    );
  const gaps = [
    !covers(LATENCY) && 'latency',
    !covers(ERRORS) && 'error rate',
  ].filter(Boolean);
  if (gaps.length)
    return {
      status: 'fail',
      reasons: [
        ...reasons,
        `Canary analysis has no ${gaps.join(' or ')} metric with a threshold`,
      ],
      used,
      freshness: fresh(used),
    };
  return {
    status: 'pass',
    reasons: [
      ...reasons,
      'Analysis covers latency and error rate with thresholds',
    ],
    used,
    freshness: fresh(used),
  };
};
