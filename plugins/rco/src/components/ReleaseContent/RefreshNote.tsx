import { Box, Button, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useEffect, useState } from 'react';
import { agoText } from '../live';

/**
 * A failed background re-read, said without hiding the page: the values read before stay on
 * screen (and any dialog open over them), with how old they are and a Retry.
 */
export function RefreshNote(props: {
  error: Error;
  readAt?: Date;
  onRetry: () => void;
}) {
  // Ticks, so "showing what was read 2 min ago" stays true while the backend stays away.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const ago = props.readAt ? agoText(now - props.readAt.getTime()) : undefined;
  return (
    <Alert
      severity="warning"
      variant="outlined"
      action={
        <Button color="inherit" size="small" onClick={props.onRetry}>
          Retry
        </Button>
      }
    >
      Could not refresh: {props.error.message}
      {ago ? `; showing what was read ${ago}` : ''}.
    </Alert>
  );
}

/** The URL names a release no evidence names: say so, with a way back to the newest. */
export function ReleaseNotFound(props: {
  version?: string;
  digest?: string;
  onNewest: () => void;
}) {
  const name = props.version ? `v${props.version}` : props.digest;
  return (
    <Box>
      <Alert severity="warning">
        <Typography variant="body2">
          No evidence names release {name}
        </Typography>
      </Alert>
      <Box mt={2}>
        <Button variant="outlined" onClick={props.onNewest}>
          Show the newest release
        </Button>
      </Box>
    </Box>
  );
}
