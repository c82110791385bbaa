import { CompoundEntityRef } from '@backstage/catalog-model';
import { DeployWindowView } from '@helix-portal/plugin-rco-common';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  TextField,
  Typography,
} from '@material-ui/core';
import { FormEvent, useState } from 'react';
import { RcoApi } from '../../api/RcoApi';
import { Refusal } from '../shared';
import { releaseWords } from '../Road/format';
import { browserTimeZone, localDateTime, timeZones } from './timeZones';

/**
 * An owner proposes a deployment window for the release picked on the tab: the environment,
 * start and end as local date-times, and the time zone they are in (the browser's by default).
 * The backend notifies the sign-off roles; each accepts on the page.
 */
export function ProposeWindowDialog(props: {
  api: RcoApi;
  entityRef: CompoundEntityRef;
  release: { version?: string; digest?: string };
  environments: string[];
  environment?: string;
  onClose: (created?: DeployWindowView) => void;
}) {
  const { api, entityRef, release } = props;
  const [environment, setEnvironment] = useState(
    props.environment && props.environments.includes(props.environment)
      ? props.environment
      : props.environments[props.environments.length - 1] ?? '',
  );
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [timeZone, setTimeZone] = useState(browserTimeZone);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // Same zone on both ends: the local texts compare as times.
  const invalidEnd = !!start && !!end && end <= start;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!start || !end || invalidEnd || !environment) return;
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.proposeWindow!(entityRef, {
        environment,
        version: release.version,
        digest: release.digest,
        start: localDateTime(start),
        end: localDateTime(end),
        timeZone,
      });
      props.onClose(created);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onClose={() => props.onClose()}
      aria-labelledby="rco-window-title"
      fullWidth
      maxWidth="sm"
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id="rco-window-title">
          Propose a deployment window
        </DialogTitle>
        <DialogContent>
          <Typography variant="body2" gutterBottom>
            For {releaseWords(release)}. The sign-off roles are notified; the
            window counts once each required role accepted it.
          </Typography>
          <TextField
            select
            id="rco-window-environment"
            label="Environment"
            fullWidth
            margin="normal"
            value={environment}
            onChange={e => setEnvironment(e.target.value)}
            SelectProps={{ native: true }}
          >
            {props.environments.map(env => (
              <option key={env} value={env}>
                {env}
              </option>
            ))}
          </TextField>
          <TextField
            id="rco-window-start"
            label="Start"
            type="datetime-local"
            required
            fullWidth
            margin="normal"
            value={start}
            onChange={e => setStart(e.target.value)}
            InputLabelProps={{ shrink: true }}
          />
          <TextField
            id="rco-window-end"
            label="End"
            type="datetime-local"
            required
            fullWidth
            margin="normal"
            value={end}
            onChange={e => setEnd(e.target.value)}
            error={invalidEnd}
            helperText={invalidEnd ? 'The end must come after the start.' : ' '}
            InputLabelProps={{ shrink: true }}
          />
          <TextField
            select
            id="rco-window-zone"
            label="Time zone"
            fullWidth
            margin="normal"
            value={timeZone}
            onChange={e => setTimeZone(e.target.value)}
            SelectProps={{ native: true }}
            helperText="Start and end are local times in this zone (your browser's by default)."
          >
            {timeZones().map(zone => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </TextField>
          {!!error && (
            <Refusal title="The window was not proposed" error={error} />
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => props.onClose()}>Cancel</Button>
          <Button
            type="submit"
            color="primary"
            variant="contained"
            disabled={busy || !start || !end || invalidEnd || !environment}
          >
            {busy ? 'Proposing…' : 'Propose window'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
