import { GatePolicyResponse } from '@helix-portal/plugin-rco-common';
import {
  Button,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
} from '@material-ui/core';
import { durationWords } from '../Metrics/format';
import { tableCaption } from '../Metrics';

const useStyles = makeStyles(theme => ({
  caption: tableCaption(theme),
}));

export { durationWords };

/** The thresholds in force, gate by gate, each with a button to replay a change of it. */
export function PolicyTable(props: {
  policy: GatePolicyResponse;
  selected?: string;
  onSelect: (gate: string) => void;
}) {
  const classes = useStyles();
  return (
    <Table size="small" data-testid="rco-gate-policy-table">
      <caption className={classes.caption}>
        The gate thresholds in force (app-config rco.gates), failure window{' '}
        {durationWords(props.policy.failureWindow)}
      </caption>
      <TableHead>
        <TableRow>
          <TableCell component="th" scope="col">
            Gate
          </TableCell>
          <TableCell component="th" scope="col">
            Maximum evidence age
          </TableCell>
          <TableCell component="th" scope="col">
            Blocking severities
          </TableCell>
          <TableCell component="th" scope="col">
            <span style={{ position: 'absolute', left: -10000 }}>Action</span>
          </TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.policy.gates.map(g => (
          <TableRow key={g.gate} selected={props.selected === g.gate}>
            <TableCell component="th" scope="row">
              {g.title}
            </TableCell>
            <TableCell>
              {g.signoff ? 'Passed by people signing' : durationWords(g.maxAge)}
            </TableCell>
            <TableCell>{g.blockingSeverities?.join(', ') ?? '—'}</TableCell>
            <TableCell>
              {!g.signoff && (
                <Button
                  size="small"
                  variant={props.selected === g.gate ? 'contained' : 'outlined'}
                  color="primary"
                  onClick={() => props.onSelect(g.gate)}
                  aria-label={`Try a change of ${g.title}`}
                >
                  Try a change
                </Button>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
