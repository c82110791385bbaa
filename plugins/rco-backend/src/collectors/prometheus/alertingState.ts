import { CollectionPlace } from '@helix-portal/plugin-rco-node';
import { PrometheusEnvironment, needsAck } from './config';
import { matches } from './matchers';
import { ruleFileCheck } from './ruleFiles';
import { inhibitedBy, matchRoutes } from './routing';
import { StackState } from './stackClient';

/**
 * The `AlertingState` document of one service in one environment: what the stack runs for it,
 * without anything that changes on its own between runs (evaluation times, values, active-since
 * times), so that an unchanged stack yields the same document and digest. The evidence parser
 * (evidence/parsers/alertingState.ts) reads it; the SLO reading is the parser's.
 */

export const ALERTING_STATE_API_VERSION = 'rco.helix.dev/v1';
export const ALERTING_STATE_KIND = 'AlertingState';

/** Longest `lastError` kept: enough to say why, not a dump. */
const MAX_ERROR = 300;

export interface AlertingStateDocument {
  apiVersion: typeof ALERTING_STATE_API_VERSION;
  kind: typeof ALERTING_STATE_KIND;
  metadata: { name: string };
  spec: {
    endpoint: string;
    environment: string;
    selector: Record<string, string>;
    /** How many Alertmanagers Prometheus sends to, and whether the one read is one of them. */
    alertmanagers: { active: number; readIsActive: boolean };
    /** Prometheus relabels alerts before sending (alert_relabel_configs): not evaluated. */
    alertRelabeling: boolean;
    /**
     * Alerts that carry the selector's labels but were loaded from a rule file that is not the
     * place's (ruleFiles.ts): not counted, named so the page can say so (never the file).
     */
    notCounted?: string[];
    alerts: Array<{
      alert: string;
      group: string;
      expr: string;
      labels: Record<string, string>;
      runbookUrl?: string;
      health: string;
      lastError?: string;
      firing: boolean;
      receivers: Array<{
        name: string;
        integrations: string[];
        needsAck: boolean;
      }>;
      /** Active silences that match the alert's labels (ids). */
      silencedBy: string[];
      /** Alerts firing now that inhibit it (inhibit_rules), by name. */
      inhibitedBy: string[];
      /** Time intervals named on the routes it ends at (not evaluated). */
      timeIntervals: string[];
    }>;
  };
}

/** The selector's values for one place: `{name}`, `{namespace}`, `{entityNamespace}`, `{environment}`. */
export function selectorFor(
  env: PrometheusEnvironment,
  place: CollectionPlace,
): Record<string, string> {
  const vars: Record<string, string> = {
    name: place.name,
    namespace: place.namespace,
    entityNamespace: place.entityNamespace,
    environment: place.environment,
  };
  return Object.fromEntries(
    Object.entries(env.alertLabels).map(([label, template]) => [
      label,
      template.replace(/\{(\w+)\}/g, (whole, v) => vars[v] ?? whole),
    ]),
  );
}

export const selects = (
  selector: Record<string, string>,
  labels: Record<string, string>,
) => Object.entries(selector).every(([k, v]) => labels[k] === v);

export function alertingState(
  stack: StackState,
  env: PrometheusEnvironment,
  place: CollectionPlace,
): AlertingStateDocument {
  const selector = selectorFor(env, place);
  const labelled = stack.rules.filter(rule => selects(selector, rule.labels));
  const ownFile = ruleFileCheck(env.ruleFiles, place);
  const notCounted = [
    ...new Set(labelled.filter(r => !ownFile(r.file)).map(r => r.name)),
  ].sort();
  const alerts = labelled
    .filter(rule => ownFile(rule.file))
    .map(rule => {
      // What Alertmanager receives: the rule's labels, its name and Prometheus's external labels.
      const labels = {
        ...stack.externalLabels,
        ...rule.labels,
        alertname: rule.name,
      };
      const routes = matchRoutes(stack.routing.route, labels);
      const names = [...new Set(routes.map(r => r.receiver))];
      // Alertmanager sees the firing alerts with the external labels too.
      const firing = stack.firing.map(f => ({ ...stack.externalLabels, ...f }));
      return {
        alert: rule.name,
        group: rule.group,
        expr: rule.query,
        labels: rule.labels,
        ...(rule.annotations.runbook_url
          ? { runbookUrl: rule.annotations.runbook_url }
          : {}),
        health: rule.health,
        ...(rule.lastError
          ? { lastError: rule.lastError.slice(0, MAX_ERROR) }
          : {}),
        firing: stack.firing.some(
          f => f.alertname === rule.name && selects(selector, f),
        ),
        receivers: names.map(name => {
          const integrations = stack.routing.receivers.get(name) ?? [];
          return {
            name,
            integrations,
            needsAck: needsAck(env.ack, name, integrations),
          };
        }),
        silencedBy: stack.silences
          .filter(silence => silence.matchers.every(m => matches(m, labels)))
          .map(silence => silence.id)
          .sort(),
        inhibitedBy: inhibitedBy(stack.routing.inhibitRules, labels, firing),
        timeIntervals: [
          ...new Set(routes.flatMap(r => r.timeIntervals)),
        ].sort(),
      };
    })
    // Code-point order, not the locale's: the digest must not depend on the host.
    .sort((a, b) => {
      const x = `${a.group}\u0000${a.alert}`;
      const y = `${b.group}\u0000${b.alert}`;
      return x < y ? -1 : Number(x > y);
    });
  return {
    apiVersion: ALERTING_STATE_API_VERSION,
    kind: ALERTING_STATE_KIND,
    metadata: { name: place.name },
    spec: {
      endpoint: env.name,
      environment: place.environment,
      selector,
      alertmanagers: stack.alertmanagers,
      alertRelabeling: stack.alertRelabeling,
      ...(notCounted.length ? { notCounted } : {}),
      alerts,
    },
  };
}
