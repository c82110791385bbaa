import {
  ChangeFailure,
  DeliveryMetric,
  DeliveryMetrics,
  LeadTimeSample,
} from '@helix-portal/plugin-rco-common';
import { failedItself, MetricsFacts, OperationFact, ran } from './facts';
import {
  daysOf,
  groupBy,
  hoursBetween,
  inPeriod,
  Period,
  spread,
  weekFinder,
  weeksOf,
} from './periods';

const LINKED = 200;
const iso = (d: Date) => d.toISOString();
const newestIds = (ops: Array<{ id: string; at: Date }>) =>
  [...ops]
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .slice(0, LINKED)
    .map(o => o.id);

const byTime = (a: OperationFact, b: OperationFact) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1);

/**
 * Every change (a deploy that ran) of the environment that failed, and how service came back.
 * A deploy fails by itself (its analysis or the atomic upgrade rolled it back: restored when it
 * ended), or when, within `windowMs` of succeeding and before the next deploy of that service
 * there, a rollback ran, a break-glass override was recorded or an AnalysisRun failed; then it is
 * restored by the first rollback or deploy that succeeded after that signal. A rollback is not a
 * change: a rollback of a rollback neither fails nor restores a change twice.
 */
export function changeFailures(
  facts: MetricsFacts,
  environment: string,
  windowMs: number,
): ChangeFailure[] {
  // Per service: each service's deploys are judged against its own operations and signals.
  const opsOf = groupBy(
    facts.operations.filter(o => o.environment === environment).sort(byTime),
    o => o.entityRef,
  );
  const breakGlassOf = groupBy(
    facts.overrides.filter(
      o => o.kind === 'break-glass' && o.environment === environment,
    ),
    o => o.entityRef,
  );
  const analysesOf = groupBy(
    facts.analysisFailures.filter(a => a.environment === environment),
    a => a.entityRef,
  );
  const failures: ChangeFailure[] = [];
  for (const [entityRef, ops] of opsOf) {
    const deploys = ops.filter(o => o.type === 'deploy' && ran(o));
    for (const [i, d] of deploys.entries()) {
      const failure = failureOf(d, deploys[i + 1], {
        ops,
        breakGlass: breakGlassOf.get(entityRef) ?? [],
        analyses: analysesOf.get(entityRef) ?? [],
        windowMs,
      });
      if (failure) failures.push(failure);
    }
  }
  return failures;
}

