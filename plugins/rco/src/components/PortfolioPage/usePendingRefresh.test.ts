import { act, renderHook } from '@testing-library/react';
import {
  PENDING_REFRESH_LIMIT_MS,
  PENDING_REFRESH_MS,
  usePendingRefresh,
} from './usePendingRefresh';

type Props = { pending: number | undefined; answer: unknown; queryKey: string };

function setup(initial: Props) {
  const refresh = jest.fn();
  const hook = renderHook((p: Props) => usePendingRefresh({ ...p, refresh }), {
    initialProps: initial,
  });
  return { refresh, ...hook };
}

const advance = (ms: number) =>
  act(() => {
    jest.advanceTimersByTime(ms);
  });

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('usePendingRefresh', () => {
  it('asks again every 2 s while services are pending, and stops when none are', () => {
    const { refresh, rerender, result } = setup({
      pending: 3,
      answer: 1,
      queryKey: 'q',
    });
    expect(result.current.state).toBe('refreshing');
    advance(PENDING_REFRESH_MS - 1);
    expect(refresh).not.toHaveBeenCalled();
    advance(1);
    expect(refresh).toHaveBeenCalledTimes(1);
    // An answer still pending: 2 s from that answer.
    rerender({ pending: 2, answer: 2, queryKey: 'q' });
    advance(PENDING_REFRESH_MS);
    expect(refresh).toHaveBeenCalledTimes(2);
    // The answer that has them all: no more asking.
    rerender({ pending: 0, answer: 3, queryKey: 'q' });
    expect(result.current.state).toBe('idle');
    advance(PENDING_REFRESH_MS * 10);
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  it('never asks when nothing is pending, nor before the first answer', () => {
    const { refresh, rerender, result } = setup({
      pending: undefined,
      answer: undefined,
      queryKey: 'q',
    });
    advance(PENDING_REFRESH_MS * 3);
    rerender({ pending: 0, answer: 1, queryKey: 'q' });
    advance(PENDING_REFRESH_MS * 3);
    expect(refresh).not.toHaveBeenCalled();
    expect(result.current.state).toBe('idle');
  });

  it('keeps asking when a refresh gets no answer (a failed request)', () => {
    const { refresh } = setup({ pending: 3, answer: 1, queryKey: 'q' });
    for (let n = 0; n < 3; n++) advance(PENDING_REFRESH_MS);
    expect(refresh).toHaveBeenCalledTimes(3);
  });

  it('stops when the page is left', () => {
    const { refresh, unmount } = setup({
      pending: 3,
      answer: 1,
      queryKey: 'q',
    });
    advance(PENDING_REFRESH_MS);
    unmount();
    advance(PENDING_REFRESH_MS * 5);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('stops after about 2 minutes for one query, says so, and can be asked to check again', () => {
    const { refresh, rerender, result } = setup({
      pending: 3,
      answer: 0,
      queryKey: 'q',
    });
    for (let n = 1; n <= 70; n++) {
      advance(PENDING_REFRESH_MS);
      rerender({ pending: 3, answer: n, queryKey: 'q' });
    }
    const calls = refresh.mock.calls.length;
    expect(calls).toBe(PENDING_REFRESH_LIMIT_MS / PENDING_REFRESH_MS);
    expect(result.current.state).toBe('stopped');
    advance(PENDING_REFRESH_MS * 10);
    expect(refresh).toHaveBeenCalledTimes(calls);

    act(() => result.current.checkAgain());
    expect(refresh).toHaveBeenCalledTimes(calls + 1);
    expect(result.current.state).toBe('refreshing');
    advance(PENDING_REFRESH_MS);
    expect(refresh).toHaveBeenCalledTimes(calls + 2);
  });

  it('gives a new query its own time limit', () => {
    const { refresh, rerender, result } = setup({
      pending: 3,
      answer: 0,
      queryKey: 'a',
    });
    advance(PENDING_REFRESH_LIMIT_MS + PENDING_REFRESH_MS);
    expect(result.current.state).toBe('stopped');
    const calls = refresh.mock.calls.length;
    rerender({ pending: 3, answer: 1, queryKey: 'b' });
    expect(result.current.state).toBe('refreshing');
    advance(PENDING_REFRESH_MS);
    expect(refresh).toHaveBeenCalledTimes(calls + 1);
  });
});
