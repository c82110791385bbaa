import {
  GatePolicyResponse,
  ReplayChange,
} from '@helix-portal/plugin-rco-common';
import {
  Box,
  Button,
  Checkbox,
  FormControl,
  FormControlLabel,
  FormGroup,
  FormLabel,
  TextField,
  Typography,
} from '@material-ui/core';
import { Duration } from 'luxon';
import { useEffect, useState } from 'react';

/** The severities a scanner reports, most severe first (Trivy's and Grype's words). */
export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

/** The longest maxAge the replay accepts (the backend refuses longer ones). */
export const MAX_AGE_LENGTH = 64;

/** Whether an ISO 8601 duration (P7D, PT12H) names a positive length of time. */
export const validDuration = (iso: string) => {
  const d = Duration.fromISO(iso.trim());
  return d.isValid && d.toMillis() > 0;
};

/**
 * One gate's proposed thresholds: a new maximum evidence age and, for image scanning, the
 * severities that fail it. Only what differs from the policy in force is sent.
 */
export function ReplayForm(props: {
  gate: GatePolicyResponse['gates'][number];
  busy: boolean;
  onReplay: (change: ReplayChange) => void;
  /** The change as the form stands, on every edit: the page hides results of another. */
  onEdit?: (change: ReplayChange) => void;
}) {
  const { gate } = props;
  const [maxAge, setMaxAge] = useState(gate.maxAge ?? '');
  const [severities, setSeverities] = useState<string[]>(
    gate.blockingSeverities ?? [],
  );
  const hasSeverities = gate.blockingSeverities !== undefined;
  const ageChanged = maxAge.trim() !== (gate.maxAge ?? '');
  const sevChanged =
    hasSeverities &&
    [...severities].sort().join() !==
      [...gate.blockingSeverities!].sort().join();
  // The backend refuses a maxAge longer than this; said here, before asking.
  const ageTooLong = ageChanged && maxAge.trim().length > MAX_AGE_LENGTH;
  const ageError = ageChanged && (ageTooLong || !validDuration(maxAge));
  // The scanners' words in the configured spelling (app-config may say "critical"), then any
  // configured severity the list does not know: a box each, sent as configured.
  const configured = gate.blockingSeverities ?? [];
  const spelled = (s: string) =>
    configured.find(c => c.toUpperCase() === s) ?? s;
  const known = SEVERITIES.map(spelled);
  const all = [
    ...known,
    ...configured.filter(c => !SEVERITIES.includes(c.toUpperCase())),
  ];
  const change: ReplayChange = {
    gate: gate.gate,
    ...(ageChanged ? { maxAge: maxAge.trim() } : {}),
    ...(sevChanged
      ? { blockingSeverities: all.filter(s => severities.includes(s)) }
      : {}),
  };
  const { onEdit } = props;
  const said = JSON.stringify(change);
  useEffect(() => onEdit?.(JSON.parse(said)), [onEdit, said]);
  let ageHelp = `In force: ${gate.maxAge ?? 'none'}. For example P7D or PT12H.`;
  if (ageTooLong)
    ageHelp = `Too long: a duration is at most ${MAX_AGE_LENGTH} characters.`;
  else if (ageError)
    ageHelp =
      'Not a duration: write it like P7D (seven days) or PT12H (twelve hours)';
  const toggle = (s: string) =>
    setSeverities(list =>
      list.includes(s) ? list.filter(x => x !== s) : [...list, s],
    );
  return (
    <Box
      component="form"
      aria-labelledby="rco-replay-form-title"
      onSubmit={(e: React.FormEvent) => {
        e.preventDefault();
        props.onReplay(change);
      }}
    >
      <Typography variant="h6" component="h2" id="rco-replay-form-title">
        What if: {gate.title}
      </Typography>
      <TextField
        id="rco-replay-max-age"
        label="Maximum evidence age (ISO 8601 duration)"
        value={maxAge}
        onChange={e => setMaxAge(e.target.value)}
        error={ageError}
        helperText={ageHelp}
        margin="normal"
        variant="outlined"
        size="small"
        style={{ minWidth: 360 }}
      />
      {hasSeverities && (
        <FormControl
          component="fieldset"
          margin="normal"
          style={{ display: 'block' }}
        >
          <FormLabel component="legend">
            Severities that fail the gate
          </FormLabel>
          <FormGroup row>
            {all.map(s => (
              <FormControlLabel
                key={s}
                control={
                  <Checkbox
                    checked={severities.includes(s)}
                    onChange={() => toggle(s)}
                    name={s}
                  />
                }
                label={s}
              />
            ))}
          </FormGroup>
        </FormControl>
      )}
      <Box mt={1}>
        <Button
          type="submit"
          variant="contained"
          color="primary"
          disabled={props.busy || ageError || (!ageChanged && !sevChanged)}
        >
          {props.busy ? 'Replaying…' : 'Replay'}
        </Button>
        {!ageChanged && !sevChanged && (
          <Typography
            variant="caption"
            color="textSecondary"
            style={{ marginLeft: 12 }}
          >
            Change a threshold to replay it.
          </Typography>
        )}
      </Box>
    </Box>
  );
}
