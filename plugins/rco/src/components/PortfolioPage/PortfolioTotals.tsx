import { Button, makeStyles, Typography } from '@material-ui/core';
import { plural } from '../shared';
import { PortfolioTotals } from '@helix-portal/plugin-rco-common';
import { PendingRefreshState } from './usePendingRefresh';

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

/** "3 services are being judged…", or that the page stopped asking after its time limit. */
export function pendingInWords(
  pending: number,
  state: PendingRefreshState,
): string {
  const who = `${plural(pending, 'service')} ${pending === 1 ? 'is' : 'are'}`;
  return state === 'stopped'
    ? `${who} still being judged; this page stopped checking`
    : `${who} being judged…`;
}

const useStyles = makeStyles({ pending: { display: 'block' } });

/**
 * The totals line above the view, over every service the filters let through (the backend
 * counts them, not the page shown): a status region, so a filter change is announced. Services
 * whose verdict is still being computed are not in the view: a line of their own says how many,
 * so an incomplete portfolio never passes for a complete one, and the page fills in by itself.
 */
export function PortfolioTotalsLine(props: {
  totals: PortfolioTotals;
  pending?: number;
  refresh?: PendingRefreshState;
  onCheckAgain?: () => void;
}) {
  const classes = useStyles();
  const { pending = 0, refresh = 'refreshing' } = props;
  return (
    <>
      <Typography variant="body2" role="status">
        {totalsInWords(props.totals)}
        {pending > 0 && (
          <span className={classes.pending}>
            {pendingInWords(pending, refresh)}
          </span>
        )}
      </Typography>
      {pending > 0 && refresh === 'stopped' && props.onCheckAgain && (
        <Button size="small" onClick={props.onCheckAgain}>
          Check again
        </Button>
      )}
    </>
  );
}
