import { GateNextStep, GateResult } from '@helix-portal/plugin-rco-common';

const NOT_COLLECTED = /has not collected its alerting state/;

/**
 * The next steps of monitoring-alerting where the console reads the monitoring stack itself
 * (monitoringAlertingLive.ts): nothing to upload, since only the collector's observation counts;
 * the fix is in Prometheus and Alertmanager, seen at the next collection. Undefined when the gate
 * is judged on declared PrometheusRules (nextSteps' upload steps apply).
 */
export function monitoringSteps(
  gate: GateResult,
  environment?: string,
): GateNextStep[] | undefined {
  if (gate.id !== 'monitoring-alerting') return undefined;
  const live = gate.evidence.some(e => e.kind === 'alerting-state');
  const notCollected = gate.reasons.some(r => NOT_COLLECTED.test(r));
  if (!live && !notCollected) return undefined;
  const where = environment
    ? { environment, scope: 'environment' as const }
    : {};
  if (notCollected || gate.status === 'stale')
    return [
      {
        action: 'fix',
        kind: 'alerting-state',
        ...where,
        text: 'The console has no recent reading of the monitoring stack: check the collection health on the Release tab (Prometheus and Alertmanager reachable, token accepted), fix what it names, then refresh the collection',
      },
    ];
  const fixes: string[] = [];
  const said = (re: RegExp) => gate.reasons.some(r => re.test(r));
  if (said(/not loaded in Prometheus|^No .* alert loaded/))
    fixes.push(
      'load the SLO alert rules into Prometheus with the labels the console selects by (a PrometheusRule the Prometheus Operator picks up, or a rule file)',
    );
  if (said(/fails to evaluate|not been evaluated/))
    fixes.push('fix the rules whose evaluation fails (Prometheus shows why)');
  if (said(/has no severity|has no runbook_url/))
    fixes.push(
      'give each SLO alert a severity label and a runbook_url annotation',
    );
  if (said(/which no one acknowledges/))
    fixes.push(
      "route the SLO alerts in Alertmanager to a receiver that pages someone who acknowledges (PagerDuty or Opsgenie, or one the portal's operators list in rco.collectors.prometheus ackReceivers.add)",
    );
  if (said(/sends its alerts to no Alertmanager/))
    fixes.push(
      "point Prometheus at the Alertmanager (its alerting: section's alertmanagers) so that it sends its alerts",
    );
  if (said(/is silenced in Alertmanager/))
    fixes.push(
      'expire the Alertmanager silences that match the SLO alerts, or let them run out',
    );
  if (said(/is inhibited in Alertmanager/))
    fixes.push(
      'change the inhibit_rules so that no alert that is always firing mutes the SLO alerts',
    );
  if (!fixes.length) return [];
  const text = fixes.join('; ');
  return [
    {
      action: 'fix',
      kind: 'alerting-state',
      ...where,
      text: `${text[0].toUpperCase()}${text.slice(
        1,
      )}; the console sees the change at its next collection (or refresh it on the Release tab)`,
    },
  ];
}
