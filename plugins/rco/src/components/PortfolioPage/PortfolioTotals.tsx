import { Typography } from '@material-ui/core';
import { plural } from '../shared';
import { PortfolioTotals } from '@helix-portal/plugin-rco-common';

/** The totals per status in words: "3 ready, 17 blocked: 9 with failing gates, …". */
export function totalsInWords(t: PortfolioTotals): string {
  if (t.services === 0) return 'No services';
  const parts = [
    `${t.ready} ready`,
    `${t.blocked} blocked`,
    `${plural(t.failing, 'service')} with failing gates`,
    `${plural(t.missing, 'service')} with missing evidence`,
    `${plural(t.stale, 'service')} with stale evidence`,
  ];
  return parts.join(', ');
}

/**
 * The totals line above the view, over every service the filters let through (the backend
 * counts them, not the page shown): a status region, so a filter change is announced. Services
 * whose verdict is still being computed are said apart.
 */
export function PortfolioTotalsLine(props: {
  totals: PortfolioTotals;
  pending?: number;
}) {
  const pending = props.pending
    ? `; ${plural(props.pending, 'service')} being judged`
    : '';
  return (
    <Typography variant="body2" role="status">
      {totalsInWords(props.totals)}
      {pending}
    </Typography>
  );
}
