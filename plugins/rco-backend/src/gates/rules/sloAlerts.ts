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
  ['availability', /availab|down|absent|up\b|uptime/i],
  ['latency', LATENCY],
  ['error rate', ERRORS],
];

/** Every SLO an alert covers (none for an alert about something else). */
export function sloKindsOf(alert: { alert: string; expr?: string }): SloKind[] {
  return SLO_KINDS.filter(
    ([, re]) => re.test(alert.alert) || re.test(alert.expr ?? ''),
  ).map(([kind]) => kind);
}
