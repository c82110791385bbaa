import { AlertingStateSummary } from '@helix-portal/plugin-rco-common';
import { EvidenceRecord } from '../../database/EvidenceStore';
import { evidenceOf, newestPerObject, observedAt, summaryOf } from '../helpers';
import { GateContext, RuleOutcome } from '../types';
import { fresh, missing } from './shared';
import { SLO_KINDS, sloKindsOf } from './sloAlerts';

type LoadedAlert = AlertingStateSummary['alerts'][number];

const selectorText = (selector: Record<string, string>) =>
  Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ') || 'no labels';

const receiverText = (r: LoadedAlert['receivers'][number]) =>
  `${r.name} (${r.integrations.join(', ') || 'no integration'})`;

/** What keeps one loaded alert from covering its SLO, in words (none: it covers it). */
export function alertProblems(alert: LoadedAlert): string[] {
  const problems: string[] = [];
  if (alert.health === 'err')
    problems.push(
      `is loaded but fails to evaluate (health err${
        alert.lastError ? `: ${alert.lastError}` : ''
      }), so it can never fire`,
    );
  else if (alert.health !== 'ok')
    problems.push('has not been evaluated yet (health unknown)');
  if (!alert.severity) problems.push('has no severity label');
  if (!alert.runbookUrl) problems.push('has no runbook_url annotation');
  if (alert.silencedBy?.length)
    problems.push(
      `is silenced in Alertmanager (active silence ${alert.silencedBy.join(
        ', ',
      )}), so it pages no one while the silence lasts`,
    );
  if (alert.inhibitedBy?.length)
    problems.push(
      `is inhibited in Alertmanager by ${alert.inhibitedBy.join(
        ', ',
      )}, firing now (inhibit_rules), so it pages no one`,
    );
  if (!alert.receivers.some(r => r.needsAck))
    problems.push(
      `is routed to ${
        alert.receivers.map(receiverText).join(', ') || 'no receiver'
      }, which no one acknowledges (a PagerDuty or Opsgenie receiver, or one named in ackReceivers.add, does)`,
    );
  return problems;
}

/**
 * The stack's current state: the version observed last, not the one first collected last. A
 * version already stored only has its observation moved when the stack goes back to it (webhook
 * → PagerDuty → webhook), so the newest row can be an older state than the current one. Ties
 * (never for one object) go to the newer row; records come newest first.
 */
export function currentState(
  records: EvidenceRecord[],
): EvidenceRecord | undefined {
  let current: EvidenceRecord | undefined;
  for (const r of records)
    if (!current || observedAt(r).getTime() > observedAt(current).getTime())
      current = r;
  return current;
}

const STATUS_RANK: Record<RuleOutcome['status'], number> = {
  pass: 0,
  missing: 1,
  fail: 2,
};

/**
 * A release judged without an environment (the portfolio, the status without one) where the
 * console reads some environments' monitoring stacks: the worst of those environments' live
 * verdicts, each reason prefixed with its environment. A declared PrometheusRule does not stand
 * in for a stack that says otherwise.
 */
export function judgeMonitoredEnvironments(
  ctx: GateContext,
  monitored: Record<string, string>,
): RuleOutcome {
  const environments = Object.keys(monitored).sort();
  const outcomes = environments.map(environment => ({
    environment,
    outcome: judgeLiveMonitoring(
      { ...ctx, release: { ...ctx.release, environment } },
      environment,
      monitored[environment],
    ),
  }));
  const status = outcomes.reduce<RuleOutcome['status']>(
    (worst, { outcome }) =>
      STATUS_RANK[outcome.status] > STATUS_RANK[worst] ? outcome.status : worst,
    'pass',
  );
  const used = [
    ...new Map(
      outcomes.flatMap(o => o.outcome.used).map(r => [r.id, r]),
    ).values(),
  ];
  return {
    status,
    reasons: [
      `No environment given: judged in each environment whose monitoring stack the console reads (${environments.join(
        ', ',
      )}), the worst verdict stands`,
      ...outcomes.flatMap(({ environment, outcome }) =>
        outcome.reasons.map(r => `${environment}: ${r}`),
      ),
    ],
    used,
    freshness: outcomes.flatMap(o => o.outcome.freshness ?? []),
  };
}

/**
 * monitoring-alerting where the console reads the environment's monitoring stack
 * (rco.collectors.prometheus): the SLO alerts must be loaded and healthy in Prometheus, carry a
 * severity and a runbook link, and be routed by Alertmanager to a receiver a human
 * acknowledges. Only what the monitoring collector observed counts; a PrometheusRule that
 * declares an SLO alert Prometheus has not loaded fails the gate.
 */
