import { Duration } from 'luxon';
import { Fragment } from 'react';
import { Person } from './Person';
import { When } from './When';

// A person or group ref, an ISO 8601 instant, or an ISO 8601 duration (P30D, PT15M) inside a
// sentence the backend wrote.
const TOKEN =
  /((?:user|group):[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]*[A-Za-z0-9_-])|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))|(\bP(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?(?![\w-]))/g;

// "until 2026-…", "at 2026-…": a preposition that wants a point in time, not "until in 6 days".
const AT_A_TIME = /\b(?:at|until|since|on|before|after)\s+$/i;

/** "30 days", "15 minutes", "1 hour, 30 minutes"; the ISO text when it is not a duration. */
export function durationWords(iso: string): string {
  const d = Duration.fromISO(iso);
  return d.isValid && d.toMillis() > 0 ? d.toHuman() : iso;
}

/**
 * A reason or message from the backend with the people in it shown by name (ref on hover), its
 * instants as relative local times and its durations in words, so "Waived by
 * user:default/samir.haddad until 2026-11-30T22:00:00Z" reads "Waived by Samir Haddad until
 * 30 Nov 2026, 22:00 (in 23 hours)" and "max P30D" reads "max 30 days".
 */
export function RichText(props: { text: string }) {
  const parts: JSX.Element[] = [];
  let last = 0;
  for (const m of props.text.matchAll(TOKEN)) {
    const at = m.index ?? 0;
    if (at > last)
      parts.push(<Fragment key={last}>{props.text.slice(last, at)}</Fragment>);
    if (m[1]) parts.push(<Person key={at} actor={m[1]} />);
    else if (m[2])
      parts.push(
        <When
          key={at}
          iso={m[2]}
          local={AT_A_TIME.test(props.text.slice(last, at))}
        />,
      );
    else
      parts.push(
        <span key={at} title={m[3]}>
          {durationWords(m[3])}
        </span>,
      );
    last = at + m[0].length;
  }
  if (last < props.text.length)
    parts.push(<Fragment key={last}>{props.text.slice(last)}</Fragment>);
  return <>{parts}</>;
}
