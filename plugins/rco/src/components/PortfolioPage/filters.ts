import { GATE_IDS, GATES, GateStatus } from '@helix-portal/plugin-rco-common';
import { RcoPortfolioQuery } from '../../api/RcoApi';

/** The portfolio's filters, as they stand in the page's query string (a view can be shared). */
export interface PortfolioFilters {
  owner: string;
  gate: string;
  status: string;
  q: string;
  /** 'true' when only services with evidence ageing out soon show. */
  expiring: string;
}

export type PortfolioView = 'heatmap' | 'table';
export type PortfolioSort = NonNullable<RcoPortfolioQuery['sort']>;
export type PortfolioOrder = NonNullable<RcoPortfolioQuery['order']>;

/** Everything the query string holds: the filters, the view and the order. */
export interface PortfolioState extends PortfolioFilters {
  view: PortfolioView;
  sort: PortfolioSort;
  order: PortfolioOrder;
}

export const FILTER_KEYS = [
  'owner',
  'gate',
  'status',
  'q',
  'expiring',
] as const;

const SORTS: PortfolioSort[] = ['risk', 'title', 'ref', 'expires'];
const STATUSES: string[] = ['pass', 'fail', 'missing', 'stale', 'waived'];

/** The defaults, left out of the query string so a plain link opens the usual view. */
export const DEFAULTS = {
  view: 'heatmap',
  sort: 'risk',
  order: 'asc',
} as const;

/**
 * The state in a query string; anything absent or unknown is the default (a hand-edited link
 * never sends the backend a sort or status it refuses).
 */
export function stateFrom(params: URLSearchParams): PortfolioState {
  const sort = params.get('sort') as PortfolioSort;
  const status = params.get('status') ?? '';
  const gate = params.get('gate') ?? '';
  return {
    owner: params.get('owner') ?? '',
    // An unknown gate would be sent while the select shows "Any gate" (it has no such option).
    gate: (GATE_IDS as readonly string[]).includes(gate) ? gate : '',
    status: STATUSES.includes(status) ? status : '',
    q: params.get('q') ?? '',
    expiring: params.get('expiring') === 'true' ? 'true' : '',
    view: params.get('view') === 'table' ? 'table' : 'heatmap',
    sort: SORTS.includes(sort) ? sort : DEFAULTS.sort,
    order: params.get('order') === 'desc' ? 'desc' : 'asc',
  };
}

/** The query string of a state, without the empty filters and the defaults (short links). */
export function queryOf(state: PortfolioState): Record<string, string> {
  const entries: Array<[string, string]> = FILTER_KEYS.filter(
    k => state[k].trim() !== '',
  ).map(k => [k, state[k]]);
  for (const k of ['view', 'sort', 'order'] as const) {
    if (state[k] !== DEFAULTS[k]) entries.push([k, state[k]]);
  }
  return Object.fromEntries(entries);
}

/** Whether any filter narrows the services (an empty answer then means "no match"). */
export const hasFilters = (state: PortfolioFilters) =>
  FILTER_KEYS.some(k => state[k].trim() !== '');

/** What the backend is asked: the filters and the order, without the page. */
export function serverQuery(state: PortfolioState): RcoPortfolioQuery {
  return {
    owner: state.owner.trim() || undefined,
    gate: state.gate || undefined,
    status: (state.status || undefined) as GateStatus | undefined,
    q: state.q.trim() || undefined,
    expiring: state.expiring === 'true' || undefined,
    sort: state.sort,
    order: state.order,
  };
}

const GATE_TITLE = new Map<string, string>(GATES.map(g => [g.id, g.title]));

/** A gate's title ("Image & Dependency Scanning"), or its id when the catalogue has none. */
export const gateTitle = (id: string) => GATE_TITLE.get(id) ?? id;
