import { GATES, PortfolioItem } from '@helix-portal/plugin-rco-common';

/** The portfolio's filters, as they stand in the page's query string (a view can be shared). */
export interface PortfolioFilters {
  owner: string;
  gate: string;
  status: string;
  q: string;
}

export const FILTER_KEYS = ['owner', 'gate', 'status', 'q'] as const;

/** The filters in a query string; anything absent is "any". */
export function filtersFrom(params: URLSearchParams): PortfolioFilters {
  return {
    owner: params.get('owner') ?? '',
    gate: params.get('gate') ?? '',
    status: params.get('status') ?? '',
    q: params.get('q') ?? '',
  };
}

/** The query string of some filters, without the empty ones (short links). */
export function queryOf(filters: PortfolioFilters): Record<string, string> {
  return Object.fromEntries(
    FILTER_KEYS.filter(k => filters[k].trim() !== '').map(k => [k, filters[k]]),
  );
}

const GATE_TITLE = new Map<string, string>(GATES.map(g => [g.id, g.title]));

/** A gate's title ("Image & Dependency Scanning"), or its id when the catalogue has none. */
export const gateTitle = (id: string) => GATE_TITLE.get(id) ?? id;

/**
 * The services the filters let through. Gate and status go together: with both, a service shows
 * when that gate has that status; with one, when any gate matches it. The search looks at the
 * service's title and ref, its owners, its version and the titles of its gates that do not pass.
 */
export function applyFilters<T extends PortfolioItem>(
  items: readonly T[],
  f: PortfolioFilters,
): T[] {
  const q = f.q.trim().toLowerCase();
  return items.filter(
    i =>
      (!f.owner || i.owners.includes(f.owner)) &&
      (!f.gate && !f.status
        ? true
        : i.gates.some(
            g =>
              (!f.gate || g.id === f.gate) &&
              (!f.status || g.status === f.status),
          )) &&
      (!q ||
        [
          i.title,
          i.entityRef,
          ...i.owners,
          i.release.version ?? '',
          ...i.gates.filter(g => g.status !== 'pass').map(g => gateTitle(g.id)),
        ].some(text => text.toLowerCase().includes(q))),
  );
}
