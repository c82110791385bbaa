import { Progress } from '@backstage/core-components';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  makeStyles,
} from '@material-ui/core';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { RcoApi } from '../../api/RcoApi';
import { Refusal } from '../shared';

const useStyles = makeStyles(theme => ({
  json: {
    margin: 0,
    padding: theme.spacing(1),
    background: theme.palette.background.default,
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    fontSize: '0.8rem',
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
  },
}));

/**
 * A record a timeline event links to, read through the API (with the user's token, which a
 * plain link to the backend would not carry) and shown as its JSON.
 */
export function RecordDialog(props: {
  api: RcoApi;
  title: string;
  href: string;
  onClose: () => void;
}) {
  const classes = useStyles();
  const record = useAsyncRetry(
    async () => props.api.getRecord!(props.href),
    [props.api, props.href],
  );
  return (
    <Dialog
      open
      onClose={props.onClose}
      aria-labelledby="rco-record-title"
      fullWidth
      maxWidth="md"
    >
      <DialogTitle id="rco-record-title">{props.title}</DialogTitle>
      <DialogContent>
        {record.loading && <Progress />}
        {record.error && (
          <Refusal title="The record could not be read" error={record.error} />
        )}
        {record.value !== undefined && (
          <pre className={classes.json} aria-label={`Record ${props.href}`}>
            <code>{JSON.stringify(record.value, null, 2)}</code>
          </pre>
        )}
      </DialogContent>
      <DialogActions>
        {record.error && <Button onClick={record.retry}>Try again</Button>}
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
