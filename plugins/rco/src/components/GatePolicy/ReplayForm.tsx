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
  const ageError = ageChanged && !validDuration(maxAge);
  const change: ReplayChange = {
    gate: gate.gate,
    ...(ageChanged ? { maxAge: maxAge.trim() } : {}),
    ...(sevChanged
      ? { blockingSeverities: SEVERITIES.filter(s => severities.includes(s)) }
      : {}),
  };
  const { onEdit } = props;
  const said = JSON.stringify(change);
  useEffect(() => onEdit?.(JSON.parse(said)), [onEdit, said]);
  const toggle = (s: string) =>
    setSeverities(list =>
      list.includes(s) ? list.filter(x => x !== s) : [...list, s],
    );
  const all = [...new Set([...SEVERITIES, ...(gate.blockingSeverities ?? [])])];
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
        helperText={
          ageError
            ? 'Not a duration: write it like P7D (seven days) or PT12H (twelve hours)'
            : `In force: ${gate.maxAge ?? 'none'}. For example P7D or PT12H.`
        }
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
