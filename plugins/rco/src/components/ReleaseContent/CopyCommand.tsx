import { Box, Button, makeStyles } from '@material-ui/core';
import { useState } from 'react';

const useStyles = makeStyles(theme => ({
  code: {
    margin: 0,
    padding: theme.spacing(1),
    paddingRight: theme.spacing(10),
    background: theme.palette.background.default,
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    fontSize: '0.8rem',
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
  },
  copy: { position: 'absolute', top: 4, right: 4 },
}));

/**
 * A command to paste into CI, whole and wrapped (never clipped in a scroll box), with a Copy
 * button named after what it copies, so a screen reader hears which of several commands it is.
 */
export function CopyCommand(props: { command: string; label: string }) {
  const classes = useStyles();
  const [copied, setCopied] = useState<'yes' | 'failed'>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.command);
      setCopied('yes');
    } catch {
      // No clipboard (an insecure origin, a denied permission): the text is there to select.
      setCopied('failed');
    }
  };
  return (
    <Box position="relative" my={1}>
      <pre className={classes.code}>
        <code>{props.command}</code>
      </pre>
      <Button
        className={classes.copy}
        size="small"
        variant="outlined"
        onClick={copy}
        aria-label={props.label}
      >
        {copied === 'yes' ? 'Copied' : 'Copy'}
      </Button>
      <span role="status" style={{ position: 'absolute', left: -10000 }}>
        {copied === 'yes' && 'Copied to the clipboard'}
        {copied === 'failed' &&
          'Could not copy: select the command and copy it'}
      </span>
    </Box>
  );
}
