import { Progress } from '@backstage/core-components';
import { parseEntityRef } from '@backstage/catalog-model';
import { GateStatus, PortfolioItem } from '@helix-portal/plugin-rco-common';
import {
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TablePagination,
  TableRow,
  TableSortLabel,
} from '@material-ui/core';
import { Fragment, memo, useEffect, useMemo, useRef } from 'react';
import { Link } from 'react-router-dom';
import { countOf, usePersonName } from '../shared';
import { PortfolioColumn } from './columns';
import { gateTitle, PortfolioOrder, PortfolioSort } from './filters';
import { dateTime, GLYPH, useStatusStyles } from './statusStyles';
import { PortfolioPages } from './usePortfolioPages';
import { OpenReviews } from './OpenReviews';

// Static classes, not <Box>: every MUI v4 Box attaches a style sheet of its own. One line per
// service (ellipsis, the full text on hover), so 20 services fit on a 1366×768 laptop screen.
const useStyles = makeStyles(() => ({
  table: {
    tableLayout: 'fixed',
    '& td, & th': {
      whiteSpace: 'nowrap',
      overflow: 'hidden',
      textOverflow: 'ellipsis',
      paddingTop: 1,
      paddingBottom: 1,
      height: 26,
    },
  },
  line: {
    display: 'flex',
    alignItems: 'center',
    gap: 4,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  },
  // The gate titles shrink (ellipsis, all of them on hover), never the badges: every status of a
  // row stays visible however many gates it names.
  titles: {
    minWidth: 0,
    flex: '0 1 auto',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    marginRight: 6,
  },
}));

type Classes = ReturnType<typeof useStyles> &
  ReturnType<typeof useStatusStyles>;

/** A gate's title by id. */
type TitleOf = (id: string) => string;

const NOT_PASSING: GateStatus[] = ['fail', 'missing', 'stale', 'waived'];

/**
 * "Ready", "Ready, 1 waived", "3 of 10 gates unmet" or "1 of 10 gates unmet, 2 waived". Unmet
 * counts the gates that block (a waived gate lets the release through), waived ones apart.
 */
export const readiness = (i: PortfolioItem) => {
  const waived = i.summary.waived.length;
  const state = i.summary.ready
    ? 'Ready'
    : countOf(i.summary.blockedBy.length, i.summary.total, 'gates', 'unmet');
  return waived ? `${state}, ${waived} waived` : state;
};

const WORD: Record<GateStatus, string> = {
  pass: 'Pass',
  fail: 'Fail',
  missing: 'Missing',
  stale: 'Stale',
  waived: 'Waived',
};

/** A status as a coloured badge with a glyph and a word, so colour is never the only signal. */
function StatusBadge(props: { status: GateStatus; classes: Classes }) {
  const { status, classes } = props;
  return (
    <span className={`${classes.badge} ${classes[status]}`}>
      <span aria-hidden className={classes.glyph}>
        {GLYPH[status]}
      </span>
      {WORD[status]}
    </span>
  );
}

/**
 * An owner by display name, the ref on hover: the catalog's name without EntityDisplayName's
 * Box and Tooltip, which cost more than the rest of a row.
 */
function OwnerName(props: { actor: string }) {
  return <span title={props.actor}>{usePersonName(props.actor)}</span>;
}

/** The gates not passing, grouped by status: a badge (glyph and word) and the gate titles. */
function NotPassing(props: {
  item: PortfolioItem;
  titleOf: TitleOf;
  classes: Classes;
}) {
  const { classes, titleOf } = props;
  const groups = NOT_PASSING.map(status => ({
    status,
    titles: props.item.gates
      .filter(g => g.status === status)
      .map(g => titleOf(g.id)),
  })).filter(g => g.titles.length > 0);
  if (groups.length === 0) return <>—</>;
  const all = groups.map(g => `${g.status}: ${g.titles.join(', ')}`).join('; ');
  return (
    <div className={classes.line} title={all}>
      {groups.map(g => (
        <Fragment key={g.status}>
          <StatusBadge status={g.status} classes={classes} />
          <span className={classes.titles}>{g.titles.join(', ')}</span>
        </Fragment>
      ))}
    </div>
  );
}

/** The gates whose evidence ages out within the horizon, by title, with when on hover. */
function ExpiresSoon(props: { item: PortfolioItem; titleOf: TitleOf }) {
  const { titleOf } = props;
  const ids = props.item.expiresSoon ?? [];
  if (ids.length === 0) return <>—</>;
  const when = (id: string) => {
    const until = props.item.gates.find(g => g.id === id)?.validUntil;
    return until ? ` until ${dateTime(until)}` : '';
  };
  return (
    <span title={ids.map(id => `${titleOf(id)}${when(id)}`).join('; ')}>
      ⌛ {ids.map(titleOf).join(', ')}
    </span>
  );
}

