import {
  Content,
  Header,
  Link,
  Page,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useAppSearchParams } from '@backstage/frontend-plugin-api';
import {
  compareByRisk,
  GateStatus,
  PortfolioItem,
  totalsOf,
} from '@helix-portal/plugin-rco-common';
import { parseEntityRef } from '@backstage/catalog-model';
import { Box, Button, makeStyles, Typography } from '@material-ui/core';
import { memo, ReactNode, useMemo, useRef } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { rcoApiRef } from '../../api/RcoApi';
import { StatusChip } from '../ReleaseContent/StatusChip';
import { countOf, Person } from '../shared';
import { applyFilters, filtersFrom, gateTitle, queryOf } from './filters';
import { PortfolioFilterBar } from './PortfolioFilterBar';
import { PortfolioTotalsLine } from './PortfolioTotals';

const PAGE = 500;

type Row = PortfolioItem & { id: string };

// Static classes, not <Box>: every MUI v4 Box attaches a style sheet of its own; a page of 100
// services with their failing gates made hundreds (2.4 s main-thread tasks on a filter change).
// One line per service (no wrapping, ellipsis with the full text on hover), so 20 services fit
// on a 1366×768 laptop screen.
const useStyles = makeStyles(theme => ({
  line: {
    display: 'flex',
    alignItems: 'center',
    gap: 4,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  },
  clip: { overflow: 'hidden', textOverflow: 'ellipsis' },
  // Each status group shrinks its gate titles (ellipsis), never its chip, so every status of a
  // row stays visible however many gates it names.
  group: {
    display: 'flex',
    alignItems: 'center',
    gap: 4,
    minWidth: 0,
    flex: '0 1 auto',
    marginRight: 8,
    // The Backstage theme gives every chip a bottom and right margin: here it would add 8px
    // to every row.
    '& .MuiChip-root': { margin: 0, flexShrink: 0 },
  },
  titles: {
    minWidth: 0,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
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
  table: {
    marginTop: theme.spacing(0.5),
    '&:focus:not(:focus-visible)': { outline: 'none' },
    '& th': { paddingTop: 4, paddingBottom: 4 },
  },
}));

// Every cell on one line, cut with an ellipsis (the full text is on hover).
// Rows of 27 px (a small status chip and a pixel above and below) fit 20 services on a laptop.
const ONE_LINE = {
  whiteSpace: 'nowrap',
  overflow: 'hidden',
  textOverflow: 'ellipsis',
  paddingTop: 1,
  paddingBottom: 1,
  height: 26,
} as const;

const NOT_PASSING: GateStatus[] = ['fail', 'missing', 'stale', 'waived'];

/**
 * A service's gates that do not pass, grouped by status: the status chip (icon and word, so Fail
 * and Missing differ by more than colour) and the gate titles. Memoised on the gates array, which
 * the table keeps when it re-renders a row, so a filter change does not re-render every chip.
 */
const NotPassing = memo(function NotPassingGates(props: {
  gates: PortfolioItem['gates'];
}) {
  const classes = useStyles();
  const groups = NOT_PASSING.map(status => ({
    status,
    titles: props.gates
      .filter(g => g.status === status)
      .map(g => gateTitle(g.id)),
  })).filter(g => g.titles.length > 0);
  if (groups.length === 0) return <>—</>;
  const all = groups.map(g => `${g.status}: ${g.titles.join(', ')}`).join('; ');
  return (
    <div className={classes.line} title={all}>
      {groups.map(g => (
        <span key={g.status} className={classes.group}>
          <StatusChip status={g.status} />
          <span className={classes.titles}>{g.titles.join(', ')}</span>
        </span>
      ))}
    </div>
  );
});

const Owners = memo(function OwnerNames(props: { owners: string[] }) {
  const classes = useStyles();
  return (
    <div className={classes.line}>
      {props.owners.length === 0
        ? '—'
        : props.owners.map((o, n) => (
            <span key={o}>
              {n > 0 && ', '}
              <Person actor={o} />
            </span>
          ))}
    </div>
  );
});

/**
 * "Ready", "Ready, 1 waived", "3 of 10 gates unmet" or "1 of 10 gates unmet, 2 waived". Unmet
 * counts the gates that block (a waived gate lets the release through), waived ones are said
 * apart.
 */
const readiness = (i: PortfolioItem) => {
  const waived = i.summary.waived.length;
  const state = i.summary.ready
    ? 'Ready'
    : countOf(i.summary.blockedBy.length, i.summary.total, 'gates', 'unmet');
  return waived ? `${state}, ${waived} waived` : state;
};

/**
 * Every governed service with its readiness, riskiest first, filterable by owner, gate, status
 * and text; the filters live in the query string, so a view can be shared and survives a reload.
 * `header={false}` when the app frame already shows the page's title (the new frontend system).
 */
export function PortfolioPage(props: { header?: boolean } = {}) {
  const api = useApi(rcoApiRef);
  const classes = useStyles();
  const [params, setParams] = useAppSearchParams();
  const filters = filtersFrom(params);
  const tableRef = useRef<HTMLElement>(null);
  // The backend pages by 500; the page loads them all and orders, counts and filters here, so
  // the risk order and the totals are over every service, not one backend page. Each row carries
  // an `id` (its entity ref): without one the table remounts every row on a filter change.
  const portfolio = useAsyncRetry(async () => {
    const items: Row[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await api.getPortfolio({ offset, limit: PAGE });
      items.push(...page.items.map(i => ({ ...i, id: i.entityRef })));
      if (items.length >= page.totalItems || page.items.length === 0)
        return items.sort(compareByRisk);
    }
  }, [api]);
  const owners = useMemo(
    () => [...new Set((portfolio.value ?? []).flatMap(i => i.owners))].sort(),
    [portfolio.value],
  );
  const { owner, gate, status, q } = filters;
  const rows = useMemo(
    () => applyFilters(portfolio.value ?? [], { owner, gate, status, q }),
    [portfolio.value, owner, gate, status, q],
  );
  const totals = useMemo(() => totalsOf(rows), [rows]);

  // Stable columns: new render functions on every render make the table rebuild its column
  // state on each filter change.
  const columns = useMemo<TableColumn<Row>[]>(
    () => [
      {
        title: 'Service',
        field: 'title',
        width: '240px',
        cellStyle: ONE_LINE,
        render: i => {
          const ref = parseEntityRef(i.entityRef);
          return (
            <div className={classes.clip} title={i.entityRef}>
              <Link
                to={`/catalog/${ref.namespace}/${ref.kind}/${ref.name}/release`}
              >
                {i.title}
              </Link>
            </div>
          );
        },
      },
      {
        title: 'Owner',
        field: 'owners',
        width: '150px',
        cellStyle: ONE_LINE,
        render: i => <Owners owners={i.owners} />,
      },
      {
        title: 'Release',
        width: '90px',
        cellStyle: ONE_LINE,
        render: i => (i.release.version ? `v${i.release.version}` : '—'),
        customSort: (a, b) =>
          (a.release.version ?? '').localeCompare(b.release.version ?? ''),
      },
      {
        title: 'Readiness',
        width: '190px',
        cellStyle: ONE_LINE,
        // Sorting this column sorts by risk (the page's default order), not by the words.
        customSort: (a, b) => compareByRisk(a, b),
        render: i => readiness(i),
      },
      {
        title: 'Not passing',
        sorting: false,
        cellStyle: ONE_LINE,
        render: i => <NotPassing gates={i.gates} />,
      },
    ],
    [classes],
  );

  const setFilter = (key: keyof typeof filters, value: string) =>
    setParams(queryOf({ ...filters, [key]: value }), { replace: true });

  const skipToTable = (e: React.MouseEvent) => {
    e.preventDefault();
    tableRef.current?.focus();
    tableRef.current?.scrollIntoView?.({ block: 'start' });
  };

  const body: ReactNode = portfolio.error ? (
    <Box>
      <ResponseErrorPanel error={portfolio.error} />
      <Button variant="outlined" onClick={portfolio.retry}>
        Try again
      </Button>
    </Box>
  ) : (
    <>
      <a
        href="#rco-portfolio-services"
        className={classes.skip}
        onClick={skipToTable}
      >
        Skip to the services table
      </a>
      {/* One line for the heading and the filters, one for the totals: the rows get the room. */}
      <div className={classes.toolbar}>
        <Typography
          variant="h6"
          component="h2"
          id="rco-portfolio-heading"
          className={classes.heading}
        >
          Governed services ({rows.length})
        </Typography>
        <PortfolioFilterBar
          filters={filters}
          owners={owners}
          onChange={setFilter}
        />
      </div>
      {!portfolio.loading && <PortfolioTotalsLine totals={totals} />}
      <section
        id="rco-portfolio-services"
        aria-labelledby="rco-portfolio-heading"
        tabIndex={-1}
        ref={tableRef}
        className={classes.table}
      >
        <Table
          isLoading={portfolio.loading}
          options={{
            toolbar: false,
            paging: true,
            pageSize: 20,
            pageSizeOptions: [20, 50, 100],
            search: false,
            padding: 'dense',
            tableLayout: 'fixed',
            // No drag handles (a nameless tab stop around every header) and no blank
            // filler rows on a short last page.
            draggable: false,
            emptyRowsWhenPaging: false,
          }}
          columns={columns}
          data={rows}
        />
      </section>
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
