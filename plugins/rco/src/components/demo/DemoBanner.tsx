import { Box, Button, ButtonGroup, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { Duration } from 'luxon';
import { localTime } from '../shared';
import { DemoClockState } from './useDemoClock';

/** The steps the clock control offers, as ISO 8601 durations the API takes. */
export const CLOCK_STEPS = [
  { label: '10 minutes', step: 'PT10M' },
  { label: '1 hour', step: 'PT1H' },
  { label: '1 day', step: 'P1D' },
];

/** "1 day, 2 hours" ahead: how far the portal's clock runs ahead of the real time. */
export function aheadText(offsetMs: number): string {
  if (offsetMs <= 0) return 'on real time';
  const d = Duration.fromMillis(offsetMs).shiftTo('days', 'hours', 'minutes');
  const parts = (['days', 'hours', 'minutes'] as const)
    .filter(unit => Math.floor(d.get(unit)) > 0)
    .map(unit => {
      const n = Math.floor(d.get(unit));
      return `${n} ${n === 1 ? unit.slice(0, -1) : unit}`;
    });
  return `${parts.join(', ') || 'less than a minute'} ahead of real time`;
}

/**
 * Says the page shows demo data (the local portal seeds it and keeps it current on a
 * schedule), shows the portal's clock, and, for a signed-in person, moves it forward so a
 * long-running portal can be tried without waiting.
 */
export function DemoBanner(props: { clock: DemoClockState }) {
  const { clock } = props;
  if (!clock.enabled) return null;
  const portalNow = new Date(Date.now() + clock.offsetMs).toISOString();
  return (
    <Box mb={2}>
      <Alert severity="info" role="note" aria-label="Demo data">
        <Typography variant="body2">
          <strong>Demo data:</strong> seeded by the local portal and kept
          current on a schedule (Velero backups every five minutes, nightly
          image scans, daily policy reports).
        </Typography>
        <Typography variant="body2">
          Portal clock: {localTime(portalNow)} ({aheadText(clock.offsetMs)}).
        </Typography>
        {clock.canAdvance && (
          <Box
            mt={1}
            display="flex"
            alignItems="center"
            flexWrap="wrap"
            style={{ gap: 8 }}
          >
            <Typography variant="body2" id="rco-demo-clock-label">
              Move the portal clock forward:
            </Typography>
            <ButtonGroup
              size="small"
              variant="outlined"
              aria-labelledby="rco-demo-clock-label"
              disabled={clock.advancing}
            >
              {CLOCK_STEPS.map(s => (
                <Button
                  key={s.step}
                  onClick={() => clock.advance(s.step)}
                  aria-label={`Move the portal clock forward by ${s.label}`}
                >
                  {s.label}
                </Button>
              ))}
            </ButtonGroup>
          </Box>
        )}
        {clock.error && (
          <Typography variant="body2" color="error" role="alert">
            The clock was not moved: {clock.error.message}
          </Typography>
        )}
      </Alert>
    </Box>
  );
}
