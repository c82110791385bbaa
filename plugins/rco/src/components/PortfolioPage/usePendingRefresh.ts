import { useCallback, useEffect, useRef, useState } from 'react';

/** How often the view is asked again while services are being judged. */
export const PENDING_REFRESH_MS = 2_000;
/**
 * How long the page keeps asking for one query. The backend judges a new portal's services in
 * the background within seconds to a minute; past this, something else holds them up, and the
 * page stops asking (it says so, and offers to check again) instead of polling for ever.
 */
export const PENDING_REFRESH_LIMIT_MS = 120_000;

export type PendingRefreshState =
  /** Nothing pending: the portfolio is complete. */
  | 'idle'
  /** Services are pending and the view is asked again every couple of seconds. */
  | 'refreshing'
  /** Services are still pending after the limit: the page no longer asks by itself. */
  | 'stopped';

/**
 * While the latest answer says services are still being judged (`pending > 0`), asks the view
 * in sight again every {@link PENDING_REFRESH_MS} (`refresh` keeps what is shown, so scroll and
 * page stay), until nothing is pending, the page is left, or {@link PENDING_REFRESH_LIMIT_MS}
 * has passed for this query. `answer` is the latest answer's identity: each one restarts the
 * wait, so a slow backend is not asked twice at once; a refresh that gets no answer (a failure)
 * is followed by another.
 */
export function usePendingRefresh(opts: {
  pending: number | undefined;
  answer: unknown;
  /** Changes with the filters and order: a new query gets its own time limit. */
  queryKey: string;
  refresh: () => void;
}): { state: PendingRefreshState; checkAgain: () => void } {
  const { pending, answer, queryKey, refresh } = opts;
  const since = useRef<{ key: string; at: number }>();
  const [tick, setTick] = useState(0);
  const [stopped, setStopped] = useState<string>();
  const active = !!pending && stopped !== queryKey;

  useEffect(() => {
    if (!active) {
      if (!pending) since.current = undefined;
      return undefined;
    }
    if (since.current?.key !== queryKey) {
      since.current = { key: queryKey, at: Date.now() };
    }
    const left = since.current.at + PENDING_REFRESH_LIMIT_MS - Date.now();
    if (left <= 0) {
      setStopped(queryKey);
      return undefined;
    }
    const timer = setTimeout(() => {
      refresh();
      setTick(t => t + 1);
    }, Math.min(PENDING_REFRESH_MS, left));
    return () => clearTimeout(timer);
  }, [active, pending, answer, queryKey, refresh, tick]);

  const checkAgain = useCallback(() => {
    since.current = undefined;
    setStopped(undefined);
    refresh();
  }, [refresh]);

  let state: PendingRefreshState = 'idle';
  if (pending) state = active ? 'refreshing' : 'stopped';
  return { state, checkAgain };
}
