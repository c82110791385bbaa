import { Fragment } from 'react';
import { Person } from './Person';
import { When } from './When';

// A person or group ref, or an ISO 8601 instant, inside a sentence the backend wrote.
const TOKEN =
  /((?:user|group):[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]*[A-Za-z0-9_-])|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))/g;

/**
 * A reason or message from the backend with the people in it shown by name (ref on hover) and
 * its instants as relative local times, so "Waived by user:default/samir.haddad until
 * 2026-11-30T22:00:00Z" reads "Waived by Samir Haddad until in 23 hours".
 */
export function RichText(props: { text: string }) {
  const parts: JSX.Element[] = [];
  let last = 0;
  for (const m of props.text.matchAll(TOKEN)) {
    const at = m.index ?? 0;
    if (at > last)
      parts.push(<Fragment key={last}>{props.text.slice(last, at)}</Fragment>);
    parts.push(
      m[1] ? <Person key={at} actor={m[1]} /> : <When key={at} iso={m[2]} />,
    );
    last = at + m[0].length;
  }
  if (last < props.text.length)
    parts.push(<Fragment key={last}>{props.text.slice(last)}</Fragment>);
  return <>{parts}</>;
}
