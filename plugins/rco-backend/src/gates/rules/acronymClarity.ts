import { evidenceOf, newestPerObject, summaryOf } from '../helpers';
import { GateContext } from '../types';
import { fresh, missing, Rule } from './shared';

/** Canonical name and the names the glossary keeps distinct from it. */
function naming(ctx: GateContext) {
  const service =
    ctx.runbook?.metadata.service ?? ctx.entityRef.split('/').pop()!;
  const entry = ctx.runbook?.glossary.find(
    g => g.term.toLowerCase() === service.toLowerCase(),
  );
  return {
    canonical: service.toLowerCase(),
    distinct: (entry?.distinctFrom ?? []).map(d => d.toLowerCase()),
  };
}

export const acronymClarity: Rule = ctx => {
  const { canonical, distinct } = naming(ctx);
  const [report] = evidenceOf(ctx, ['naming-report']);
  if (report) {
    const s = summaryOf(report, 'attestation')!;
    const mislabelled = (s.details.mislabelled as string[] | undefined) ?? [];
    return s.succeeded
      ? {
          status: 'pass',
          reasons: [`Naming report: every object is labelled ${canonical}`],
          used: [report],
          freshness: fresh([report]),
        }
      : {
          status: 'fail',
          reasons: [
            `Naming report found objects labelled with a name the glossary keeps distinct: ${mislabelled.join(
              ', ',
            )}`,
          ],
          used: [report],
          freshness: fresh([report]),
        };
  }
  const workloads = newestPerObject(evidenceOf(ctx, ['workload']), r => {
    const w = summaryOf(r, 'workload')!;
    return `${w.kind}/${w.namespace ?? ''}/${w.name}`;
  });
  if (!workloads.length) {
    return missing([
      `Upload a naming report or the service's workloads (kubectl get deploy -o json) to check labels for "${canonical}"`,
    ]);
  }
  const wrong: string[] = [];
  for (const w of workloads) {
    const s = summaryOf(w, 'workload')!;
    const labels = Object.values(s.labels).map(v => v.toLowerCase());
    const bad = labels.filter(v =>
      distinct.some(d => v === d || v.startsWith(`${d}-`)),
    );
    if (bad.length)
      wrong.push(`${s.kind} ${s.name} is labelled ${bad.join(', ')}`);
    else if (
      !labels.some(v => v === canonical || v.startsWith(`${canonical}-`))
    ) {
      wrong.push(`${s.kind} ${s.name} carries no "${canonical}" label`);
    }
  }
  return wrong.length
    ? {
        status: 'fail',
        reasons: wrong,
        used: workloads,
        freshness: fresh(workloads),
      }
    : {
        status: 'pass',
        reasons: [
          `${workloads.length} workloads carry the canonical name ${canonical}`,
        ],
        used: workloads,
        freshness: fresh(workloads),
      };
};
