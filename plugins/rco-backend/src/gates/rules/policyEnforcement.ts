import { evidenceOf, newestPerObject, summaryOf } from '../helpers';
import { fresh, missing, Rule } from './shared';

export const policyEnforcement: Rule = ctx => {
  const reports = evidenceOf(ctx, ['policy-report']);
  const constraints = evidenceOf(ctx, ['gatekeeper-constraint']);
  if (!reports.length && !constraints.length)
    return missing([
      'No Kyverno/OpenReports policy report and no Gatekeeper constraint status',
    ]);
  // The newest document per report or constraint name is what holds now.
  const used = [
    ...newestPerObject(reports, r => {
      const s = summaryOf(r, 'policy-report')!;
      return `${s.namespace}/${s.name}`;
    }),
    ...newestPerObject(constraints, r => {
      const s = summaryOf(r, 'gatekeeper-constraint')!;
      return `${s.constraintKind}/${s.name}`;
    }),
  ];
  const reasons: string[] = [];
  const undecided: string[] = [];
  for (const r of used) {
    const p = summaryOf(r, 'policy-report');
    if (p?.unlistedFailures && !(p.counts.fail + p.counts.error))
      undecided.push(
        `Policy report ${p.name}: its generator counted ${p.unlistedFailures} fail/error result(s) it did not list, so whether any is this service's cannot be told`,
      );
    if (p && p.counts.fail + p.counts.error > 0) {
      reasons.push(
        `Policy report ${p.name}: ${p.counts.fail} fail, ${
          p.counts.error
        } error — ${p.failures
          .slice(0, 5)
          .map(
            f =>
              `${f.policy}${f.rule ? `/${f.rule}` : ''}${
                f.resource ? ` on ${f.resource}` : ''
              }`,
          )
          .join('; ')}`,
      );
    }
    const g = summaryOf(r, 'gatekeeper-constraint');
    if (g?.unlistedViolations && !g.totalViolations)
      undecided.push(
        `Gatekeeper ${g.constraintKind} ${g.name}: its audit counted ${g.unlistedViolations} violation(s) it did not list, so whether any is this service's cannot be told: raise Gatekeeper's --constraint-violations-limit`,
      );
    if (g && g.totalViolations > 0) {
      reasons.push(
        `Gatekeeper ${g.constraintKind} ${g.name}: ${
          g.totalViolations
        } violations — ${g.violations
          .slice(0, 5)
          .map(v =>
            `${v.kind ?? ''} ${v.namespace ? `${v.namespace}/` : ''}${
              v.name ?? ''
            }`.trim(),
          )
          .join('; ')}${
          g.unlistedViolations
            ? ` (${g.unlistedViolations} counted by the audit but not listed, so possibly this service's: raise Gatekeeper's --constraint-violations-limit)`
            : ''
        }`,
      );
    }
  }
  if (reasons.length)
    return {
      status: 'fail',
      reasons: [...reasons, ...undecided],
      used,
      freshness: fresh(used),
    };
  if (undecided.length)
    return { ...missing(undecided, used), freshness: fresh(used) };
  return {
    status: 'pass',
    reasons: [
      `${used.length} policy reports and constraints show no fail, error or violation`,
    ],
    used,
    freshness: fresh(used),
  };
};
