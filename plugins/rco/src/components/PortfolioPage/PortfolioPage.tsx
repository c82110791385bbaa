import {
  Content,
  Header,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useAppSearchParams } from '@backstage/frontend-plugin-api';
import { Box, Button, makeStyles, Typography } from '@material-ui/core';
import { ToggleButton, ToggleButtonGroup } from '@material-ui/lab';
import { startTransition, useMemo, useRef, useState } from 'react';
import { rcoApiRef } from '../../api/RcoApi';
import { MetricsSection } from '../Metrics';
import { columnsOf } from './columns';
import {
  hasFilters,
  PortfolioState,
  PortfolioView,
  queryOf,
  serverQuery,
  stateFrom,
} from './filters';
import { PortfolioFilterBar } from './PortfolioFilterBar';
import { PortfolioHeatMap } from './PortfolioHeatMap';
import { PortfolioTable } from './PortfolioTable';
import { PortfolioTotalsLine } from './PortfolioTotals';
import { saveBlob } from './saveBlob';
import { usePendingRefresh } from './usePendingRefresh';
import { usePortfolioPages } from './usePortfolioPages';

/** Services per request while the heat map scrolls (the backend allows 1000). */
const HEAT_MAP_PAGE = 500;

const useStyles = makeStyles(theme => ({
  skip: {
    position: 'absolute',
    left: -10000,
    '&:focus': {
      position: 'static',
      display: 'inline-block',
      marginBottom: theme.spacing(1),
    },
  },
  toolbar: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    columnGap: theme.spacing(3),
  },
  heading: { whiteSpace: 'nowrap' },
  status: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
  },
  view: {
    marginTop: theme.spacing(0.5),
    '&:focus:not(:focus-visible)': { outline: 'none' },
  },
}));

/** What an empty answer means: services still being judged may yet fill it. */
const emptyText = (filtered: boolean, pending: boolean) => {
  if (filtered)
    return `No services match these filters${pending ? ' yet' : ''}.`;
  return pending
    ? 'No service has been judged yet.'
    : 'No governed services yet.';
};

/** Export as CSV: the same filters and order, every row, saved under the page's name. */
function ExportButton(props: { onExport: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <>
      <Button
        size="small"
        variant="outlined"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          try {
            await props.onExport();
          } catch (e) {
            setError(`Export failed: ${(e as Error).message}`);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? 'Exporting…' : 'Export CSV'}
      </Button>
      {error && (
        <Typography role="alert" color="error" variant="body2">
          {error}
        </Typography>
      )}
    </>
  );
}

/**
 * Every governed service with its readiness, as a heat map (services by gates, the default) or
 * a table, filterable by owner, gate, status, "expires soon" and text. The backend filters,
 * sorts, pages and counts; the page shows what is in view. The filters, the order and the view
 * live in the query string, so a view can be shared and survives a reload.
 * `header={false}` when the app frame already shows the page's title (the new frontend system).
 */
