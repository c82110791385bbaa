import {
  EnvironmentView,
  FourEyesView,
  OperationResponse,
} from '@helix-portal/plugin-rco-common';
import {
  Box,
  Button,
  Chip,
  Grid,
  makeStyles,
  Paper,
  Typography,
} from '@material-ui/core';
import CloudQueue from '@material-ui/icons/CloudQueue';
import { When } from '../shared';
import {
  isPausedForPromote,
  PAUSED_LABEL as PAUSED,
  pendingSignoffs,
  ROLE_TITLE,
} from './model';
import { STATE_LABEL } from './OutcomeChip';
import { revisionVersions } from './revisions';
import { useDescribe } from './wording';

const useStyles = makeStyles(theme => ({
  card: { padding: theme.spacing(2), height: '100%' },
  selected: {
    padding: theme.spacing(2),
    height: '100%',
    outline: `2px solid ${theme.palette.primary.main}`,
  },
  simulated: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.info.contrastText,
  },
  icon: { color: 'inherit' },
  image: { wordBreak: 'break-all' },
}));

/**
 * One card per configured environment: what serves there now (revision, image, since when),
 * which driver deploys there, and a "Simulated cluster" chip where nothing real runs. Choosing
 * a card makes it the environment the Deploy section (and the gates above) work on.
 */
export function EnvironmentCards(props: {
  environments: EnvironmentView[];
  selected?: string;
  onSelect: (name: string) => void;
  /**
   * The backend's current four-eyes verdict for the release on the tab: sign-offs already given
   * are not listed as needed (the tab re-reads it on every change).
   */
  fourEyes?: FourEyesView;
  /** The operations the page knows (the followed one first): an active one is described. */
  operations?: OperationResponse[];
}) {
  const classes = useStyles();
  const describe = useDescribe();
  return (
    <Grid container spacing={2}>
      {props.environments.map(env => {
        const selected = env.name === props.selected;
        const current = env.currentRevision;
        const version = current
          ? revisionVersions(env, props.operations ?? []).get(current.revision)
          : undefined;
        const needed = pendingSignoffs(env.requiredSignoffs, props.fourEyes);
        const active = env.activeOperationId
          ? props.operations?.find(o => o.id === env.activeOperationId)
          : undefined;
        return (
          <Grid item xs={12} md={6} lg={4} key={env.name}>
            <Paper
              variant="outlined"
              className={selected ? classes.selected : classes.card}
              component="section"
              aria-label={`${env.name} environment`}
            >
              <Box
                display="flex"
                alignItems="center"
                style={{ gap: 8 }}
                flexWrap="wrap"
              >
                <Typography variant="h6" component="h3">
                  {env.name}
                </Typography>
                {env.simulated && (
                  <Chip
                    size="small"
                    className={classes.simulated}
                    icon={
                      <CloudQueue className={classes.icon} fontSize="small" />
                    }
                    label="Simulated cluster"
                  />
                )}
              </Box>
              <Typography variant="body2" color="textSecondary">
                {env.driverLabel} · namespace {env.namespace}
              </Typography>
              {current ? (
                <>
                  <Typography variant="body2">
                    Revision {current.revision}
                    {version ? ` (v${version})` : ''} · {current.status} ·{' '}
                    <When iso={current.updatedAt} />
                  </Typography>
                  {current.image && (
                    <Typography variant="body2" className={classes.image}>
                      {current.image}
                    </Typography>
                  )}
                  {current.description && (
                    <Typography variant="caption" color="textSecondary">
                      {current.description}
                    </Typography>
                  )}
                </>
              ) : (
                <Typography variant="body2">
                  {env.error ? 'Revision unknown' : 'Nothing deployed yet'}
                </Typography>
              )}
              {env.error && (
                <Typography variant="body2" color="error">
                  {env.error}
                </Typography>
              )}
              {needed.length > 0 && (
                <Typography variant="caption" component="p">
                  {props.fourEyes ? 'Needs sign-offs' : 'Requires sign-offs'}:{' '}
                  {needed.map(r => ROLE_TITLE[r]).join(', ')}
                </Typography>
              )}
              {needed.length === 0 && env.requiredSignoffs.length > 0 && (
                <Typography variant="caption" component="p">
                  Sign-offs given:{' '}
                  {env.requiredSignoffs.map(r => ROLE_TITLE[r]).join(', ')}
                </Typography>
              )}
              {env.activeOperationId && (
                <Typography variant="caption" component="p">
                  {active
                    ? `${describe(active)}: ${
                        isPausedForPromote(active)
                          ? PAUSED
                          : STATE_LABEL[active.state]
                      }`
                    : 'An operation is in progress here'}
                </Typography>
              )}
              <Box mt={1}>
                <Button
                  size="small"
                  variant={selected ? 'contained' : 'outlined'}
                  aria-pressed={selected}
                  onClick={() => props.onSelect(env.name)}
                >
                  Work on {env.name}
                </Button>
              </Box>
            </Paper>
          </Grid>
        );
      })}
    </Grid>
  );
}
