import { parseEntityRef } from '@backstage/catalog-model';
import { GateStatus, PortfolioItem } from '@helix-portal/plugin-rco-common';
import { makeStyles, Theme } from '@material-ui/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useDeferredValue, useEffect, useMemo, useRef } from 'react';
import { Link } from 'react-router-dom';
import { PortfolioColumn } from './columns';
import { dateTime, GLYPH, useStatusStyles } from './statusStyles';
import { PortfolioPages } from './usePortfolioPages';
import { OpenReviews } from './OpenReviews';

const ROW = 28;

/**
 * Rows are keyed by their slot in the window, not by service: a row scrolled out is reused for
 * the one scrolled in (its cells updated in place) instead of being destroyed and built anew,
 * which keeps the garbage, and the collector's pauses, small. More slots than rows in a window.
 */
const SLOTS = 256;

const ORDER: GateStatus[] = ['fail', 'missing', 'stale', 'waived', 'pass'];

const useStyles = makeStyles((theme: Theme) => ({
  scroller: {
    height: 'calc(100vh - 260px)',
    minHeight: 320,
    overflow: 'auto',
    // The box's size never depends on its rows: a scroll step lays out and paints the rows
    // inside, never the page around them.
    contain: 'strict',
    marginTop: theme.spacing(0.5),
    border: `1px solid ${theme.palette.divider}`,
  },
  grid: {
    borderCollapse: 'separate',
    borderSpacing: 0,
    tableLayout: 'fixed',
    fontSize: 12,
    '& th, & td': {
      height: ROW,
      padding: '0 6px',
      whiteSpace: 'nowrap',
      overflow: 'hidden',
      textOverflow: 'ellipsis',
      boxSizing: 'border-box',
      borderBottom: `1px solid ${theme.palette.background.paper}`,
      borderRight: `1px solid ${theme.palette.background.paper}`,
    },
    // The gate titles and the service names stay in view while the cells scroll under them.
    '& thead th': {
      position: 'sticky',
      top: 0,
      zIndex: 2,
      height: 'auto',
      verticalAlign: 'bottom',
      textAlign: 'left',
      padding: 6,
      whiteSpace: 'normal',
      background: theme.palette.background.paper,
      borderBottom: `1px solid ${theme.palette.divider}`,
    },
    '& tbody th': {
      position: 'sticky',
      left: 0,
      zIndex: 1,
      textAlign: 'left',
      fontWeight: 'normal',
      background: theme.palette.background.paper,
    },
    '& thead th:first-child': { left: 0, zIndex: 3 },
  },
  service: { width: 240 },
  gate: { width: 104 },
  counts: {
    fontWeight: 'normal',
    color: theme.palette.text.secondary,
    marginTop: 2,
  },
  srOnly: {
    position: 'absolute',
    width: 1,
    height: 1,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
  none: { color: theme.palette.text.secondary },
  pending: { color: theme.palette.text.secondary, fontStyle: 'italic' },
}));

type Classes = ReturnType<typeof useStyles> &
  ReturnType<typeof useStatusStyles>;

const entityLink = (entityRef: string) => {
  const ref = parseEntityRef(entityRef);
  return `/catalog/${ref.namespace}/${ref.kind}/${ref.name}/release`;
};

/** One service: its title (a link to its Release tab) and one labelled cell per gate. */
const HeatRow = memo(function HeatMapRow(props: {
  item: PortfolioItem;
  index: number;
  columns: PortfolioColumn[];
  classes: Classes;
}) {
  const { item, columns, classes } = props;
  const soon = new Set(item.expiresSoon ?? []);
  return (
    <tr aria-rowindex={props.index + 2}>
      <th scope="row" title={item.entityRef}>
        <Link className={classes.link} to={entityLink(item.entityRef)}>
          {item.title}
        </Link>
        <OpenReviews count={item.openReviews} inline />
      </th>
      {columns.map(c => {
        const gate = item.gates.find(g => g.id === c.id);
        if (!gate) {
          return (
            <td
              key={c.id}
              className={classes.none}
              aria-label={`${c.title}: not applicable`}
              title={`${c.title}: not applicable`}
            >
              —
            </td>
          );
        }
        const expiring = soon.has(c.id);
        const label = `${c.title}: ${gate.status}${
          expiring
            ? `, expires soon${
                gate.validUntil ? ` (until ${dateTime(gate.validUntil)})` : ''
              }`
            : ''
        }`;
        return (
          <td
            key={c.id}
            className={classes[gate.status]}
            aria-label={label}
            title={label}
          >
            <span aria-hidden className={classes.glyph}>
              {GLYPH[gate.status]}
            </span>
            {gate.status}
            {expiring && <span aria-hidden> ⌛</span>}
          </td>
        );
      })}
    </tr>
  );
});

/**
 * The per-status counts of a gate over every filtered service, non-zero ones only: glyphs and
 * numbers on screen (one or two lines under the title), the words for screen readers and on
 * hover.
 */
function Counts(props: { column: PortfolioColumn; classes: Classes }) {
  const { counts } = props.column;
  const { classes } = props;
  if (!counts) return null;
  const shown = ORDER.filter(s => counts[s] > 0);
  const words = shown.map(s => `${counts[s]} ${s}`).join(', ') || 'none';
  return (
    <div className={classes.counts} title={words}>
      <span aria-hidden>
        {shown.map(s => `${GLYPH[s]}${counts[s]}`).join(' ')}
      </span>
      <span className={classes.srOnly}>{words}</span>
    </div>
  );
}

/**
 * The heat map: services down, gates across, one coloured and labelled cell per gate status.
 * Only the rows in view (and a few beyond) are in the document, and their pages are asked of
 * the backend as they scroll into view, so 10,000 services scroll as smoothly as 10.
 */
export function PortfolioHeatMap(props: {
  pages: PortfolioPages;
  total: number;
  columns: PortfolioColumn[];
  /** Changes with the filters and order: the map goes back to the top. */
  queryKey: string;
}) {
  const { pages, total } = props;
  const own = useStyles();
  const status = useStatusStyles();
  const classes = useMemo(() => ({ ...own, ...status }), [own, status]);
  // The rows see the gates' ids and titles only, the same array while they stay the same: a
  // page arriving with new counts re-renders the header, not every row in view.
  const gatesKey = JSON.stringify(props.columns.map(c => [c.id, c.title]));
  const rowColumns = useMemo(
    () => props.columns.map(({ id, title }) => ({ id, title })),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [gatesKey],
  );
  const columns = props.columns;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW,
    overscan: 10,
  });
  // The rows follow the scroll position at a lower priority: React renders them in slices that
  // give the main thread back between them, so a fast flick never blocks it for long (the
  // overscan rows cover the gap until the slice is in).
  const items = useDeferredValue(virtualizer.getVirtualItems());
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  const { ensure } = pages;
  useEffect(() => {
    if (total > 0) ensure(first, Math.min(total, last + 1));
  }, [ensure, first, last, total]);

  useEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [props.queryKey]);

  const top = items[0]?.start ?? 0;
  const bottom =
    virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  const span = columns.length + 1;

  return (
    <div
      ref={scrollRef}
      className={classes.scroller}
      role="region"
      aria-label="Heat map of services by gate"
      // A scroll box keyboard users must reach to scroll it (WCAG 2.1.1).
      // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
      tabIndex={0}
    >
      <table
        className={classes.grid}
        aria-rowcount={total + 1}
        aria-colcount={span}
      >
        <thead>
          <tr aria-rowindex={1}>
            <th scope="col" className={classes.service}>
              Service
            </th>
            {columns.map(c => (
              <th key={c.id} scope="col" className={classes.gate}>
                {c.title}
                <Counts column={c} classes={classes} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {top > 0 && (
            <tr key="top" aria-hidden style={{ height: top }}>
              <td colSpan={span} />
            </tr>
          )}
          {items.map(v => {
            const item = pages.rowAt(v.index);
            return item ? (
              <HeatRow
                key={v.index % SLOTS}
                item={item}
                index={v.index}
                columns={rowColumns}
                classes={classes}
              />
            ) : (
              <tr key={v.index % SLOTS} aria-rowindex={v.index + 2}>
                <th scope="row" className={classes.pending}>
                  Loading…
                </th>
                <td colSpan={columns.length} />
              </tr>
            );
          })}
          {bottom > 0 && (
            <tr key="bottom" aria-hidden style={{ height: bottom }}>
              <td colSpan={span} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