export function PortfolioPage(
  props: {
    header?: boolean;
    /** Where the app mounts the Gate policy page; no link without it. */
    gatePolicyLink?: string;
  } = {},
) {
  const api = useApi(rcoApiRef);
  const classes = useStyles();
  const [params, setParams] = useAppSearchParams();
  // The same object while the query string stays the same (the filter bar watches it).
  const search = params.toString();
  const state = useMemo(() => stateFrom(new URLSearchParams(search)), [search]);
  // The search box reports after a pause: it must change the filters as they are then.
  const latest = useRef(state);
  latest.current = state;
  // Changes written but not yet read back from the query string (update, below); each is
  // dropped once the query string says the same.
  const unread = useRef<Partial<PortfolioState>>({});
  for (const key of Object.keys(unread.current) as Array<keyof PortfolioState>)
    if (unread.current[key] === state[key]) delete unread.current[key];
  const query = serverQuery(state);
  const queryKey = JSON.stringify(query);

  const [tablePage, setTablePage] = useState({ key: '', page: 0, size: 50 });
  // A new filter or order starts again at the first page.
  const page = tablePage.key === queryKey ? tablePage.page : 0;
  const pageSize = state.view === 'table' ? tablePage.size : HEAT_MAP_PAGE;
  const stableQuery = useMemo(() => query, [queryKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const pages = usePortfolioPages(api, stableQuery, pageSize);
  const { meta } = pages;
  // Services not judged yet are not in the answer: the view in sight is asked again until they
  // are (the totals line says how many are missing meanwhile).
  const pending = usePendingRefresh({
    pending: meta?.pending,
    answer: meta,
    queryKey,
    refresh: pages.refresh,
  });

  // The owners offered by the owner filter: everyone seen in this session's answers.
  const seen = useRef(new Set<string>());
  const first = pages.pageAt(0);
  first?.forEach(i => i.owners.forEach(o => seen.current.add(o)));
  if (state.owner) seen.current.add(state.owner);
  const owners = [...seen.current].sort();

  // A change of filter, order or view is written to the query string in a task of its own, at
  // transition priority: the control's own work (a closing menu) and the app's re-render on a
  // new location do not add up in one task, and React renders the page in slices.
  // Each write carries every change not yet in the query string: two filters chosen before the
  // first reaches it (a script, or a quick hand) both stay, instead of the second write
  // starting again from the query string the first had not changed yet.
  const update = (change: Partial<PortfolioState>) => {
    // Kept as the query string will read it back (a blank search is no search), so that each
    // is dropped once read back and none outlives its write.
    const readBack = stateFrom(
      new URLSearchParams(queryOf({ ...latest.current, ...change })),
    );
    for (const key of Object.keys(change) as Array<keyof PortfolioState>)
      unread.current = { ...unread.current, [key]: readBack[key] };
    setTimeout(() =>
      startTransition(() =>
        setParams(queryOf({ ...latest.current, ...unread.current }), {
          replace: true,
        }),
      ),
    );
  };
  const setState = (key: keyof PortfolioState, value: string) =>
    update({ [key]: value });
  const setView = (view: PortfolioView) => update({ view });

  const viewRef = useRef<HTMLElement>(null);
  const skipToView = (e: React.MouseEvent) => {
    e.preventDefault();
    viewRef.current?.focus();
    viewRef.current?.scrollIntoView?.({ block: 'start' });
  };

  const total = meta?.totalItems ?? 0;
  const body = pages.error ? (
    <Box>
      <ResponseErrorPanel error={pages.error} />
      <Button variant="outlined" onClick={pages.retry}>
        Try again
      </Button>
    </Box>
  ) : (
    <>
      <a
        href="#rco-portfolio-services"
        className={classes.skip}
        onClick={skipToView}
      >
        Skip to the services
      </a>
      <div className={classes.toolbar}>
        <Typography
          variant="h6"
          component="h2"
          id="rco-portfolio-heading"
          className={classes.heading}
        >
          Governed services{meta ? ` (${total})` : ''}
        </Typography>
        <PortfolioFilterBar
          state={state}
          owners={owners}
          horizon={meta?.horizon}
          onChange={setState}
        />
      </div>
      <div className={classes.status}>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={state.view}
          onChange={(_e, v) => v && setView(v)}
          aria-label="View"
        >
          <ToggleButton value="heatmap">Heat map</ToggleButton>
          <ToggleButton value="table">Table</ToggleButton>
        </ToggleButtonGroup>
        <ExportButton
          onExport={async () =>
            saveBlob(await api.exportPortfolio(query), 'release-readiness.csv')
          }
        />
        {props.gatePolicyLink && (
          <Link to={props.gatePolicyLink}>
            Gate policy: what if a threshold changed
          </Link>
        )}
        {meta?.totals && (
          <PortfolioTotalsLine
            totals={meta.totals}
            pending={meta.pending}
            refresh={pending.state}
            onCheckAgain={pending.checkAgain}
          />
        )}
      </div>
      <section
        id="rco-portfolio-services"
        aria-labelledby="rco-portfolio-heading"
        tabIndex={-1}
        ref={viewRef}
        className={classes.view}
        aria-busy={pages.loading}
      >
        {!meta && <Progress />}
        {meta && total === 0 && (
          <Typography variant="body2">
            {emptyText(hasFilters(state), meta.pending > 0)}
          </Typography>
        )}
        {meta && total > 0 && state.view === 'heatmap' && (
          <PortfolioHeatMap
            pages={pages}
            total={total}
            columns={columnsOf(meta)}
            queryKey={queryKey}
          />
        )}
        {meta && total > 0 && state.view === 'table' && (
          <PortfolioTable
            pages={pages}
            columns={columnsOf(meta)}
            total={total}
            page={page}
            pageSize={pageSize}
            onPage={(p, size) =>
              startTransition(() =>
                setTablePage({ key: queryKey, page: p, size }),
              )
            }
            sort={state.sort}
            order={state.order}
            onSort={(sort, order) => update({ sort, order })}
          />
        )}
      </section>
      {/* Issue 17: the portfolio's delivery metrics and gate effectiveness, read when opened. */}
      {api.getMetrics && (
        <Box mt={3}>
          <MetricsSection />
        </Box>
      )}
    </>
  );

  if (props.header === false) return <Content>{body}</Content>;
  return (
    <Page themeId="tool">
      <Header
        title="Release readiness"
        subtitle="Every governed service, gate by gate, riskiest first"
      />
      <Content>{body}</Content>
    </Page>
  );
}
