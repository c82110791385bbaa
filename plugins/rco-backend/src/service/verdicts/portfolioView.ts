import {
  compareByRisk,
  GATES,
  GateStatus,
  PortfolioColumn,
  PortfolioItem,
  totalsOf,
} from '@helix-portal/plugin-rco-common';
import { stringify } from 'csv-stringify/sync';
import { StoredVerdict } from '../../database/VerdictStore';

export type PortfolioSort = 'ref' | 'risk' | 'title' | 'expires';

/** What the portfolio knows of a service from the catalog, as the caller sees it. */
export interface ServiceFacts {
  entityRef: string;
  title: string;
  owners: string[];
}

export interface PortfolioQuery {
  owner?: string;
  gate?: string;
  status?: GateStatus;
  q?: string;
  expiring?: boolean;
  sort?: PortfolioSort;
  order?: 'asc' | 'desc';
}

const STATUSES: GateStatus[] = ['pass', 'fail', 'missing', 'stale', 'waived'];
const time = (iso?: string) =>
  iso ? new Date(iso).getTime() : Number.POSITIVE_INFINITY;

/**
 * A stored verdict as the portfolio shows it at `now`. The verdict is recomputed when its valid
 * until passes, but a read between that moment and the scheduled run must not show a gate
 * passing on evidence that has aged out, nor held by a waiver that has ended: such gates read
 * stale (evidence) or missing (waiver) until the recomputation says more.
 */
export function portfolioItem(
  facts: ServiceFacts,
  verdict: Omit<StoredVerdict, 'judged'>,
  now: number,
  horizonMs: number,
): PortfolioItem {
  const lapsed: string[] = [];
  const gates = verdict.gates.map(g => {
    let status = g.status;
    if (status === 'waived' && time(g.waivedUntil) <= now) status = 'missing';
    else if (
      (status === 'pass' || status === 'fail') &&
      Math.min(
        time(g.expiresAt),
        status === 'pass' ? time(g.changesAt) : Infinity,
      ) <= now
    )
      // Aged out, or past the rule's own deadline (the RPO): not passing any more.
      status = 'stale';
    if (status !== g.status) lapsed.push(g.id);
    return {
      id: g.id,
      status,
      ...(g.expiresAt ? { validUntil: g.expiresAt } : {}),
    };
  });
  const summary = lapsed.length
    ? {
        ...verdict.summary,
        ready: false,
        passing: gates.filter(g => g.status === 'pass').length,
        blockedBy: [...new Set([...verdict.summary.blockedBy, ...lapsed])],
      }
    : verdict.summary;
  const expiresSoon = gates
    .filter(
      g =>
        g.status === 'pass' &&
        time(g.validUntil) > now &&
        time(g.validUntil) <= now + horizonMs,
    )
    .map(g => g.id);
  return {
    entityRef: facts.entityRef,
    title: facts.title,
    owners: facts.owners,
    release: verdict.release,
    runbookVersion: verdict.runbookVersion,
    summary,
    gates,
    expiresSoon,
    validUntil: verdict.validUntil?.toISOString(),
    judgedAt: verdict.judgedAt.toISOString(),
  };
}

/** The filters of GET /portfolio, applied to every row before sorting and paging. */
export function matches(item: PortfolioItem, q: PortfolioQuery): boolean {
  const owner = q.owner?.toLowerCase();
  if (owner && !item.owners.some(o => o === owner || o.endsWith(`/${owner}`)))
    return false;
  if (q.gate || q.status) {
    const hit = item.gates.some(
      g => (!q.gate || g.id === q.gate) && (!q.status || g.status === q.status),
    );
    if (!hit) return false;
  }
  if (q.expiring && !item.expiresSoon?.length) return false;
  if (q.q) {
    const text = q.q.toLowerCase();
    if (
      !item.entityRef.toLowerCase().includes(text) &&
      !item.title.toLowerCase().includes(text)
    )
      return false;
  }
  return true;
}

