import { GateStatus } from '@internal/plugin-rco-common';
import { Chip, makeStyles } from '@material-ui/core';
import CheckCircle from '@material-ui/icons/CheckCircle';
import Cancel from '@material-ui/icons/Cancel';
import HelpOutline from '@material-ui/icons/HelpOutline';
import Schedule from '@material-ui/icons/Schedule';
import PauseCircleOutline from '@material-ui/icons/PauseCircleOutline';

const LABEL: Record<GateStatus, string> = {
  pass: 'Pass',
  fail: 'Fail',
  missing: 'Missing',
  stale: 'Stale',
  waived: 'Waived',
};

const useStyles = makeStyles(theme => ({
  pass: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  fail: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  missing: {
    backgroundColor: theme.palette.grey[600],
    color: theme.palette.common.white,
  },
  stale: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  waived: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.info.contrastText,
  },
  icon: { color: 'inherit' },
}));

const ICON: Record<GateStatus, typeof CheckCircle> = {
  pass: CheckCircle,
  fail: Cancel,
  missing: HelpOutline,
  stale: Schedule,
  waived: PauseCircleOutline,
};

/** A gate status as a chip: an icon and a word, so colour is never the only signal. */
export function StatusChip(props: { status: GateStatus }) {
  const classes = useStyles();
  const Icon = ICON[props.status];
  return (
    <Chip
      size="small"
      className={classes[props.status]}
      icon={<Icon className={classes.icon} fontSize="small" />}
      label={LABEL[props.status]}
    />
  );
}
