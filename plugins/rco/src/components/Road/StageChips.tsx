import { RoadStage, RoadStageState } from '@helix-portal/plugin-rco-common';
import { Chip, makeStyles } from '@material-ui/core';
import Cancel from '@material-ui/icons/Cancel';
import CheckCircle from '@material-ui/icons/CheckCircle';
import HourglassEmpty from '@material-ui/icons/HourglassEmpty';
import RadioButtonUnchecked from '@material-ui/icons/RadioButtonUnchecked';
import Replay from '@material-ui/icons/Replay';
import Sync from '@material-ui/icons/Sync';
import Timeline from '@material-ui/icons/Timeline';
import { chipTone } from '../ReleaseContent/StatusChip';
import { ANALYSIS_WORDS, STATE_WORDS } from './format';

const useStyles = makeStyles(theme => ({
  good: chipTone(theme, theme.palette.success.main),
  bad: chipTone(theme, theme.palette.error.main),
  wait: chipTone(theme, theme.palette.info.main),
  none: chipTone(theme, theme.palette.grey[700]),
  icon: { color: 'inherit' },
}));

const STATE: Record<
  RoadStageState,
  { icon: typeof Cancel; tone: 'good' | 'bad' | 'wait' | 'none' }
> = {
  empty: { icon: RadioButtonUnchecked, tone: 'none' },
  deploying: { icon: Sync, tone: 'wait' },
  soaking: { icon: HourglassEmpty, tone: 'wait' },
  soaked: { icon: CheckCircle, tone: 'good' },
  failed: { icon: Cancel, tone: 'bad' },
  'rolled-back': { icon: Replay, tone: 'bad' },
};

/** The stage's state as an icon and a word: colour is never the only signal. */
export function StageStateChip(props: { state: RoadStageState }) {
  const classes = useStyles();
  const { icon: Icon, tone } = STATE[props.state];
  return (
    <Chip
      size="small"
      className={classes[tone]}
      icon={<Icon className={classes.icon} aria-hidden />}
      label={STATE_WORDS[props.state]}
    />
  );
}

export function AnalysisChip(props: { analysis: RoadStage['analysis'] }) {
  const classes = useStyles();
  const tone = ({ green: 'good', failed: 'bad', none: 'none' } as const)[
    props.analysis
  ];
  return (
    <Chip
      size="small"
      variant={props.analysis === 'none' ? 'outlined' : 'default'}
      className={props.analysis === 'none' ? undefined : classes[tone]}
      icon={<Timeline className={classes.icon} aria-hidden />}
      label={ANALYSIS_WORDS[props.analysis]}
    />
  );
}