export function judgeLiveMonitoring(
  ctx: GateContext,
  environment: string,
  endpoint: string,
): RuleOutcome {
  const state = currentState(
    evidenceOf(
      ctx,
      ['alerting-state'],
      r =>
        r.source === 'monitoring' &&
        r.subject.environment === environment &&
        summaryOf(r, 'alerting-state')?.endpoint === endpoint,
    ),
  );
  if (!state)
    return missing([
      `The console reads ${environment}'s monitoring stack (${endpoint}) but has not collected its alerting state yet: see the collection health on the Release tab`,
    ]);
  const summary = summaryOf(state, 'alerting-state')!;
  const where = `Prometheus ${endpoint} (rules labelled ${selectorText(
    summary.selector,
  )})`;
  const reasons: string[] = [];
  let ok = true;
  // Routing means nothing if Prometheus sends its alerts to no Alertmanager.
  if (summary.alertmanagers && !summary.alertmanagers.active) {
    ok = false;
    reasons.push(
      `Prometheus ${endpoint} sends its alerts to no Alertmanager (/api/v1/alertmanagers lists none active), so no alert reaches a receiver`,
    );
  } else if (summary.alertmanagers && !summary.alertmanagers.readIsActive)
    reasons.push(
      `Prometheus ${endpoint} sends its alerts to ${summary.alertmanagers.active} Alertmanager(s), none at the address the console reads its routing from: the routing judged is that Alertmanager's (informational)`,
    );
  for (const [kind] of SLO_KINDS) {
    const found = summary.alerts.filter(a => a.slos.includes(kind));
    if (!found.length) {
      ok = false;
      reasons.push(`No ${kind} alert loaded in ${where}`);
      continue;
    }
    // Every alert that carries the service's labels must be sound: a broken one is not outvoted
    // by a healthy one of the same SLO (which could be anyone's never-firing copy).
    const judged = found.map(a => ({ alert: a, problems: alertProblems(a) }));
    const broken = judged.filter(j => j.problems.length);
    if (!broken.length) {
      reasons.push(
        `${kind}: ${found
          .slice(0, 3)
          .map(
            a =>
              `${a.alert} (${
                a.severity
              }) loaded and healthy, routed to ${a.receivers
                .filter(r => r.needsAck)
                .map(receiverText)
                .join(', ')}`,
          )
          .join('; ')}`,
      );
      continue;
    }
    ok = false;
    for (const j of broken)
      reasons.push(`${kind}: ${j.alert.alert} ${j.problems.join('; ')}`);
  }
  if (summary.notCounted?.length)
    reasons.push(
      `Not counted: ${summary.notCounted.join(
        ', ',
      )} carry these labels but are loaded from rule files that are not this service's (another namespace's PrometheusRule, or outside rco.collectors.prometheus.ruleFiles)`,
    );
  // Declared in a PrometheusRule but not running: the declaration is not the stack.
  const declared = newestPerObject(
    evidenceOf(ctx, ['prometheus-rule']),
    r => summaryOf(r, 'prometheus-rule')!.name,
  );
  const loaded = new Set(summary.alerts.map(a => a.alert));
  for (const rule of declared) {
    const prometheusRule = summaryOf(rule, 'prometheus-rule')!;
    for (const a of prometheusRule.alerts)
      if (sloKindsOf(a).length && !loaded.has(a.alert)) {
        ok = false;
        reasons.push(
          `${a.alert} is declared in PrometheusRule ${prometheusRule.name} but not loaded in ${where}`,
        );
      }
  }
  // What the console does not evaluate, said where it applies.
  const timed = summary.alerts.filter(
    a => a.slos.length && a.timeIntervals?.length,
  );
  if (timed.length)
    reasons.push(
      `Not evaluated: the time intervals on the routes of ${timed
        .map(a => `${a.alert} (${a.timeIntervals!.join(', ')})`)
        .join(', ')}; outside them Alertmanager does not notify`,
    );
  if (summary.alertRelabeling)
    reasons.push(
      `Not evaluated: Prometheus ${endpoint} relabels alerts before sending them (alert_relabel_configs); the routing judged uses the rules' own labels`,
    );
  const firing = summary.alerts.filter(a => a.firing && a.slos.length);
  if (firing.length)
    reasons.push(
      `Firing now: ${firing.map(a => a.alert).join(', ')} (informational)`,
    );
  const used: EvidenceRecord[] = [state, ...declared];
  return {
    status: ok ? 'pass' : 'fail',
    reasons,
    used,
    // The stack's state is what is judged: a PrometheusRule's age does not age the verdict.
    freshness: fresh([state]),
  };
}
