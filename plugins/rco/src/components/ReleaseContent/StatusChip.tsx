import { GateStatus } from '@helix-portal/plugin-rco-common';
import { Chip, makeStyles, Theme } from '@material-ui/core';
import { getContrastRatio } from '@material-ui/core/styles';
import CheckCircle from '@material-ui/icons/CheckCircle';
import Cancel from '@material-ui/icons/Cancel';
import HelpOutline from '@material-ui/icons/HelpOutline';
import Schedule from '@material-ui/icons/Schedule';
import PauseCircleOutline from '@material-ui/icons/PauseCircleOutline';
import { verdictOf } from './format';

const LABEL: Record<GateStatus, string> = {
  pass: 'Pass',
  fail: 'Fail',
  missing: 'Missing',
  stale: 'Stale',
  waived: 'Waived',
};

/**
 * A chip's colours from the theme palette, with whichever of black and white reads better on it.
 * The palette's own `contrastText` only promises 3:1 (white on the default error red is 3.7:1);
 * the better of black and white is at least 4.5:1 on any background, in light and dark themes.
 */
export function chipTone(theme: Theme, background: string) {
  const { black, white } = theme.palette.common;
  return {
    backgroundColor: background,
    color:
      getContrastRatio(white, background) >= getContrastRatio(black, background)
        ? white
        : black,
  };
}

const useStyles = makeStyles(theme => ({
  pass: chipTone(theme, theme.palette.success.main),
  fail: chipTone(theme, theme.palette.error.main),
  missing: chipTone(theme, theme.palette.grey[700]),
  stale: chipTone(theme, theme.palette.warning.main),
  waived: chipTone(theme, theme.palette.info.main),
  icon: { color: 'inherit' },
  ready: chipTone(theme, theme.palette.success.main),
  blocked: chipTone(theme, theme.palette.error.main),
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

/**
 * The release verdict in words ("Blocked by 3 gates, 1 gate waived"), a polite live region so a
 * change after an upload or a waiver is announced.
 */
export function VerdictChip(props: {
  summary: { blockedBy: string[]; waived: string[]; ready: boolean };
  /** The verdict as shown ("Blocked in production"); verdictOf(summary) when absent. */
  label?: string;
  /** Said with it to assistive technology ("Blocked by 2 gates: …"). */
  detail?: string;
}) {
  const classes = useStyles();
  const verdict = props.label ?? verdictOf(props.summary);
  return (
    <Chip
      role="status"
      aria-label={`Verdict: ${verdict}${
        props.detail ? `. ${props.detail}` : ''
      }`}
      className={props.summary.ready ? classes.ready : classes.blocked}
      label={verdict}
    />
  );
}
