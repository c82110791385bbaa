import { evidenceOf, newestPerObject, summaryOf } from '../helpers';
import { fresh, missing, Rule } from './shared';
import { SLO_KINDS } from './sloAlerts';
import {
  judgeLiveMonitoring,
  judgeMonitoredEnvironments,
} from './monitoringAlertingLive';

export const monitoringAlerting: Rule = ctx => {
  // Where the console reads the environment's Prometheus and Alertmanager, the stack decides.
  const environment = ctx.release.environment;
  const monitored = ctx.config.monitoredEnvironments ?? {};
  const endpoint = environment ? monitored[environment] : undefined;
  if (environment && endpoint)
    return judgeLiveMonitoring(ctx, environment, endpoint);
  // Judged without an environment: the monitored environments' stacks decide, the worst stands.
  if (!environment && Object.keys(monitored).length)
    return judgeMonitoredEnvironments(ctx, monitored);

  const rules = newestPerObject(
    evidenceOf(ctx, ['prometheus-rule']),
    r => summaryOf(r, 'prometheus-rule')!.name,
  );
  if (!rules.length)
    return missing(["No PrometheusRule with the service's SLO alerts"]);
  const alerts = rules.flatMap(r => summaryOf(r, 'prometheus-rule')!.alerts);
  const reasons: string[] = [];
  let ok = true;
  for (const [label, re] of SLO_KINDS) {
    const found = alerts.filter(a => re.test(a.alert) || re.test(a.expr));
    const complete = found.filter(a => a.severity && a.runbookUrl);
    if (!found.length) {
      ok = false;
      reasons.push(`No ${label} alert`);
    } else if (!complete.length) {
      ok = false;
      reasons.push(
        `${label} alerts (${found
          .map(a => a.alert)
          .join(', ')}) lack severity or runbook_url`,
      );
    } else
      reasons.push(
        `${label}: ${complete
          .map(a => `${a.alert} (${a.severity})`)
          .slice(0, 3)
          .join(', ')}`,
      );
  }
  const pageable = alerts.filter(a =>
    ['critical', 'page'].includes((a.severity ?? '').toLowerCase()),
  );
  if (!pageable.length) {
    ok = false;
    reasons.push(
      'No alert routed for human acknowledgement (severity critical/page)',
    );
  }
  reasons.push(
    `The alerts are only declared (PrometheusRule): the console does not read ${
      environment ? `${environment}'s` : 'the'
    } Prometheus and Alertmanager (rco.collectors.prometheus), so whether they are loaded, healthy and routed to a receiver that needs acknowledgement is not checked`,
  );
  return {
    status: ok ? 'pass' : 'fail',
    reasons,
    used: rules,
    freshness: fresh(rules),
  };
};
