import { AlertingStateSummary } from '@helix-portal/plugin-rco-common';
import { LATENCY, ERRORS } from './shared';

/** The SLOs the runbook requires an alert for. */
export type SloKind = AlertingStateSummary['alerts'][number]['slos'][number];

/**
 * Which of the runbook's SLOs an alert covers, by its name or its expression: the one reading
 * shared by the PrometheusRule check and the monitoring collector's evidence, so that an alert
 * counts for the same SLOs whether it is declared or loaded.
 */
export const SLO_KINDS: Array<[SloKind, RegExp]> = [
  // `up` only as the PromQL metric: not inside an identifier (DiskWillFillUp, `by (group)`,
  // rco_signup_total), a label value ("up") or a function call.
  ['availability', /availab|down|absent|uptime|(?<![\w:"'])up(?![\w:"'(])/i],
  ['latency', LATENCY],
  ['error rate', ERRORS],
];

/** Every SLO an alert covers (none for an alert about something else). */
export function sloKindsOf(alert: { alert: string; expr?: string }): SloKind[] {
  return SLO_KINDS.filter(
    ([, re]) => re.test(alert.alert) || re.test(alert.expr ?? ''),
  ).map(([kind]) => kind);
}
