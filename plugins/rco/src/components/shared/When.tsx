import { DateTime } from 'luxon';
import { usePortalNow } from './clock';

/** "3 hours ago" / "in 6 days", against the portal's clock. */
export function relativeTo(iso: string, nowMs: number): string {
  const t = DateTime.fromISO(iso);
  if (!t.isValid) return iso;
  return t.toRelative({ base: DateTime.fromMillis(nowMs) }) ?? iso;
}

/** The local date and time a person reads: "29 Nov 2026, 22:15". */
export function localTime(iso: string): string {
  const t = DateTime.fromISO(iso);
  return t.isValid ? t.toLocal().toLocaleString(DateTime.DATETIME_MED) : iso;
}

/**
 * A time as people read it: relative ("3 hours ago"), with the local date and time on hover and
 * the exact instant for machines (`<time dateTime>`). `local` leads with the local date and time
 * ("until 6 Dec 2026, 22:15 (in 6 days)"), for sentences where a relative time alone reads wrong.
 * The text ticks as the clock moves: it is never live (aria-live="off"), so a status banner that
 * holds it is announced when it appears, not again on every re-read.
 */
export function When(props: {
  iso?: string;
  prefix?: string;
  local?: boolean;
}) {
  const now = usePortalNow();
  if (!props.iso) return <>—</>;
  const relative = relativeTo(props.iso, now());
  return (
    <time dateTime={props.iso} title={localTime(props.iso)} aria-live="off">
      {props.prefix ? `${props.prefix} ` : ''}
      {props.local ? `${localTime(props.iso)} (${relative})` : relative}
    </time>
  );
}
