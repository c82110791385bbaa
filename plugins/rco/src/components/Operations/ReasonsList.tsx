import { Typography } from '@material-ui/core';
import { RichText } from '../shared';

/**
 * An operation's reasons (preflight, the driver, the analysis), one line each, with the people
 * in them by name and their instants as relative local times.
 */
export function ReasonsList(props: { reasons: string[]; label: string }) {
  if (!props.reasons.length) return null;
  return (
    <ul aria-label={props.label}>
      {props.reasons.map(r => (
        <li key={r}>
          <Typography variant="body2">
            <RichText text={r} />
          </Typography>
        </li>
      ))}
    </ul>
  );
}
