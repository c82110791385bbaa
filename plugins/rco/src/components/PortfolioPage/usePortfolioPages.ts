import {
  startTransition,
  useCallback,
  useEffect,
  useRef,
  useState,
} from 'react';
import {
  PortfolioItem,
  PortfolioResponse,
} from '@helix-portal/plugin-rco-common';
import { RcoApi, RcoPortfolioQuery } from '../../api/RcoApi';

/** What every answer carries about all the filtered services, not only its page. */
export type PortfolioMeta = Omit<PortfolioResponse, 'items'>;

interface Loaded {
  key: string;
  /** The page size these pages were asked with. */
  size: number;
  pages: Map<number, PortfolioItem[]>;
  meta?: PortfolioMeta;
  error?: Error;
}

export interface PortfolioPages {
  /**
   * The totals, columns and count of the latest answer. While a new query loads, those of the
   * previous one (with its rows), so the view changes once, when the answer is in, instead of
   * emptying and filling again; undefined before the first answer.
   */
  meta?: PortfolioMeta;
  /** True until the current query's first page is in. */
  loading: boolean;
  /** The current query's failure. */
  error?: Error;
  /** The service at a position of the filtered, sorted list, or undefined until its page loads. */
  rowAt(index: number): PortfolioItem | undefined;
  /** A whole page, or undefined until it loads. */
  pageAt(page: number): PortfolioItem[] | undefined;
  /** Asks for the pages holding positions [from, to) that are neither loaded nor on their way. */
  ensure(from: number, to: number): void;
  retry(): void;
  /**
   * Asks again for the pages last ensured (the view in sight), keeping what is shown until the
   * answers are in; any other page is asked again when it next comes into view.
   */
  refresh(): void;
}

/**
 * The portfolio as the backend pages it: pages of `pageSize` services for one query, loaded on
 * demand (the table asks for the page it shows, the heat map for the rows scrolled into view)
 * and kept until the query changes. Answers for an earlier query are dropped, so a slow answer
 * never paints over a newer filter.
 */
export function usePortfolioPages(
  api: RcoApi,
  query: RcoPortfolioQuery,
  pageSize: number,
): PortfolioPages {
  const [attempt, setAttempt] = useState(0);
  const key = JSON.stringify([query, pageSize, attempt]);
  const [loaded, setLoaded] = useState<Loaded>({
    key,
    size: pageSize,
    pages: new Map(),
  });
  const current = useRef(key);
  current.current = key;
  // The pages asked for under the current query; a query left and come back to asks again
  // (its pages were dropped when it was left).
  const requested = useRef({ key, pages: new Set<number>() });
  // The positions the view last asked for (the first page until it asks).
  const inView = useRef({ key, from: 0, to: 1 });
  const isCurrent = loaded.key === key;

  const load = useCallback(
    (page: number) => {
      if (requested.current.key !== key) {
        requested.current = { key, pages: new Set() };
      }
      if (requested.current.pages.has(page)) return;
      requested.current.pages.add(page);
      api
        .getPortfolio({ ...query, offset: page * pageSize, limit: pageSize })
        .then(
          ({ items, ...meta }) =>
            // An answer re-renders the view at transition priority (in slices, see the page).
            startTransition(() =>
              setLoaded(prev => {
                if (current.current !== key) return prev;
                const base: Loaded =
                  prev.key === key
                    ? prev
                    : { key, size: pageSize, pages: new Map() };
                const pages = new Map(base.pages).set(page, items);
                return { ...base, pages, meta };
              }),
            ),
          (error: Error) =>
            setLoaded(prev => {
              if (current.current !== key) return prev;
              // A page asked again (a refresh) that fails keeps what it showed: the next
              // refresh asks again, and the view is not swapped for an error panel.
              if (prev.key === key && prev.pages.has(page)) {
                if (requested.current.key === key)
                  requested.current.pages.delete(page);
                return prev;
              }
              return {
                ...(prev.key === key
                  ? prev
                  : { size: pageSize, pages: new Map() }),
                key,
                error,
              };
            }),
        );
    },
    // `key` stands for `query` and `pageSize`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key],
  );

  // The first page comes with the totals and the column counts: always asked for.
  useEffect(() => load(0), [load]);

  const ensure = useCallback(
    (from: number, to: number) => {
      inView.current = { key, from, to };
      const last = Math.max(from, to - 1);
      for (
        let page = Math.floor(Math.max(0, from) / pageSize);
        page <= Math.floor(last / pageSize);
        page++
      ) {
        load(page);
      }
    },
    [key, load, pageSize],
  );

  const { pages, size } = loaded;
  const rowAt = useCallback(
    (index: number) => pages.get(Math.floor(index / size))?.[index % size],
    [pages, size],
  );

  // A page of the size asked for now: the previous query's pages may have another size.
  const pageAt = useCallback(
    (page: number) => (size === pageSize ? pages.get(page) : undefined),
    [pages, size, pageSize],
  );

  const retry = useCallback(() => {
    setAttempt(a => a + 1);
  }, []);

  const refresh = useCallback(() => {
    // Forgetting what was asked lets every page be asked again; the loaded ones stay shown.
    requested.current = { key, pages: new Set() };
    const { from, to } =
      inView.current.key === key ? inView.current : { from: 0, to: 1 };
    ensure(from, to);
  }, [key, ensure]);

  return {
    meta: loaded.meta,
    loading: !isCurrent || !loaded.meta,
    error: isCurrent ? loaded.error : undefined,
    rowAt,
    pageAt,
    ensure,
    retry,
    refresh,
  };
}
