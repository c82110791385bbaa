import { Typography } from '@material-ui/core';

/**
 * Says that an operation is for people only (issue 16): the MCP actions an assistant can call stop
 * at reading, requesting, proposing and dry-running, so a person reading the page knows that an
 * assistant's "done" never means it deployed, signed, granted or broke glass.
 */
export function HumanOnly(props: { what: string; verb?: 'is' | 'are' }) {
  return (
    <Typography variant="caption" color="textSecondary" display="block">
      {props.what} {props.verb ?? 'is'} human-only: assistants connected to the
      portal through MCP can read this release, request it, propose a waiver and
      run a rollback dry-run, never this.
    </Typography>
  );
}
