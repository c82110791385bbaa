import { EnvironmentVerdict } from '@helix-portal/plugin-rco-common';
import { Box, Chip, makeStyles, Typography } from '@material-ui/core';
import CheckCircle from '@material-ui/icons/CheckCircle';
import Cancel from '@material-ui/icons/Cancel';
import { chipTone } from './StatusChip';
import { gateTitles } from './format';

const useStyles = makeStyles(theme => ({
  ready: chipTone(theme, theme.palette.success.main),
  blocked: chipTone(theme, theme.palette.error.main),
  selected: { outline: `2px solid ${theme.palette.text.primary}` },
  icon: { color: 'inherit' },
}));

/** "Ready", "Blocked by 2 gates". */
export const environmentState = (v: EnvironmentVerdict) =>
  v.ready
    ? `Ready${v.waived.length ? `, ${v.waived.length} waived` : ''}`
    : `Blocked by ${v.blockedBy.length} gate${
        v.blockedBy.length === 1 ? '' : 's'
      }`;

/**
 * The same release's state in every environment, as compact chips: a click judges the page in
 * that environment. The chip of the environment on screen is pressed.
 */
export function EnvironmentChips(props: {
  environments: EnvironmentVerdict[];
  selected?: string;
  onSelect: (environment: string) => void;
}) {
  const classes = useStyles();
  if (!props.environments.length) return null;
  return (
    <Box
      role="group"
      aria-label="This release in each environment"
      display="flex"
      alignItems="center"
      flexWrap="wrap"
      style={{ gap: 8 }}
    >
      <Typography variant="body2" component="span">
        In each environment:
      </Typography>
      {props.environments.map(v => {
        const Icon = v.ready ? CheckCircle : Cancel;
        const selected = v.environment === props.selected;
        return (
          <Chip
            key={v.environment}
            size="small"
            clickable
            aria-pressed={selected}
            title={
              v.blockedBy.length
                ? `Blocked by ${gateTitles(v.blockedBy).join(', ')}`
                : v.text
            }
            className={`${v.ready ? classes.ready : classes.blocked} ${
              selected ? classes.selected : ''
            }`}
            icon={<Icon className={classes.icon} fontSize="small" />}
            label={`${v.environment}: ${environmentState(v)}`}
            onClick={() => props.onSelect(v.environment)}
          />
        );
      })}
    </Box>
  );
}
