import { OperationMetric } from '@helix-portal/plugin-rco-common';
import {
  Box,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import CheckCircle from '@material-ui/icons/CheckCircle';
import Cancel from '@material-ui/icons/Cancel';
import Schedule from '@material-ui/icons/Schedule';

const useStyles = makeStyles(theme => ({
  ok: { color: theme.palette.success.main },
  bad: { color: theme.palette.error.main },
  wait: { color: theme.palette.text.secondary },
  phase: { display: 'inline-flex', alignItems: 'center', gap: 4 },
}));

/** The icon and colour of a metric's result. */
function verdictLook(ok: boolean, bad: boolean) {
  if (ok) return { icon: CheckCircle, className: 'ok' as const };
  if (bad) return { icon: Cancel, className: 'bad' as const };
  return { icon: Schedule, className: 'wait' as const };
}

/**
 * The canary analysis: each metric's measured value against its condition and what the
 * analysis made of it (Argo Rollouts phases: Successful, Failed, Error, Running, Pending, …),
 * with an icon beside the word.
 */
export function MetricsTable(props: { metrics: OperationMetric[] }) {
  const classes = useStyles();
  return (
    <Box mt={2} maxWidth={720}>
      <Typography variant="subtitle2" component="h4" id="rco-metrics-title">
        Analysis metrics
      </Typography>
      <Table size="small" aria-labelledby="rco-metrics-title">
        <TableHead>
          <TableRow>
            <TableCell>Metric</TableCell>
            <TableCell>Measured</TableCell>
            <TableCell>Condition</TableCell>
            <TableCell>Result</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.metrics.map(m => {
            const ok = m.phase === 'Successful';
            const bad = m.phase === 'Failed' || m.phase === 'Error';
            const look = verdictLook(ok, bad);
            const Icon = look.icon;
            return (
              <TableRow key={m.name}>
                <TableCell component="th" scope="row">
                  {m.name}
                </TableCell>
                <TableCell>{m.value ?? '—'}</TableCell>
                <TableCell>
                  <code>{m.condition ?? '—'}</code>
                </TableCell>
                <TableCell>
                  <span className={classes.phase}>
                    <Icon
                      fontSize="small"
                      className={classes[look.className]}
                      aria-hidden
                    />
                    {m.phase}
                  </span>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </Box>
  );
}
