import { useApiHolder } from '@backstage/core-plugin-api';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { useEffect, useRef, useState } from 'react';

/** How often the page re-reads when no signal arrives (signals off, or a dropped connection). */
export const RELEASE_POLL_MS = 15_000;

/** What the backend publishes on an entity's release channel: what changed, nothing more. */
export type ReleaseNudge = { what?: string };

/**
 * Keeps a page in step with the entity's release. Backstage signals nudge it on every change
 * (evidence, sign-offs, waivers, overrides, requests, the runbook): `onChange` re-reads through
 * the API, which applies catalog visibility, since a nudge carries no data. Polling every
 * `pollMs` and on returning to the tab (focus, visibility) is the fallback. The channel comes
 * from the capabilities, never from the entity ref; until it is known the page only polls.
 *
 * A nudge arriving while `busy` (a read in flight, whose retry would be ignored) is kept and
 * delivered once the read ends, so no change is missed. `lastUpdated` is when `value` (the
 * data read) last arrived. `pollMs` of 0 turns polling (and the focus re-read) off.
 */
export function useReleaseUpdates(options: {
  channel?: string;
  onChange: (what: string) => void;
  pollMs?: number;
  /** A read is in flight: nudges wait for it to end. */
  busy?: boolean;
  /** The latest data read; each new value stamps `lastUpdated`. */
  value?: unknown;
  /** Only these nudges matter to this page (all of them by default). */
  only?: string[];
}): {
  lastUpdated?: Date;
  /** A re-read this hook started is under way: keep the page on screen (no spinner). */
  rereading: boolean;
} {
  const { channel, pollMs = RELEASE_POLL_MS, busy = false } = options;
  const signals = useApiHolder().get(signalApiRef);
  const onChange = useRef(options.onChange);
  onChange.current = options.onChange;
  const only = useRef(options.only);
  only.current = options.only;
  const busyRef = useRef(busy);
  busyRef.current = busy;
  const pending = useRef<string>();
  const [rereading, setRereading] = useState(false);
  const reread = useRef((what: string) => {
    setRereading(true);
    onChange.current(what);
  });

  const nudge = useRef((what: string) => {
    if (only.current && !only.current.includes(what)) return;
    if (busyRef.current) {
      pending.current = what;
      return;
    }
    reread.current(what);
  });

  // The nudge held back during a read goes out as soon as it ends; a re-read that ended
  // lets the page show its loading states again.
  useEffect(() => {
    if (busy) return;
    if (pending.current) {
      const what = pending.current;
      pending.current = undefined;
      reread.current(what);
    } else {
      setRereading(false);
    }
  }, [busy]);

  useEffect(() => {
    if (!signals || !channel) return undefined;
    const { unsubscribe } = signals.subscribe(channel, message =>
      nudge.current(String((message as ReleaseNudge)?.what ?? 'change')),
    );
    return unsubscribe;
  }, [signals, channel]);

  useEffect(() => {
    if (pollMs <= 0) return undefined;
    const poll = () => {
      // A hidden tab does not poll; it reads again when it is shown.
      if (typeof document !== 'undefined' && document.hidden) return;
      if (!busyRef.current) reread.current('poll');
    };
    const timer = setInterval(poll, pollMs);
    const onVisible = () => {
      if (!document.hidden) poll();
    };
    window.addEventListener('focus', poll);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', poll);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [pollMs]);

  const [lastUpdated, setLastUpdated] = useState<Date>();
  useEffect(() => {
    if (options.value !== undefined) setLastUpdated(new Date());
  }, [options.value]);
  return { lastUpdated, rereading };
}
