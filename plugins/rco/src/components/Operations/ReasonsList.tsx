import { Typography } from '@material-ui/core';

/** An operation's reasons (preflight, the driver, the analysis), one line each. */
export function ReasonsList(props: { reasons: string[]; label: string }) {
  if (!props.reasons.length) return null;
  return (
    <ul aria-label={props.label}>
      {props.reasons.map(r => (
        <li key={r}>
          <Typography variant="body2">{r}</Typography>
        </li>
      ))}
    </ul>
  );
}
