import {
  GATES,
  GateStatus,
  OperationResponse,
} from '@helix-portal/plugin-rco-common';
import {
  Box,
  Button,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import ExpandLess from '@material-ui/icons/ExpandLess';
import ExpandMore from '@material-ui/icons/ExpandMore';
import { Fragment, useState } from 'react';
import { StatusChip } from '../ReleaseContent/StatusChip';
import { shortDigest } from '../ReleaseContent/format';
import { localTime, Person, When } from '../shared';
import { isPausedForPromote, ROLE_TITLE } from './model';
import { ReasonsList } from './ReasonsList';
import { OutcomeChip } from './OutcomeChip';
import { useDescribe } from './wording';

const GATE_STATUSES = ['pass', 'fail', 'missing', 'stale', 'waived'];
/**
 * Rows shown at first, and added by each "Show older": months of deploys would otherwise put
 * hundreds of rows and Tab stops between the deploy buttons and the gate checklist, and make
 * every re-read of the tab re-draw them.
 */
export const HISTORY_PAGE = 10;

/** A gate by its title (the id stays on hover, for whoever reads the ledger). */
const gateTitle = (id: string) => GATES.find(g => g.id === id)?.title ?? id;
const roleTitle = (role: string) =>
  ROLE_TITLE[role as keyof typeof ROLE_TITLE] ?? role.toUpperCase();

/** The gates and sign-offs an operation ran under, with the hash that pins them. */
function SnapshotDetail(props: { op: OperationResponse }) {
  const { op } = props;
  // Named by what the operation was and when, as people know it, never by its id.
  const what = `${useDescribe()(op)}, ${localTime(op.createdAt)}`;
  const snapshot = op.gateSnapshot!;
  return (
    <Box py={1}>
      <Typography variant="body2">
        Evaluated <When iso={snapshot.evaluatedAt} /> · snapshot hash{' '}
        <code style={{ wordBreak: 'break-all' }}>{snapshot.hash}</code>
      </Typography>
      <ul aria-label={`Gates of ${what}`} style={{ columns: 2 }}>
        {snapshot.gates.map(g => (
          <li key={g.id}>
            <Typography variant="body2" component="span" title={g.id}>
              {gateTitle(g.id)}:{' '}
            </Typography>
            {GATE_STATUSES.includes(g.status) ? (
              <StatusChip status={g.status as GateStatus} />
            ) : (
              g.status
            )}
          </li>
        ))}
      </ul>
      <Typography variant="body2">
        Sign-offs:{' '}
        {snapshot.signoffs.length
          ? snapshot.signoffs.map((s, i) => (
              <Fragment key={`${s.role}:${s.signer}`}>
                {i > 0 && ', '}
                {roleTitle(s.role)} by <Person actor={s.signer} />
              </Fragment>
            ))
          : 'none'}
      </Typography>
      <ReasonsList reasons={op.reasons} label={`Reasons of ${what}`} />
    </Box>
  );
}

/**
 * Who did what, when, with what outcome, and under which gates: each row opens the gate
 * snapshot the operation was judged by (gates, sign-offs and the hash the ledger pins).
 */
export function HistoryTable(props: { operations: OperationResponse[] }) {
  const describe = useDescribe();
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [shown, setShown] = useState(HISTORY_PAGE);
  const total = props.operations.length;
  const rows = props.operations.slice(0, shown);
  const toggle = (id: string) =>
    setOpen(prev => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <Box component="section" aria-labelledby="rco-history-title" mt={3}>
      <Typography variant="h6" component="h3" id="rco-history-title">
        Deploy history
      </Typography>
      <Table size="small" aria-labelledby="rco-history-title">
        <TableHead>
          <TableRow>
            <TableCell>When</TableCell>
            <TableCell>Who</TableCell>
            <TableCell>What</TableCell>
            <TableCell>Outcome</TableCell>
            <TableCell>Gate snapshot</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.operations.length === 0 && (
            <TableRow>
              <TableCell colSpan={5}>No deploys yet</TableCell>
            </TableRow>
          )}
          {rows.map(op => {
            const snapshot = op.gateSnapshot;
            const passing = snapshot?.gates.filter(
              g => g.status === 'pass' || g.status === 'waived',
            ).length;
            const expanded = open.has(op.id);
            return (
              <Fragment key={op.id}>
                <TableRow>
                  <TableCell>
                    <When iso={op.createdAt} />
                  </TableCell>
                  <TableCell>
                    <Person actor={op.requestedBy} />
                    {op.confirmedBy && op.confirmedBy !== op.requestedBy && (
                      <>
                        {' '}
                        (confirmed by <Person actor={op.confirmedBy} />)
                      </>
                    )}
                  </TableCell>
                  <TableCell>
                    {describe(op)}
                    {op.type === 'deploy' && op.release.digest && (
                      <Typography
                        variant="caption"
                        color="textSecondary"
                        component="span"
                        title={op.release.digest}
                      >
                        {' '}
                        · {shortDigest(op.release.digest)}
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell>
                    <OutcomeChip
                      state={op.state}
                      paused={isPausedForPromote(op)}
                    />
                  </TableCell>
                  <TableCell>
                    {snapshot ? (
                      <Button
                        size="small"
                        aria-expanded={expanded}
                        aria-controls={`rco-snapshot-${op.id}`}
                        endIcon={expanded ? <ExpandLess /> : <ExpandMore />}
                        onClick={() => toggle(op.id)}
                      >
                        {passing} of {snapshot.gates.length} gates pass or
                        waived
                      </Button>
                    ) : (
                      'none (no preflight)'
                    )}
                  </TableCell>
                </TableRow>
                {expanded && snapshot && (
                  <TableRow id={`rco-snapshot-${op.id}`}>
                    <TableCell colSpan={5}>
                      <SnapshotDetail op={op} />
                    </TableCell>
                  </TableRow>
                )}
              </Fragment>
            );
          })}
        </TableBody>
      </Table>
      {total > HISTORY_PAGE && (
        <Box mt={1} display="flex" alignItems="center" gridGap={8}>
          <Typography variant="body2" color="textSecondary" role="status">
            The newest {rows.length} of {total} operations
          </Typography>
          {shown < total ? (
            <Button
              size="small"
              onClick={() => setShown(n => n + HISTORY_PAGE)}
            >
              Show {Math.min(HISTORY_PAGE, total - shown)} older
            </Button>
          ) : (
            <Button size="small" onClick={() => setShown(HISTORY_PAGE)}>
              Show the newest {HISTORY_PAGE} only
            </Button>
          )}
        </Box>
      )}
    </Box>
  );
}
