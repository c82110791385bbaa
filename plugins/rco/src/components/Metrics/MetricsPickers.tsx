import { Box, MenuItem, TextField } from '@material-ui/core';
import { useMemo } from 'react';
import { timeZones } from '../Windows/timeZones';

/** What the metrics are asked for: an environment, the last N days, and the weeks' time zone. */
export interface MetricsScope {
  /** None until picked: the backend then chooses (production if configured, else the last). */
  environment?: string;
  days: number;
  timeZone: string;
}

export const PERIODS = [
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
  { days: 180, label: 'Last 180 days' },
  { days: 365, label: 'Last 365 days' },
];

/**
 * One of the scope's pickers: a labelled select (its id ties label and input). `native` gives the
 * browser's own select, which types ahead and scrolls natively (for the hundreds of zones).
 */
function Picker(props: {
  id: string;
  label: string;
  value: string | number;
  options: Array<{ value: string | number; label: string }>;
  onChange: (value: string) => void;
  minWidth: number;
  native?: boolean;
}) {
  return (
    <TextField
      id={props.id}
      select
      variant="outlined"
      size="small"
      label={props.label}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      SelectProps={props.native ? { native: true } : undefined}
      style={{ minWidth: props.minWidth }}
    >
      {props.options.map(o =>
        props.native ? (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ) : (
          <MenuItem key={o.value} value={o.value}>
            {o.label}
          </MenuItem>
        ),
      )}
    </TextField>
  );
}

/** The scope's pickers, each with its own label (and id, which ties label and input). */
export function MetricsPickers(props: {
  scope: MetricsScope;
  environments: string[];
  /** The environment the backend answered for when none was picked. */
  answered?: string;
  onChange: (scope: MetricsScope) => void;
  idPrefix: string;
}) {
  const { scope, onChange } = props;
  const zones = useMemo(
    () => timeZones().map(z => ({ value: z, label: z })),
    [],
  );
  const shown = scope.environment ?? props.answered ?? '';
  // The backend's answer is a configured environment: offered even before the list arrives.
  const environments =
    !shown || props.environments.includes(shown)
      ? props.environments
      : [shown, ...props.environments];
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 16 }} mb={2}>
      <Picker
        id={`${props.idPrefix}-environment`}
        label="Environment"
        value={shown}
        options={environments.map(env => ({ value: env, label: env }))}
        onChange={environment => onChange({ ...scope, environment })}
        minWidth={180}
      />
      <Picker
        id={`${props.idPrefix}-period`}
        label="Period"
        value={scope.days}
        options={PERIODS.map(p => ({ value: p.days, label: p.label }))}
        onChange={days => onChange({ ...scope, days: Number(days) })}
        minWidth={180}
      />
      <Picker
        id={`${props.idPrefix}-tz`}
        label="Time zone of the weeks"
        value={scope.timeZone}
        options={zones}
        onChange={timeZone => onChange({ ...scope, timeZone })}
        minWidth={240}
        native
      />
    </Box>
  );
}
