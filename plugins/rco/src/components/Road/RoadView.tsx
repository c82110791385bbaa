import { MarkedRelease, RoadResponse } from '@helix-portal/plugin-rco-common';
import { Box, Button, makeStyles, Typography } from '@material-ui/core';
import ArrowForward from '@material-ui/icons/ArrowForward';
import { Alert, AlertTitle } from '@material-ui/lab';
import { refusalOf, When } from '../shared';
import { MARK_WORDS, releaseWords, sameRelease } from './format';
import { StageCard } from './StageCard';

const useStyles = makeStyles(theme => ({
  pipeline: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'stretch',
    gap: theme.spacing(1),
    listStyle: 'none',
    margin: 0,
    padding: 0,
  },
  stage: {
    flex: '1 1 280px',
    minWidth: 260,
    maxWidth: 460,
    display: 'flex',
    gap: theme.spacing(1),
  },
  arrow: { alignSelf: 'center', color: theme.palette.text.secondary },
}));

function MarkedLine(props: { mark: MarkedRelease }) {
  const { mark } = props;
  return (
    <li>
      {releaseWords(mark)}: {MARK_WORDS[mark.reason]} in {mark.environment}{' '}
      <When iso={mark.at} />
    </li>
  );
}

/**
 * Releases marked by a failure or a rollback: the one asked about as an error (do not promote
 * it), the others as a warning list, in words (never by colour alone).
 */
function MarkedReleases(props: { road: RoadResponse }) {
  const { road } = props;
  const asked = road.marked.filter(m => sameRelease(m, road.release));
  const others = road.marked.filter(m => !sameRelease(m, road.release));
  return (
    <>
      {asked.length > 0 && (
        <Box mb={2}>
          <Alert severity="error" role="alert">
            <AlertTitle>
              Do not promote {releaseWords(road.release)}: it is marked
            </AlertTitle>
            <ul style={{ margin: 0, paddingLeft: 20 }}>
              {asked.map(m => (
                <MarkedLine key={m.operationId} mark={m} />
              ))}
            </ul>
          </Alert>
        </Box>
      )}
      {others.length > 0 && (
        <Box mb={2}>
          <Alert severity="warning" role="status">
            <AlertTitle>
              Marked releases: failed or rolled back, do not promote them again
            </AlertTitle>
            <ul style={{ margin: 0, paddingLeft: 20 }}>
              {others.map(m => (
                <MarkedLine key={m.operationId} mark={m} />
              ))}
            </ul>
          </Alert>
        </Box>
      )}
    </>
  );
}

/**
 * The road to production: the environments in promotion order as a pipeline, each with the
 * release in it and what blocks the release picked on the tab from entering it; marked releases
 * first, so nobody promotes one again by accident.
 */
export function RoadView(props: {
  road?: RoadResponse;
  error?: Error;
  onRetry?: () => void;
}) {
  const classes = useStyles();
  const { road } = props;
  if (!road) {
    return props.error ? (
      <Alert
        severity="error"
        role="alert"
        action={
          props.onRetry && (
            <Button color="inherit" size="small" onClick={props.onRetry}>
              Try again
            </Button>
          )
        }
      >
        The road to production could not be read: {refusalOf(props.error)}
      </Alert>
    ) : (
      <Typography variant="body2">Reading the road to production…</Typography>
    );
  }
  const stages = [...road.stages].sort((a, b) => a.position - b.position);
  const isMarked = (release?: { version?: string; digest?: string }) =>
    !!release && road.marked.some(m => sameRelease(m, release));
  return (
    <Box>
      <MarkedReleases road={road} />
      {props.error && (
        <Typography variant="caption" color="textSecondary" role="status">
          Could not refresh the road: {refusalOf(props.error)}
        </Typography>
      )}
      {stages.length === 0 ? (
        <Typography variant="body2">
          The portal configures no promotion order (rco.promotion.order): each
          environment stands on its own.
        </Typography>
      ) : (
        <ol
          className={classes.pipeline}
          aria-label="Environments in promotion order"
        >
          {stages.map((stage, i) => (
            <li className={classes.stage} key={stage.environment}>
              {i > 0 && <ArrowForward className={classes.arrow} aria-hidden />}
              <StageCard
                stage={stage}
                release={road.release}
                markedHere={isMarked(stage.release)}
              />
            </li>
          ))}
        </ol>
      )}
    </Box>
  );
}
