import { InputError } from '@backstage/errors';
import {
  evidenceDetectors,
  PrometheusRuleSummary,
} from '@helix-portal/plugin-rco-common';
import { EvidenceParser } from './types';
import {
  Obj,
  getObject,
  getString,
  isObject,
  requireMetadata,
  requireObject,
  stripNoise,
  subjectFromLabels,
} from './k8s';

/** Prometheus Operator `PrometheusRule` (monitoring.coreos.com/v1). */
const detect = (doc: unknown): doc is Obj =>
  evidenceDetectors['prometheus-rule'](doc);

type Alert = PrometheusRuleSummary['alerts'][number];

/** `expr` is an IntOrString in the CRD (`expr: 1` is a valid, always-firing rule). */
function readExpr(rule: Obj): string | undefined {
  const expr = rule.expr;
  if (typeof expr === 'number') return String(expr);
  return typeof expr === 'string' && expr.trim() !== ''
    ? expr.trim()
    : undefined;
}

export const prometheusRuleParser: EvidenceParser = {
  kind: 'prometheus-rule',
  detect,

  parse(doc) {
    if (!detect(doc)) throw new InputError('Not a PrometheusRule');
    const meta = requireMetadata(doc, 'PrometheusRule');
    const what = 'PrometheusRule'; // no name from the document: messages never echo input
    const groups = requireObject(doc, 'spec', what).groups;
    if (!Array.isArray(groups)) {
      throw new InputError(`${what} has no spec.groups list`);
    }

    const alerts: Alert[] = [];
    groups.forEach((group, g) => {
      const at = `${what}: spec.groups[${g}]`;
      if (!isObject(group)) throw new InputError(`${at} is not an object`);
      const rules = group.rules ?? [];
      if (!Array.isArray(rules)) {
        throw new InputError(`${at}.rules is not a list`);
      }
      rules.forEach((rule, r) => {
        const ruleAt = `${at}.rules[${r}]`;
        if (!isObject(rule)) throw new InputError(`${ruleAt} is not an object`);
        const alert = getString(rule, 'alert');
        // Recording rules (`record:`) produce series, not pages: not alert coverage.
        if (!alert) return;
        const expr = readExpr(rule);
        if (!expr) {
          throw new InputError(`${ruleAt} has no expr`);
        }
        alerts.push({
          alert,
          expr,
          for: getString(rule, 'for'),
          severity: getString(getObject(rule, 'labels'), 'severity'),
          runbookUrl: getString(getObject(rule, 'annotations'), 'runbook_url'),
        });
      });
    });

    const summary: PrometheusRuleSummary = {
      type: 'prometheus-rule',
      name: meta.name,
      alerts,
    };
    return {
      summary,
      subject: subjectFromLabels(meta.labels),
      sanitized: stripNoise(doc),
    };
  },
};
