import { OverrideOutcome } from '@helix-portal/plugin-rco-common';
import {
  Chip,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { Person } from '../shared';
import { tableCaption } from './DataTable';
import { instant } from './format';
import { OperationLinks } from './OperationLinks';

/** How an override ended, in words (the colour of its chip only repeats them). */
export const OUTCOME: Record<OverrideOutcome['outcome'], string> = {
  unused: 'Unused: no deploy went through it',
  active: 'Active, not used yet',
  healthy: 'Healthy: every deploy through it stayed up',
  failed: 'Failed: a deploy through it failed',
};

const useStyles = makeStyles(theme => ({
  caption: tableCaption(theme),
  failed: { borderColor: theme.palette.error.main },
  healthy: { borderColor: theme.palette.success.main },
}));

/**
 * Waivers and break-glass overrides with how each ended: who granted it and why, what it
 * covered, and the deploys that went through it (each opens its operation).
 */
export function OverrideHistory(props: {
  overrides: OverrideOutcome[];
  caption: string;
  titles?: Record<string, string>;
  /** Hide the kind column where every row has the same kind (the dialogs). */
  kind?: boolean;
}) {
  const classes = useStyles();
  if (!props.overrides.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        {props.caption}: none in this period.
      </Typography>
    );
  }
  const kind = props.kind !== false;
  return (
    <Table size="small" data-testid="rco-override-history">
      <caption className={classes.caption}>{props.caption}</caption>
      <TableHead>
        <TableRow>
          {kind && <TableCell component="th">Kind</TableCell>}
          <TableCell component="th">Gate</TableCell>
          <TableCell component="th">Scope</TableCell>
          <TableCell component="th">Granted</TableCell>
          <TableCell component="th">Justification</TableCell>
          <TableCell component="th">Outcome</TableCell>
          <TableCell component="th">Deploys through it</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.overrides.map(o => (
          <TableRow key={`${o.kind}|${o.id}`}>
            {kind && <TableCell>{o.kind}</TableCell>}
            <TableCell>
              {o.gate ? props.titles?.[o.gate] ?? o.gate : 'every gate'}
            </TableCell>
            <TableCell>
              {o.environment ?? 'every environment'}
              {o.releaseVersion ? `, v${o.releaseVersion}` : ', every release'}
            </TableCell>
            <TableCell>
              {instant(o.createdAt)} by <Person actor={o.grantedBy} />
              <br />
              {o.revokedAt
                ? `revoked ${instant(o.revokedAt)}`
                : `until ${instant(o.expiresAt)}`}
            </TableCell>
            <TableCell>{o.justification}</TableCell>
            <TableCell>
              <Chip
                size="small"
                variant="outlined"
                className={
                  o.outcome === 'failed' || o.outcome === 'healthy'
                    ? classes[o.outcome]
                    : undefined
                }
                label={OUTCOME[o.outcome] ?? o.outcome}
              />
            </TableCell>
            <TableCell>
              {o.operations.length ? (
                <OperationLinks
                  ids={o.operations}
                  label={`through ${o.kind} ${o.id}`}
                />
              ) : (
                'none'
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
