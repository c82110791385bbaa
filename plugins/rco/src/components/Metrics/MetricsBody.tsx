import { MetricsResponse } from '@helix-portal/plugin-rco-common';
import { Box, Grid, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { ComponentProps } from 'react';
import { EscapesTable, GateEffectivenessTable } from './EffectivenessTables';
import { DEMO_LABEL, durationWords, instant } from './format';
import { GateHeatMap } from './GateHeatMap';
import { Histogram } from './Histogram';
import { MetricCards } from './MetricCards';
import { OverrideHistory } from './OverrideHistory';
import { TrendChart } from './TrendChart';

export { DEMO_LABEL } from './format';

/** ", the newest 500 of 812" when the backend cut a list; nothing when it sent every one. */
export const newestOf = (listed: number, total?: number) =>
  total !== undefined && total > listed
    ? ` (the newest ${listed} of ${total})`
    : '';

/** The scope in words: what the figures cover. */
export function scopeWords(m: MetricsResponse) {
  const s = m.scope;
  const who = s.entityRef ?? `${s.services} services`;
  return `${who} in ${s.environment}, ${instant(s.from)} to ${instant(s.to)}`;
}

/** Everything one metrics answer holds: the cards, the charts and the tables. */
export function MetricsBody(props: { metrics: MetricsResponse }) {
  const m = props.metrics;
  const scope = scopeWords(m);
  const titles = Object.fromEntries(
    m.effectiveness.gates.map(g => [g.gate, g.title]),
  );
  // The two distributions, side by side on a wide screen.
  const histograms: ComponentProps<typeof Histogram>[] = [
    {
      name: 'lead-time',
      title: 'Lead time distribution',
      counted: 'Deploys',
      values: m.delivery.leadTimes.map(l => l.hours),
      total: m.delivery.counts?.leadTimes,
      caption: `Deploys by lead time (first evidence to deploy), ${scope}`,
    },
    {
      name: 'evidence-age',
      title: 'Evidence age at deploy',
      counted: 'Gate judgements',
      values: m.effectiveness.evidenceAges.map(e => e.hours),
      total: m.effectiveness.counts?.evidenceAges,
      caption: `Age of the evidence gates used at deploys, ${scope}`,
    },
  ];
  return (
    <Box>
      {m.demo && (
        <Box mb={2}>
          <Alert severity="info" role="note" data-testid="rco-metrics-demo">
            {DEMO_LABEL}. Some of these figures come from it, not from real
            deploys.
          </Alert>
        </Box>
      )}
      <Typography variant="body2" color="textSecondary" paragraph>
        {m.scope.entityRef ? '' : `${m.scope.services} services. `}
        {scope}; weeks start Monday in {m.scope.timeZone}. A change counts as
        failed when a rollback or failure follows within{' '}
        {durationWords(m.scope.failureWindow)}. Computed {instant(m.computedAt)}
        .
      </Typography>
      <Typography variant="h6" component="h3" gutterBottom>
        Delivery metrics
      </Typography>
      <MetricCards metrics={m.delivery.metrics} />
      <Box mt={3}>
        <TrendChart weeks={m.delivery.weeks} timeZone={m.scope.timeZone} />
        <GateHeatMap
          cells={m.effectiveness.cells}
          weeks={m.delivery.weeks.map(w => w.week)}
          titles={titles}
          timeZone={m.scope.timeZone}
        />
      </Box>
      <Grid container spacing={3}>
        {histograms.map(h => (
          <Grid item xs={12} md={6} key={h.name}>
            <Histogram {...h} />
          </Grid>
        ))}
      </Grid>
      <GateEffectivenessTable gates={m.effectiveness.gates} scope={scope} />
      <EscapesTable
        escapes={m.effectiveness.escapes}
        total={m.effectiveness.counts?.escapes}
        titles={titles}
        scope={scope}
      />
      <Box component="section" aria-labelledby="rco-overrides-title">
        <Typography variant="h6" component="h3" id="rco-overrides-title">
          Waivers and break-glass overrides
        </Typography>
        <OverrideHistory
          overrides={m.effectiveness.overrides}
          caption={`Waivers and break-glass overrides with how each ended, ${scope}${newestOf(
            m.effectiveness.overrides.length,
            m.effectiveness.counts?.overrides,
          )}`}
          titles={titles}
        />
      </Box>
    </Box>
  );
}