const Row = memo(function PortfolioRow(props: {
  item: PortfolioItem;
  titleOf: TitleOf;
  classes: Classes;
}) {
  const { item, titleOf, classes } = props;
  const ref = parseEntityRef(item.entityRef);
  return (
    <TableRow>
      <TableCell title={item.entityRef}>
        <Link
          className={classes.link}
          to={`/catalog/${ref.namespace}/${ref.kind}/${ref.name}/release`}
        >
          {item.title}
        </Link>
        <OpenReviews count={item.openReviews} />
      </TableCell>
      <TableCell>
        <div className={classes.line}>
          {item.owners.length === 0
            ? '—'
            : item.owners.map((o, n) => (
                <span key={o}>
                  {n > 0 && ', '}
                  <OwnerName actor={o} />
                </span>
              ))}
        </div>
      </TableCell>
      <TableCell>
        {item.release.version ? `v${item.release.version}` : '—'}
      </TableCell>
      <TableCell title={readiness(item)}>{readiness(item)}</TableCell>
      <TableCell>
        <NotPassing item={item} titleOf={titleOf} classes={classes} />
      </TableCell>
      <TableCell>
        <ExpiresSoon item={item} titleOf={titleOf} />
      </TableCell>
    </TableRow>
  );
});

const HEADERS: Array<{ title: string; width?: number; sort?: PortfolioSort }> =
  [
    { title: 'Service', width: 220, sort: 'title' },
    { title: 'Owner', width: 150 },
    { title: 'Release', width: 90 },
    // Sorting by readiness is sorting by risk, the page's default order.
    { title: 'Readiness', width: 180, sort: 'risk' },
    { title: 'Not passing' },
    { title: 'Expires soon', width: 200, sort: 'expires' },
  ];

/**
 * The table view: one page of services as the backend filtered, sorted and paged them. The
 * column headers sort on the backend (the order is over every service, not the page shown).
 */
export function PortfolioTable(props: {
  pages: PortfolioPages;
  /** The gates as the backend names them (a gate outside the catalogue keeps its title). */
  columns: PortfolioColumn[];
  total: number;
  page: number;
  pageSize: number;
  onPage: (page: number, pageSize: number) => void;
  sort: PortfolioSort;
  order: PortfolioOrder;
  onSort: (sort: PortfolioSort, order: PortfolioOrder) => void;
}) {
  const own = useStyles();
  const status = useStatusStyles();
  const classes = useMemo(() => ({ ...own, ...status }), [own, status]);
  const { pages, page, pageSize, total } = props;
  // The same function while the gates stay the same, so the rows stay memoised.
  const titlesKey = JSON.stringify(props.columns.map(c => [c.id, c.title]));
  const titleOf = useMemo(() => {
    const titles = new Map(props.columns.map(c => [c.id, c.title]));
    return (id: string) => titles.get(id) ?? gateTitle(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [titlesKey]);
  const { ensure } = pages;
  useEffect(
    () => ensure(page * pageSize, (page + 1) * pageSize),
    [ensure, page, pageSize],
  );
  // The rows shown stay until the next page is in: the table changes once, not twice.
  const shown = useRef<PortfolioItem[]>();
  const loadedRows = pages.pageAt(page);
  if (loadedRows) shown.current = loadedRows;
  const rows = shown.current;
  return (
    <>
      <Table size="small" className={classes.table}>
        <TableHead>
          <TableRow>
            {HEADERS.map(h => (
              <TableCell
                key={h.title}
                style={{ width: h.width }}
                sortDirection={
                  h.sort && h.sort === props.sort ? props.order : false
                }
              >
                {h.sort ? (
                  <TableSortLabel
                    active={h.sort === props.sort}
                    direction={h.sort === props.sort ? props.order : 'asc'}
                    onClick={() =>
                      props.onSort(
                        h.sort!,
                        h.sort === props.sort && props.order === 'asc'
                          ? 'desc'
                          : 'asc',
                      )
                    }
                  >
                    {h.title}
                  </TableSortLabel>
                ) : (
                  h.title
                )}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows?.map(item => (
            <Row
              key={item.entityRef}
              item={item}
              titleOf={titleOf}
              classes={classes}
            />
          ))}
          {rows && rows.length === 0 && (
            <TableRow>
              <TableCell colSpan={HEADERS.length}>
                No services match these filters.
              </TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
      {(!loadedRows || pages.loading) && <Progress />}
      <TablePagination
        component="div"
        count={total}
        page={total === 0 ? 0 : page}
        rowsPerPage={pageSize}
        rowsPerPageOptions={[20, 50, 100]}
        // A native select: MUI v4's menu for it could stay in the page, invisible, after it
        // closed and take every click (seen in the e2e run; mui/material-ui#32286).
        SelectProps={{
          native: true,
          inputProps: { 'aria-label': 'Rows per page' },
        }}
        onPageChange={(_e, p) => props.onPage(p, pageSize)}
        onRowsPerPageChange={e => props.onPage(0, Number(e.target.value))}
      />
    </>
  );
}
