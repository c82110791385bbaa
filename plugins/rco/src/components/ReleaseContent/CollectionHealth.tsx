import { InfoCard } from '@backstage/core-components';
import { CollectionHealthView } from '@helix-portal/plugin-rco-common';
import {
  Box,
  Button,
  Chip,
  makeStyles,
  Paper,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useState } from 'react';
import CheckCircle from '@material-ui/icons/CheckCircle';
import CloudQueue from '@material-ui/icons/CloudQueue';
import ErrorIcon from '@material-ui/icons/Error';
import HelpOutline from '@material-ui/icons/HelpOutline';
import { plural, Refusal, RichText, When } from '../shared';
import {
  clusterLabel,
  COLLECTION_STATE_LABEL,
  kindLabel,
  collectionSummary,
  groupByCluster,
} from './collectionWords';
import { chipTone } from './StatusChip';
import { Collection } from './useCollection';

const useStyles = makeStyles(theme => ({
  ok: chipTone(theme, theme.palette.success.main),
  failing: chipTone(theme, theme.palette.error.main),
  never: chipTone(theme, theme.palette.grey[700]),
  simulated: chipTone(theme, theme.palette.info.main),
  icon: { color: 'inherit' },
  group: { padding: theme.spacing(2), marginTop: theme.spacing(2) },
  row: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1, 2),
    padding: theme.spacing(1, 0),
    borderTop: `1px solid ${theme.palette.divider}`,
  },
  list: { listStyle: 'none', margin: 0, padding: 0 },
  kind: { minWidth: '12em', fontWeight: 500, wordBreak: 'break-word' },
}));

const ICON = { ok: CheckCircle, failing: ErrorIcon, never: HelpOutline };

/** A collection's state as a chip: an icon and a word. */
export function CollectionStateChip(props: {
  state: CollectionHealthView['state'];
}) {
  const classes = useStyles();
  const Icon = ICON[props.state];
  return (
    <Chip
      size="small"
      className={classes[props.state]}
      icon={<Icon className={classes.icon} fontSize="small" />}
      label={COLLECTION_STATE_LABEL[props.state]}
    />
  );
}

/** The chip a simulated cluster wears wherever its name is shown. */
export function SimulatedChip() {
  const classes = useStyles();
  return (
    <Chip
      size="small"
      className={classes.simulated}
      icon={<CloudQueue className={classes.icon} fontSize="small" />}
      label="Simulated cluster"
    />
  );
}

/**
 * The kinds that work, in one line ("14 kinds collected, 9 objects of this service, last
 * success …"), each on its own line on demand: what needs attention is read first, and a
 * healthy cluster does not push Deploy down the page.
 */
function WorkingKinds(props: {
  cluster: string;
  rows: CollectionHealthView[];
}) {
  const classes = useStyles();
  const [open, setOpen] = useState(false);
  const { rows } = props;
  if (!rows.length) return null;
  const id = `rco-collected-${props.cluster.replace(/[^\w-]/g, '-')}`;
  const times = rows
    .map(r => r.lastSuccessAt)
    .filter((t): t is string => !!t)
    .sort();
  const objects = rows.reduce((n, r) => n + (r.objects ?? 0), 0);
  const oldest = times[0];
  const same =
    oldest && times[times.length - 1].slice(0, 16) === oldest.slice(0, 16);
  return (
    <>
      <div className={classes.row}>
        <CollectionStateChip state="ok" />
        <Typography variant="body2" component="span">
          {plural(rows.length, 'kind')} collected, {plural(objects, 'object')}{' '}
          of this service
          {oldest && (
            <>
              , {same ? 'last success' : 'oldest last success'}{' '}
              <When iso={oldest} local />
            </>
          )}
        </Typography>
        <Button
          size="small"
          color="primary"
          aria-label={`${
            open ? 'Hide the kinds' : `Show the ${plural(rows.length, 'kind')}`
          } collected from ${props.cluster}`}
          aria-expanded={open}
          aria-controls={id}
          onClick={() => setOpen(o => !o)}
        >
          {open ? 'Hide the kinds' : `Show the ${plural(rows.length, 'kind')}`}
        </Button>
      </div>
      {open && (
        <ul id={id} className={classes.list}>
          {rows.map(row => (
            <HealthRow key={`${row.cluster}|${row.kind}`} row={row} />
          ))}
        </ul>
      )}
    </>
  );
}

