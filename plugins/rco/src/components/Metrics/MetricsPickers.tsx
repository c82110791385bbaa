import { Box, MenuItem, TextField } from '@material-ui/core';
import { useMemo } from 'react';
import { timeZones } from '../Windows/timeZones';

/** What the metrics are asked for: an environment, the last N days, and the weeks' time zone. */
export interface MetricsScope {
  environment: string;
  days: number;
  timeZone: string;
}

export const PERIODS = [
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
  { days: 180, label: 'Last 180 days' },
  { days: 365, label: 'Last 365 days' },
];

/** The scope's pickers, each with its own label (and id, which ties label and input). */
export function MetricsPickers(props: {
  scope: MetricsScope;
  environments: string[];
  onChange: (scope: MetricsScope) => void;
  idPrefix: string;
}) {
  const { scope, onChange } = props;
  const zones = useMemo(() => timeZones(), []);
  const environments = props.environments.includes(scope.environment)
    ? props.environments
    : [scope.environment, ...props.environments];
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 16 }} mb={2}>
      <TextField
        id={`${props.idPrefix}-environment`}
        select
        variant="outlined"
        size="small"
        label="Environment"
        value={scope.environment}
        onChange={e => onChange({ ...scope, environment: e.target.value })}
        style={{ minWidth: 180 }}
      >
        {environments.map(env => (
          <MenuItem key={env} value={env}>
            {env}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        id={`${props.idPrefix}-period`}
        select
        variant="outlined"
        size="small"
        label="Period"
        value={scope.days}
        onChange={e => onChange({ ...scope, days: Number(e.target.value) })}
        style={{ minWidth: 180 }}
      >
        {PERIODS.map(p => (
          <MenuItem key={p.days} value={p.days}>
            {p.label}
          </MenuItem>
        ))}
      </TextField>
      {/* Hundreds of zones: the browser's own select, which types ahead and scrolls natively. */}
      <TextField
        id={`${props.idPrefix}-tz`}
        select
        variant="outlined"
        size="small"
        label="Time zone of the weeks"
        value={scope.timeZone}
        onChange={e => onChange({ ...scope, timeZone: e.target.value })}
        SelectProps={{ native: true }}
        style={{ minWidth: 240 }}
      >
        {zones.map(z => (
          <option key={z} value={z}>
            {z}
          </option>
        ))}
      </TextField>
    </Box>
  );
}
