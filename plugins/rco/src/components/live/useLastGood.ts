import { useRef } from 'react';

/**
 * The last value a read returned, and when it arrived. react-use's async hooks drop the value
 * when a read fails; a page that re-reads in the background keeps showing the last good one
 * (and its dialogs stay open) instead of replacing itself with an error. A change of `key`
 * (another entity, say) forgets the value kept for the old one.
 */
export function useLastGood<T>(
  value: T | undefined,
  key = '',
): { value?: T; at?: Date } {
  const kept = useRef<{ value?: T; at?: Date; key: string }>({ key });
  if (kept.current.key !== key) kept.current = { key };
  if (value !== undefined && value !== kept.current.value) {
    kept.current = { value, at: new Date(), key };
  }
  return kept.current;
}

/** An async state whose value is the last good one while a re-read fails or runs. */
export function useKept<S extends { value?: unknown }>(
  state: S,
  key = '',
): S & { at?: Date } {
  const last = useLastGood(state.value as S['value'], key);
  return { ...state, value: state.value ?? last.value, at: last.at };
}
