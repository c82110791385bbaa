import { DeliveryMetric } from '@helix-portal/plugin-rco-common';
import { Box, Grid, Paper, Typography } from '@material-ui/core';
import { hours, metricValue, unitWords } from './format';
import { OperationLinks } from './OperationLinks';

/** One delivery metric: its value and unit in words, what it rests on, how it is computed. */
function MetricCard(props: { metric: DeliveryMetric }) {
  const m = props.metric;
  const titleId = `rco-metric-${m.id}`;
  return (
    <Paper
      variant="outlined"
      component="section"
      aria-labelledby={titleId}
      data-testid={`rco-metric-${m.id}`}
      style={{ height: '100%' }}
    >
      <Box p={2}>
        <Typography variant="subtitle1" component="h3" id={titleId}>
          {m.title}
        </Typography>
        <Typography variant="h4" component="p">
          {metricValue(m)}{' '}
          <Typography variant="body2" component="span" color="textSecondary">
            {m.value === null ? 'nothing to measure' : unitWords(m)}
          </Typography>
        </Typography>
        {m.p90 !== undefined && (
          <Typography variant="body2">
            90th percentile: {hours(m.p90)} hours
          </Typography>
        )}
        <Typography variant="body2">
          Sample: {m.sample}{' '}
          {m.id === 'time-to-restore' ? 'failures' : 'deploys'}
        </Typography>
        <Typography
          variant="body2"
          color="textSecondary"
          style={{ marginTop: 8 }}
        >
          {m.definition}
        </Typography>
        {m.operations.length > 0 && (
          <Typography variant="body2" component="div" style={{ marginTop: 8 }}>
            Operations behind it:{' '}
            <OperationLinks ids={m.operations} label={m.title} />
          </Typography>
        )}
      </Box>
    </Paper>
  );
}

/** The four delivery metrics side by side. */
export function MetricCards(props: { metrics: DeliveryMetric[] }) {
  return (
    <Grid container spacing={2}>
      {props.metrics.map(m => (
        <Grid item xs={12} sm={6} lg={3} key={m.id}>
          <MetricCard metric={m} />
        </Grid>
      ))}
    </Grid>
  );
}
