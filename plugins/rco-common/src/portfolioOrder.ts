import type { GateStatus, PortfolioItem } from './api';

/**
 * What the portfolio's order and totals read of a service.
 *
 * @public
 */
export type PortfolioJudged = Pick<
  PortfolioItem,
  'entityRef' | 'title' | 'gates' | 'summary'
>;

const count = (item: PortfolioJudged, status: GateStatus) =>
  item.gates.filter(g => g.status === status).length;

/**
 * How risky a service's release is, higher first: a failing gate outweighs any number of missing
 * ones, a missing one any number of stale ones (a release has at most ten gates, so weights of
 * 100, 10 and 1 keep that order), and among equals more blocking gates weigh more. A ready
 * release scores 0 whatever its gates say (a waived gate does not block).
 *
 * A failing gate comes first because a tool found something wrong; missing evidence is work not
 * done yet; stale evidence was good once. One rule for the Release readiness page and for
 * `GET /portfolio?sort=risk`.
 *
 * @public
 */
export function riskScore(item: PortfolioJudged): number {
  if (item.summary.ready) return 0;
  return (
    count(item, 'fail') * 100 +
    count(item, 'missing') * 10 +
    count(item, 'stale') +
    // A blocked release always outranks a ready one, even when its blockers are not among the
    // three statuses above (a gate blocked for a reason the portfolio summarises differently).
    item.summary.blockedBy.length / 100 +
    0.001
  );
}

/**
 * Riskiest first; ties by title, then by entity ref, so the order is the same on every load.
 *
 * @public
 */
export function compareByRisk(a: PortfolioJudged, b: PortfolioJudged): number {
  return (
    riskScore(b) - riskScore(a) ||
    a.title.localeCompare(b.title) ||
    a.entityRef.localeCompare(b.entityRef)
  );
}

/**
 * How many services are ready, blocked, and have failing, missing or stale gates.
 *
 * @public
 */
export interface PortfolioTotals {
  services: number;
  ready: number;
  blocked: number;
  failing: number;
  missing: number;
  stale: number;
}

/**
 * Counts one service in totals (`by` 1) or takes it out again (`by` -1), in place: the one rule
 * of which totals a service counts in, for totals built at once (totalsOf) and totals kept up to
 * date as services change (the backend's portfolio view).
 *
 * @public
 */
export function countInTotals(
  totals: PortfolioTotals,
  item: PortfolioJudged,
  by: 1 | -1 = 1,
): PortfolioTotals {
  const has = (s: GateStatus) => item.gates.some(g => g.status === s);
  totals.services += by;
  if (item.summary.ready) totals.ready += by;
  else totals.blocked += by;
  if (has('fail')) totals.failing += by;
  if (has('missing')) totals.missing += by;
  if (has('stale')) totals.stale += by;
  return totals;
}

/**
 * Totals per status of some services: a service counts once per status it has.
 *
 * @public
 */
export function totalsOf(items: readonly PortfolioJudged[]): PortfolioTotals {
  const totals = {
    services: 0,
    ready: 0,
    blocked: 0,
    failing: 0,
    missing: 0,
    stale: 0,
  };
  for (const item of items) countInTotals(totals, item);
  return totals;
}
