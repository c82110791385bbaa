import { RoadStage } from '@helix-portal/plugin-rco-common';
import { Box, makeStyles, Paper, Typography } from '@material-ui/core';
import Block from '@material-ui/icons/Block';
import CheckCircleOutline from '@material-ui/icons/CheckCircleOutline';
import { durationWords } from '../shared/RichText';
import { RichText, When } from '../shared';
import { releaseWords, sameRelease, UNTIL_WORDS, windowWords } from './format';
import { AnalysisChip, StageStateChip } from './StageChips';

type Release = { version?: string; digest?: string };

const useStyles = makeStyles(theme => ({
  card: { padding: theme.spacing(2), flex: 1, minWidth: 0 },
  list: { margin: theme.spacing(0.5, 0, 0), paddingLeft: theme.spacing(2.5) },
  marked: {
    borderLeft: `4px solid ${theme.palette.error.main}`,
  },
}));

/** The soak in words: "Soaked 5 hours of 1 day", "Soak ends 15 Dec, 22:00 (in 19 hours)". */
function Soak(props: { stage: RoadStage }) {
  const { stage } = props;
  if (stage.state === 'empty') return null;
  return (
    <Typography variant="body2">
      Soak: {stage.soakedFor ? durationWords(stage.soakedFor) : 'nothing yet'}{' '}
      of {durationWords(stage.soakRequired)} required
      {stage.soakEndsAt && stage.state === 'soaking' && (
        <>
          {'; '}
          <When iso={stage.soakEndsAt} prefix="ends" local />
        </>
      )}
      {stage.state === 'soaked' && '; soaked'}
    </Typography>
  );
}

/**
 * One environment on the road: the release in it, its state, soak and analysis, the window and
 * freezes, and what blocks the release asked about from entering it, each blocker with when it
 * lifts by itself in the viewer's time.
 */
export function StageCard(props: {
  stage: RoadStage;
  /** The release the road was asked about (the one picked on the tab). */
  release: Release;
  /** The release running here is marked (failed or rolled back somewhere). */
  markedHere?: boolean;
}) {
  const { stage, release } = props;
  const classes = useStyles();
  const headingId = `rco-road-${stage.environment}`;
  const runsAsked = !!stage.release && sameRelease(stage.release, release);
  return (
    <Paper
      variant="outlined"
      className={`${classes.card} ${props.markedHere ? classes.marked : ''}`}
      component="section"
      aria-labelledby={headingId}
    >
      <Typography variant="h6" component="h3" id={headingId}>
        {stage.environment}
      </Typography>
      <Box display="flex" flexWrap="wrap" style={{ gap: 6 }} my={1}>
        <StageStateChip state={stage.state} />
        <AnalysisChip analysis={stage.analysis} />
      </Box>
      <Typography variant="body2">
        {stage.release ? (
          <>
            Runs {releaseWords(stage.release)}
            {runsAsked ? ' (this release)' : ''}
            {stage.deployedAt && (
              <>
                , deployed <When iso={stage.deployedAt} />
              </>
            )}
          </>
        ) : (
          'Nothing deployed yet'
        )}
      </Typography>
      {props.markedHere && (
        <Typography variant="body2" color="error">
          <strong>Marked:</strong> do not promote this release.
        </Typography>
      )}
      <Soak stage={stage} />
      {stage.window && (
        <Typography variant="body2">
          Window {stage.window.openNow ? 'open now' : stage.window.state}:{' '}
          {windowWords(stage.window)}
        </Typography>
      )}
      {stage.freezes.map(f => (
        <Typography variant="body2" key={`${f.name}|${f.from}`}>
          Freeze {f.name}:{' '}
          {f.active ? (
            <When iso={f.until} prefix="active until" local />
          ) : (
            <>
              <When iso={f.from} prefix="from" local />{' '}
              <When iso={f.until} prefix="until" local />
            </>
          )}
        </Typography>
      ))}
      <Box mt={1}>
        {stage.blockers.length === 0 ? (
          <Typography variant="body2">
            <CheckCircleOutline
              fontSize="inherit"
              aria-hidden
              style={{ verticalAlign: 'middle' }}
            />{' '}
            Nothing blocks {releaseWords(release)} from entering{' '}
            {stage.environment}.
          </Typography>
        ) : (
          <>
            <Typography variant="body2" component="h4">
              <Block
                fontSize="inherit"
                aria-hidden
                style={{ verticalAlign: 'middle' }}
              />{' '}
              What blocks {releaseWords(release)} here:
            </Typography>
            <ul
              className={classes.list}
              aria-label={`What blocks the release in ${stage.environment}`}
            >
              {stage.blockers.map(b => (
                <li key={`${b.kind}|${b.message}`}>
                  <Typography variant="body2">
                    <RichText text={b.message} />
                    {b.until && !b.message.includes(b.until) && (
                      <>
                        {' '}
                        <When
                          iso={b.until}
                          prefix={UNTIL_WORDS[b.kind]}
                          local
                        />
                        .
                      </>
                    )}
                    {b.overriddenBy && ' Lifted by a break-glass override.'}
                  </Typography>
                </li>
              ))}
            </ul>
          </>
        )}
      </Box>
    </Paper>
  );
}
