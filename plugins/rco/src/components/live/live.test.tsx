import { signalApiRef } from '@backstage/plugin-signals-react';
import { TestApiProvider } from '@backstage/test-utils';
import { act, render, renderHook, screen } from '@testing-library/react';
import { ReactNode } from 'react';
import { LastUpdated } from './LastUpdated';
import { RELEASE_POLL_MS, useReleaseUpdates } from './useReleaseUpdates';
import { fakeSignals } from '../../__testUtils__/fakeSignals';

const CHANNEL = 'rco:release:0123abcd';

function setup(
  props: Partial<Parameters<typeof useReleaseUpdates>[0]> = {},
  signals: ReturnType<typeof fakeSignals> | undefined = fakeSignals(),
) {
  const onChange = jest.fn();
  // Without signals: a portal that has no signals plugin (the page polls only).
  const wrapper = ({ children }: { children: ReactNode }) =>
    signals ? (
      <TestApiProvider apis={[[signalApiRef, signals.api]]}>
        {children}
      </TestApiProvider>
    ) : (
      <TestApiProvider apis={[]}>{children}</TestApiProvider>
    );
  const hook = renderHook(
    (p: Partial<Parameters<typeof useReleaseUpdates>[0]>) =>
      useReleaseUpdates({ channel: CHANNEL, onChange, ...p }),
    { wrapper, initialProps: props },
  );
  return { onChange, signals, hook };
}

afterEach(() => jest.useRealTimers());

describe('useReleaseUpdates', () => {
  it('re-reads on each nudge of the release channel, and only that channel', () => {
    const { onChange, signals } = setup();
    expect(signals!.api.subscribe).toHaveBeenCalledWith(
      CHANNEL,
      expect.any(Function),
    );
    signals!.publish(CHANNEL, { what: 'signoff' });
    signals!.publish(CHANNEL, { what: 'evidence' });
    expect(onChange.mock.calls).toEqual([['signoff'], ['evidence']]);
    signals!.publish('rco:release:other', { what: 'evidence' });
    expect(onChange).toHaveBeenCalledTimes(2);
  });

  it('subscribes only once the capabilities named the channel', () => {
    const { signals, hook, onChange } = setup({ channel: undefined });
    expect(signals!.api.subscribe).not.toHaveBeenCalled();
    hook.rerender({ channel: CHANNEL });
    signals!.publish(CHANNEL, { what: 'waiver' });
    expect(onChange).toHaveBeenCalledWith('waiver');
  });

  it('holds a nudge that arrives while a read is in flight, and re-reads once it ends', () => {
    const { signals, hook, onChange } = setup({ busy: true });
    signals!.publish(CHANNEL, { what: 'override' });
    expect(onChange).not.toHaveBeenCalled();
    hook.rerender({ busy: false });
    expect(onChange).toHaveBeenCalledWith('override');
    expect(hook.result.current.rereading).toBe(true);
    hook.rerender({ busy: true });
    hook.rerender({ busy: false });
    expect(hook.result.current.rereading).toBe(false);
  });

  it('keeps polling as the fallback, every 15 s and on returning to the tab, without signals', () => {
    jest.useFakeTimers();
    const { onChange } = setup({}, undefined);
    expect(onChange).not.toHaveBeenCalled();
    act(() => jest.advanceTimersByTime(RELEASE_POLL_MS));
    expect(onChange).toHaveBeenCalledTimes(1);
    act(() => jest.advanceTimersByTime(RELEASE_POLL_MS));
    expect(onChange).toHaveBeenCalledTimes(2);
    act(() => {
      window.dispatchEvent(new Event('focus'));
    });
    expect(onChange).toHaveBeenCalledTimes(3);
    act(() => {
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect(onChange).toHaveBeenCalledTimes(4);
    expect(onChange).toHaveBeenLastCalledWith('poll');
  });

  it('a page that only cares about the runbook ignores other nudges and does not poll', () => {
    jest.useFakeTimers();
    const { signals, onChange } = setup({ only: ['runbook'], pollMs: 0 });
    signals!.publish(CHANNEL, { what: 'evidence' });
    act(() => jest.advanceTimersByTime(10 * RELEASE_POLL_MS));
    expect(onChange).not.toHaveBeenCalled();
    signals!.publish(CHANNEL, { what: 'runbook' });
    expect(onChange).toHaveBeenCalledWith('runbook');
  });

  it('says when the data last arrived', () => {
    const { hook } = setup({ value: undefined });
    expect(hook.result.current.lastUpdated).toBeUndefined();
    hook.rerender({ value: { a: 1 } });
    expect(hook.result.current.lastUpdated).toBeInstanceOf(Date);
  });
});

describe('LastUpdated', () => {
  it('ticks ("Updated 3 s ago") with the local time on hover', () => {
    jest.useFakeTimers();
    const at = new Date(Date.now() - 3000);
    render(<LastUpdated at={at} />);
    expect(screen.getByText('Updated 3 s ago')).toBeInTheDocument();
    act(() => jest.advanceTimersByTime(2000));
    expect(screen.getByText('Updated 5 s ago')).toBeInTheDocument();
    act(() => jest.advanceTimersByTime(120_000));
    const time = screen.getByText('Updated 2 min ago');
    expect(time.tagName).toBe('TIME');
    expect(time).toHaveAttribute('dateTime', at.toISOString());
    expect(time.getAttribute('title')).toMatch(/\d{4}/);
  });
});
