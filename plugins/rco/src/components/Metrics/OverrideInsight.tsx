import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  GATES,
  OverrideOutcome,
  ReplayChange,
} from '@helix-portal/plugin-rco-common';
import { Box, Button, Typography } from '@material-ui/core';
import { DateTime, Duration } from 'luxon';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { RcoApi } from '../../api/RcoApi';
import { refusalOf } from '../shared';
import { DEMO_LABEL } from './format';
import { OverrideHistory } from './OverrideHistory';
import { ReplayTables } from './ReplayTables';

/** Gate titles by id: the metrics' own rows, the catalogue's for gates they do not list. */
function gateTitles(rows: Array<{ gate: string; title: string }>) {
  return {
    ...Object.fromEntries(GATES.map(g => [g.id, g.title])),
    ...Object.fromEntries(rows.map(g => [g.gate, g.title])),
  };
}

/**
 * The entity's past overrides of one kind in one environment (the metrics route's, over its
 * default period), with how each ended. A failed read is said in words; the dialog around it
 * stays usable.
 */
export function OverridePast(props: {
  api: RcoApi;
  entityRef: CompoundEntityRef;
  /** The dialog's; none: the metrics' default (the backend picks a configured one). */
  environment?: string;
  kind: OverrideOutcome['kind'];
  /** Only this gate's (waivers). */
  gate?: string;
  title: string;
}) {
  const { api, entityRef, kind, gate } = props;
  const asked = props.environment || undefined;
  const key = `${entityRef.kind}:${entityRef.namespace}/${entityRef.name}|${asked}`;
  const read = useAsync(
    async () =>
      api.getMetrics?.(entityRef, asked ? { environment: asked } : {}),
    [api, key],
  );
  // The environment the history is of: the one asked, or the one the backend chose.
  const environment = asked ?? read.value?.scope.environment;
  if (!api.getMetrics) return null;
  const overrides = (read.value?.effectiveness.overrides ?? []).filter(
    o =>
      o.kind === kind &&
      (!gate || o.gate === gate) &&
      (!o.environment || o.environment === environment),
  );
  return (
    <Box mt={2} component="section" aria-label={props.title}>
      <Typography variant="subtitle2" component="h3">
        {props.title}
      </Typography>
      {read.loading && (
        <Typography variant="body2" color="textSecondary">
          Reading the history…
        </Typography>
      )}
      {read.error && (
        <Typography variant="body2" color="error">
          The history could not be read: {refusalOf(read.error)}
        </Typography>
      )}
      {read.value?.demo && (
        <Typography
          variant="body2"
          color="textSecondary"
          data-testid="rco-override-demo"
        >
          {DEMO_LABEL}. Some of these overrides come from it, not from real
          ones.
        </Typography>
      )}
      {read.value && (
        <OverrideHistory
          overrides={overrides}
          caption={`Past ${
            kind === 'waiver' ? 'waivers of this gate' : 'break-glass overrides'
          } ${
            asked
              ? `in ${environment}`
              : `(the history of ${environment}; a waiver without an environment applies to every environment)`
          }`}
          titles={gateTitles(read.value.effectiveness.gates)}
          kind={false}
        />
      )}
    </Box>
  );
}

/** From now to the expiry as an ISO 8601 duration (whole minutes, at least one). */
export function durationUntil(expires: string, now = DateTime.now()) {
  const minutes = Math.max(
    1,
    Math.round(DateTime.fromISO(expires).diff(now).as('minutes')),
  );
  return Duration.fromObject({ minutes })
    .shiftTo('days', 'hours', 'minutes')
    .toISO()!;
}

/**
 * What if this waiver were granted: the past deploys it would have let through (or not) and the
 * releases in flight it would change, replayed with no writes. Asked on request, with the
 * dialog's values as they are then.
 */
export function WaiverWhatIf(props: {
  api: RcoApi;
  entityRef: CompoundEntityRef;
  gate: string;
  environment?: string;
  releaseVersion?: string;
  expires: string;
}) {
  const { api, entityRef, gate, environment, releaseVersion, expires } = props;
  const [replayed, replay] = useAsyncFn(
    async () =>
      api.replay!(entityRef, {
        change: {
          gate: gate as ReplayChange['gate'],
          waiver: {
            ...(environment ? { environment } : {}),
            ...(releaseVersion ? { releaseVersion } : {}),
            duration: durationUntil(expires),
          },
        },
      }),
    [api, entityRef, gate, environment, releaseVersion, expires],
  );
  if (!api.replay) return null;
  return (
    <Box mt={2} component="section" aria-label="What if">
      <Typography variant="subtitle2" component="h3">
        What if
      </Typography>
      <Typography variant="body2" color="textSecondary">
        Replays this waiver over the recorded deploy judgements and the releases
        in flight. Nothing is written.
      </Typography>
      <Button
        size="small"
        variant="outlined"
        disabled={!gate || replayed.loading}
        onClick={replay}
        style={{ marginTop: 8 }}
      >
        {replayed.loading ? 'Replaying…' : 'Replay this waiver'}
      </Button>
      {replayed.error && (
        <Typography variant="body2" color="error" role="alert">
          The replay failed: {refusalOf(replayed.error)}. You can still grant
          the waiver.
        </Typography>
      )}
      {replayed.value && !replayed.loading && (
        <Box mt={1}>
          <ReplayTables result={replayed.value} name="waiver" />
        </Box>
      )}
    </Box>
  );
}