/** Each item's soonest expiry, computed once per item rather than per comparison. */
const soonestOf = new WeakMap<PortfolioItem, number>();
const soonest = (i: PortfolioItem) => {
  let at = soonestOf.get(i);
  if (at === undefined) {
    at = Math.min(...i.gates.map(g => time(g.validUntil)));
    soonestOf.set(i, at);
  }
  return at;
};

const COMPARE: Record<
  PortfolioSort,
  (a: PortfolioItem, b: PortfolioItem) => number
> = {
  ref: (a, b) => a.entityRef.localeCompare(b.entityRef),
  risk: compareByRisk,
  title: (a, b) =>
    a.title.localeCompare(b.title) || a.entityRef.localeCompare(b.entityRef),
  expires: (a, b) =>
    soonest(a) - soonest(b) || a.entityRef.localeCompare(b.entityRef),
};

/** The order of a view: a total order (every comparison ends on the unique entity ref). */
export function compareFor(q: PortfolioQuery) {
  const compare = COMPARE[q.sort ?? 'ref'];
  return q.order === 'desc'
    ? (a: PortfolioItem, b: PortfolioItem) => compare(b, a)
    : compare;
}

/** Filters, sorts and counts every row; the caller pages the result. */
export function viewPortfolio(items: PortfolioItem[], q: PortfolioQuery) {
  const kept = items.filter(i => matches(i, q));
  kept.sort(compareFor(q));
  return { rows: kept, totals: totalsOf(kept), columns: columnsOf(kept) };
}

/** One column per gate, in gate order, with its title and a count per status (one pass). */
export function columnsOf(items: PortfolioItem[]): PortfolioColumn[] {
  const byId = new Map(
    GATES.map(def => [
      def.id as string,
      Object.fromEntries(STATUSES.map(s => [s, 0])) as Record<
        GateStatus,
        number
      >,
    ]),
  );
  for (const item of items)
    for (const gate of item.gates) {
      const counts = byId.get(gate.id);
      if (counts) counts[gate.status]++;
    }
  return GATES.map(def => ({
    id: def.id,
    title: def.title,
    counts: byId.get(def.id)!,
  }));
}

/**
 * When a portfolio item built at `now` may read differently by time alone: a gate's evidence
 * ageing out or entering the expires-soon horizon, a waiver ending.
 */
export function itemChangesAt(
  verdict: Pick<StoredVerdict, 'gates'>,
  now: number,
  horizonMs: number,
): number {
  let at = Number.POSITIVE_INFINITY;
  for (const g of verdict.gates)
    for (const t of [
      time(g.expiresAt),
      time(g.expiresAt) - horizonMs,
      time(g.waivedUntil),
      time(g.changesAt),
    ])
      if (t > now && t < at) at = t;
  return at;
}

/**
 * A spreadsheet application runs a cell that starts with = + - @ (or a tab/CR before one) as a
 * formula: titles and refs come from catalog files anyone may write, so such cells are quoted
 * with a leading apostrophe (OWASP CSV injection).
 */
const cell = (value: string) =>
  /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;

/** The CSV export of the rows, one column per gate titled as on the page. */
export function portfolioCsv(rows: PortfolioItem[]): string {
  const header = [
    'entityRef',
    'title',
    'owners',
    'version',
    'digest',
    'ready',
    'passing',
    'total',
    'blockedBy',
    'expiresSoon',
    'openReviews',
    ...GATES.map(g => g.title),
  ];
  const body = rows.map(r => [
    r.entityRef,
    r.title,
    r.owners.join(' '),
    r.release.version ?? '',
    r.release.digest ?? '',
    r.summary.ready ? 'yes' : 'no',
    String(r.summary.passing),
    String(r.summary.total),
    r.summary.blockedBy.join(' '),
    (r.expiresSoon ?? []).join(' '),
    String(r.openReviews ?? 0),
    ...GATES.map(g => r.gates.find(x => x.id === g.id)?.status ?? ''),
  ]);
  return stringify([header, ...body.map(row => row.map(cell))]);
}
