import { useCallback, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useKept } from '../live';

/**
 * One read of the road's data (road, windows, reviews, timeline), re-read when `refreshToken`
 * changes (the tab re-read after a nudge or a poll) or on `reload`. A failed re-read keeps the
 * last good value; `key` names what is read (entity and release), so another release never
 * shows the value kept for the previous one. No `read` (a client without the route): no value.
 */
export function useRcoRead<T>(
  read: (() => Promise<T>) | undefined,
  key: string,
  refreshToken?: unknown,
) {
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick(t => t + 1), []);
  const state = useAsync(
    async () => (read ? read() : undefined),
    // `key` stands for what `read` reads.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key, tick, refreshToken],
  );
  const kept = useKept(state, key);
  return { ...kept, reload, supported: !!read };
}

export type RcoRead<T> = ReturnType<typeof useRcoRead<T>>;
