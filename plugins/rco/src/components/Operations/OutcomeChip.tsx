import { OperationState } from '@helix-portal/plugin-rco-common';
import { Chip, makeStyles } from '@material-ui/core';
import Autorenew from '@material-ui/icons/Autorenew';
import Block from '@material-ui/icons/Block';
import Cancel from '@material-ui/icons/Cancel';
import CheckCircle from '@material-ui/icons/CheckCircle';
import HourglassEmpty from '@material-ui/icons/HourglassEmpty';
import Lock from '@material-ui/icons/Lock';
import PauseCircleFilled from '@material-ui/icons/PauseCircleFilled';
import ReportProblem from '@material-ui/icons/ReportProblem';
import Replay from '@material-ui/icons/Replay';
import Schedule from '@material-ui/icons/Schedule';
import { PAUSED_LABEL } from './model';

/** The state of an operation in words (what a screen reader and a colour-blind reader get). */
export const STATE_LABEL: Record<OperationState, string> = {
  requested: 'Requested',
  preflight: 'Preflight',
  'awaiting-confirmation': 'Awaiting confirmation',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  'rolled-back': 'Rolled back',
  aborted: 'Aborted',
  blocked: 'Blocked',
  'needs-attention': 'Needs attention',
};

const ICON: Record<OperationState, typeof CheckCircle> = {
  requested: Schedule,
  preflight: Schedule,
  'awaiting-confirmation': HourglassEmpty,
  running: Autorenew,
  succeeded: CheckCircle,
  failed: Cancel,
  'rolled-back': Replay,
  aborted: Block,
  blocked: Lock,
  'needs-attention': ReportProblem,
};

const useStyles = makeStyles(theme => ({
  success: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  error: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  warning: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  info: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.info.contrastText,
  },
  neutral: {
    backgroundColor: theme.palette.grey[600],
    color: theme.palette.common.white,
  },
  icon: { color: 'inherit' },
}));

const TONE: Record<OperationState, keyof ReturnType<typeof useStyles>> = {
  requested: 'neutral',
  preflight: 'neutral',
  'awaiting-confirmation': 'info',
  running: 'info',
  succeeded: 'success',
  failed: 'error',
  'rolled-back': 'warning',
  aborted: 'neutral',
  blocked: 'error',
  'needs-attention': 'warning',
};

/**
 * An operation's state as a chip: an icon and a word, so colour is never the only signal. A
 * canary paused for promotion is `running` to the state machine but waits for a person: it reads
 * "Paused: waiting for Promote" (isPausedForPromote), never "Running".
 */
export function OutcomeChip(props: {
  state: OperationState;
  paused?: boolean;
}) {
  const classes = useStyles();
  if (props.paused) {
    return (
      <Chip
        size="small"
        className={classes.warning}
        icon={<PauseCircleFilled className={classes.icon} fontSize="small" />}
        label={PAUSED_LABEL}
      />
    );
  }
  const Icon = ICON[props.state] ?? Schedule;
  return (
    <Chip
      size="small"
      className={classes[TONE[props.state] ?? 'neutral']}
      icon={<Icon className={classes.icon} fontSize="small" />}
      label={STATE_LABEL[props.state] ?? props.state}
    />
  );
}