function HealthRow(props: { row: CollectionHealthView }) {
  const classes = useStyles();
  const { row } = props;
  return (
    <li
      className={classes.row}
      aria-label={`${kindLabel(row)} in ${clusterLabel(row)}`}
    >
      <Typography variant="body2" component="span" className={classes.kind}>
        {kindLabel(row)}
      </Typography>
      <CollectionStateChip state={row.state} />
      <Typography variant="body2" component="span">
        {row.environments.length
          ? `for ${row.environments.join(', ')}`
          : 'for no environment'}
      </Typography>
      <Typography variant="body2" component="span">
        {row.lastSuccessAt ? (
          <>
            last success <When iso={row.lastSuccessAt} local />
          </>
        ) : (
          'never collected successfully'
        )}
      </Typography>
      {row.state !== 'never' && row.objects !== undefined && (
        <Typography variant="body2" component="span">
          {plural(row.objects, 'object')}
        </Typography>
      )}
      {row.state === 'ok' && row.note && (
        // Worth knowing although ok: a kind not served, or objects given to no entity because
        // more than one entity's selector matched them (this service's may be among them).
        <Box flexBasis="100%">
          <Typography variant="body2" color="textSecondary" role="note">
            <RichText text={row.note} />
          </Typography>
        </Box>
      )}
      {row.state === 'failing' && (
        <Box flexBasis="100%">
          {/* A standing state, not news: a note, so only new refusals are alerts. */}
          <Alert severity="error" variant="outlined" role="note">
            {row.lastAttemptAt && (
              <>
                Last attempt <When iso={row.lastAttemptAt} />:{' '}
              </>
            )}
            <RichText
              text={row.error ?? 'failed; the collector said no more'}
            />
            . The gates keep judging what was collected before, which goes stale
            with age.
          </Alert>
        </Box>
      )}
    </li>
  );
}

/**
 * What the console collects itself for this service: per cluster (or monitoring endpoint) and
 * kind, whether it works, when it last succeeded, and the last error in words. Owners may
 * collect now.
 */
export function CollectionHealth(props: { collection: Collection }) {
  const classes = useStyles();
  const { value, error, retry, running, refused, announced, collectNow } =
    props.collection;
  if (!value) {
    if (!error) return null;
    return (
      <InfoCard title="Evidence the console collects">
        <Alert
          severity="warning"
          variant="outlined"
          action={
            <Button color="inherit" size="small" onClick={retry}>
              Retry
            </Button>
          }
        >
          Could not read the collection health: {error.message}
        </Alert>
      </InfoCard>
    );
  }
  // Without collectors (a portal with no cluster configured), a line, not a panel.
  if (!value.configured) {
    return (
      <Typography variant="body2" color="textSecondary">
        The console collects no evidence itself here: no cluster or monitoring
        endpoint is configured, so all evidence comes from uploads.
      </Typography>
    );
  }
  const groups = groupByCluster(value.health);
  return (
    <section aria-label="Evidence the console collects">
      <InfoCard
        title="Evidence the console collects"
        subheader="Read from the clusters and the monitoring stack by the console itself, not uploaded by CI."
      >
        <Box
          display="flex"
          flexWrap="wrap"
          alignItems="center"
          style={{ gap: 16 }}
        >
          <Typography variant="body1" component="p">
            {collectionSummary(value.health)}.
          </Typography>
          {value.canRefresh && collectNow ? (
            <Button
              variant="outlined"
              color="primary"
              onClick={collectNow}
              disabled={running}
            >
              {running ? 'Collecting…' : 'Collect now'}
            </Button>
          ) : (
            <Typography variant="caption" color="textSecondary">
              The service's owners can collect now; otherwise it runs on its
              schedule.
            </Typography>
          )}
        </Box>
        {error && (
          <Box mt={1}>
            <Alert
              severity="warning"
              variant="outlined"
              action={
                <Button color="inherit" size="small" onClick={retry}>
                  Retry
                </Button>
              }
            >
              Could not refresh the collection health: {error.message}; showing
              what was read before.
            </Alert>
          </Box>
        )}
        <Typography variant="body2" role="status" aria-live="polite">
          {announced}
        </Typography>
        {!!refused && (
          <Box mt={1}>
            <Refusal title="Could not collect now" error={refused} />
          </Box>
        )}
        {groups.map(group => (
          <Paper
            key={`${group.collector}|${group.cluster}`}
            variant="outlined"
            className={classes.group}
            component="section"
            aria-label={`Collection from ${group.cluster}`}
          >
            <Box
              display="flex"
              flexWrap="wrap"
              alignItems="center"
              style={{ gap: 8 }}
            >
              <Typography variant="h6" component="h3">
                {group.cluster}
              </Typography>
              {group.simulated && <SimulatedChip />}
              <Typography variant="caption" color="textSecondary">
                {group.collector} collector
              </Typography>
            </Box>
            {group.simulated && (
              <Typography variant="body2" color="textSecondary">
                A simulated cluster of the local portal: it serves the
                Kubernetes API from the example documents in examples/cluster.
                Nothing real runs there.
              </Typography>
            )}
            <ul className={classes.list}>
              {group.rows
                .filter(row => row.state !== 'ok' || row.note)
                .map(row => (
                  <HealthRow key={`${row.cluster}|${row.kind}`} row={row} />
                ))}
            </ul>
            <WorkingKinds
              cluster={group.cluster}
              rows={group.rows.filter(row => row.state === 'ok' && !row.note)}
            />
          </Paper>
        ))}
      </InfoCard>
    </section>
  );
}