/** Whether one deploy failed, given its service's operations and signals in the environment. */
function failureOf(
  d: OperationFact,
  next: OperationFact | undefined,
  o: {
    ops: OperationFact[];
    breakGlass: MetricsFacts['overrides'];
    analyses: MetricsFacts['analysisFailures'];
    windowMs: number;
  },
): ChangeFailure | undefined {
  const base = {
    operationId: d.id,
    entityRef: d.entityRef,
    environment: d.environment,
    release: d.release,
  };
  if (failedItself(d)) {
    // Rolled back, aborted or failed after the driver started: the previous release is what
    // runs when it ends (helm --atomic, Argo's abort). Needing attention: nobody knows what runs,
    // so it is not restored by itself.
    const stuck = d.state === 'needs-attention';
    return {
      ...base,
      deployedAt: iso(d.createdAt),
      signal: stuck ? 'needs-attention' : 'rolled-back',
      signalId: d.id,
      signalAt: iso(d.finishedAt!),
      ...(stuck
        ? {}
        : {
            restoredAt: iso(d.finishedAt!),
            restoredBy: d.id,
            restoreHours: hoursBetween(d.createdAt, d.finishedAt!),
          }),
    };
  }
  const live = d.finishedAt!;
  const until = Math.min(
    live.getTime() + o.windowMs,
    next?.createdAt.getTime() ?? Infinity,
  );
  const within = (at: Date) => at > live && at.getTime() <= until;
  const first = [
    ...o.ops
      .filter(r => r.type === 'rollback' && r.confirmed && within(r.createdAt))
      .map(r => ({ signal: 'rollback' as const, id: r.id, at: r.createdAt })),
    ...o.breakGlass
      .filter(b => within(b.createdAt))
      .map(b => ({
        signal: 'break-glass' as const,
        id: b.id,
        at: b.createdAt,
      })),
    // A failed run about this release's image (a run naming none, or another image, is not
    // this deploy's: an old report uploaded again must not fail the current deploy).
    ...o.analyses
      .filter(a => within(a.at) && !!a.digest && a.digest === d.release.digest)
      .map(a => ({ signal: 'failed-analysis' as const, id: a.id, at: a.at })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime())[0];
  if (!first) return undefined;
  const restore = o.ops.find(
    r =>
      r.id !== d.id &&
      (r.type === 'rollback' || r.type === 'deploy') &&
      r.state === 'succeeded' &&
      r.confirmed &&
      r.finishedAt &&
      r.finishedAt >= first.at,
  );
  return {
    ...base,
    deployedAt: iso(live),
    signal: first.signal,
    signalId: first.id,
    signalAt: iso(first.at),
    ...(restore
      ? {
          restoredAt: iso(restore.finishedAt!),
          restoredBy: restore.id,
          restoreHours: hoursBetween(first.at, restore.finishedAt!),
        }
      : {}),
  };
}

/** The four delivery metrics of one environment over a period (definitions: README). */
export function deliveryMetrics(
  facts: MetricsFacts,
  period: Period,
  environment: string,
  window: { ms: number; iso: string },
): DeliveryMetrics {
  const changes = facts.operations.filter(
    o =>
      o.type === 'deploy' &&
      o.environment === environment &&
      ran(o) &&
      inPeriod(o.finishedAt, period),
  );
  const succeeded = changes.filter(o => o.state === 'succeeded');
  const changeIds = new Set(changes.map(c => c.id));
  const failures = changeFailures(facts, environment, window.ms).filter(f =>
    changeIds.has(f.operationId),
  );
  const leadTimes: LeadTimeSample[] = succeeded.flatMap(o => {
    const first =
      o.release.digest &&
      facts.firstEvidence.get(`${o.entityRef} ${o.release.digest}`);
    if (!first || first > o.finishedAt!) return [];
    return [
      {
        operationId: o.id,
        entityRef: o.entityRef,
        version: o.release.version,
        digest: o.release.digest!,
        firstEvidenceAt: iso(first),
        deployedAt: iso(o.finishedAt!),
        hours: hoursBetween(first, o.finishedAt!),
      },
    ];
  });
  const restored = failures.filter(f => f.restoreHours !== undefined);
  const lead = spread(leadTimes.map(l => l.hours));
  const restore = spread(restored.map(f => f.restoreHours!));
  const days = daysOf(period);
  const metrics: DeliveryMetric[] = [
    {
      id: 'deployment-frequency',
      title: 'Deployment frequency',
      value: Math.round((succeeded.length / days) * 1000) / 1000,
      unit: 'per-day',
      sample: succeeded.length,
      definition: `Deploys to ${environment} that succeeded in the period (${
        succeeded.length
      }), divided by its length in days (${Math.round(days * 100) / 100}).`,
      operations: newestIds(
        succeeded.map(o => ({ id: o.id, at: o.finishedAt! })),
      ),
    },
    {
      id: 'lead-time',
      title: 'Lead time for changes',
      value: lead.median,
      p90: lead.p90,
      unit: 'hours',
      sample: leadTimes.length,
      definition: `Median hours from the first evidence naming a release's image digest to its deploy to ${environment} succeeding, over ${
        leadTimes.length
      } deploys (${
        succeeded.length - leadTimes.length
      } without a digest or evidence left out).`,
      operations: newestIds(
        leadTimes.map(l => ({ id: l.operationId, at: new Date(l.deployedAt) })),
      ),
    },
    {
      id: 'change-failure-rate',
      title: 'Change failure rate',
      value: changes.length
        ? Math.round((failures.length / changes.length) * 1000) / 1000
        : null,
      unit: 'ratio',
      sample: changes.length,
      definition: `Deploys to ${environment} that ran in the period and failed (${failures.length}) over all that ran (${changes.length}): rolled back by their own analysis or atomic upgrade, or followed within ${window.iso} (rco.metrics.failureWindow), before the next deploy, by a rollback, a break-glass override or a failed analysis.`,
      operations: newestIds(
        failures.map(f => ({ id: f.operationId, at: new Date(f.deployedAt) })),
      ),
    },
    {
      id: 'time-to-restore',
      title: 'Time to restore service',
      value: restore.median,
      p90: restore.p90,
      unit: 'hours',
      sample: restored.length,
      definition: `Median hours from a failure's signal to the rollback or deploy that succeeded after it (for a deploy that rolled itself back, its own duration), over ${
        restored.length
      } restored failures (${
        failures.length - restored.length
      } not restored yet).`,
      operations: newestIds(
        restored.map(f => ({ id: f.restoredBy!, at: new Date(f.restoredAt!) })),
      ),
    },
  ];
  const weekOfItem = weekFinder(period);
  const weekAt = (at: string | Date) =>
    weekOfItem(typeof at === 'string' ? new Date(at) : at);
  // Each item into its week once, then each week's figures from its own items.
  const bucket = () => ({
    deploys: 0,
    failures: 0,
    lead: [] as number[],
    restore: [] as number[],
  });
  const byWeek = new Map(weeksOf(period).map(w => [w, bucket()]));
  const into = (at: string | Date) => byWeek.get(weekAt(at));
  for (const o of succeeded) {
    const b = into(o.finishedAt!);
    if (b) b.deploys += 1;
  }
  for (const f of failures) {
    const b = into(f.deployedAt);
    if (b) b.failures += 1;
  }
  for (const l of leadTimes) into(l.deployedAt)?.lead.push(l.hours);
  for (const f of restored) into(f.deployedAt)?.restore.push(f.restoreHours!);
  const weeks = [...byWeek].map(([week, b]) => ({
    week,
    deploys: b.deploys,
    failures: b.failures,
    leadTimeHours: spread(b.lead).median,
    restoreHours: spread(b.restore).median,
  }));
  return { metrics, weeks, leadTimes, failures };
}
