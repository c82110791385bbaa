import {
  compareByRisk,
  PortfolioJudged,
  PortfolioTotals,
  totalsOf,
} from '@helix-portal/plugin-rco-common';

/** How `GET /portfolio` orders its entities before paging. */
export type PortfolioSort = 'ref' | 'risk';

/**
 * The portfolio's rows in the order asked for, with their totals. Sorted and counted before
 * paging, so page 2 continues page 1's order and the totals cover every entity the filters let
 * through. The risk rule itself is rco-common's (the Release readiness page uses the same one).
 */
export function orderPortfolio<T extends PortfolioJudged>(
  rows: readonly T[],
  sort: PortfolioSort = 'ref',
): { rows: T[]; totals: PortfolioTotals } {
  const ordered = [...rows].sort(
    sort === 'risk'
      ? compareByRisk
      : (a, b) => a.entityRef.localeCompare(b.entityRef),
  );
  return { rows: ordered, totals: totalsOf(rows) };
}
