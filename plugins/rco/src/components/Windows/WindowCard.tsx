import {
  CapabilitiesResponse,
  DeployWindowView,
} from '@helix-portal/plugin-rco-common';
import { Box, Button, Chip, Paper, Typography } from '@material-ui/core';
import CheckCircleOutline from '@material-ui/icons/CheckCircleOutline';
import HourglassEmpty from '@material-ui/icons/HourglassEmpty';
import { useState } from 'react';
import { ROLE_TITLE } from '../Operations/model';
import { Person, Refusal, When } from '../shared';
import { releaseWords, windowWords } from '../Road/format';

const STATE_WORDS: Record<DeployWindowView['state'], string> = {
  proposed: 'Proposed: waiting for acceptances',
  accepted: 'Accepted',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

/** Roles the caller may accept for: required, not yet accepted, held by the caller. */
export function rolesToAccept(
  w: DeployWindowView,
  capabilities?: CapabilitiesResponse,
) {
  if (!capabilities || w.proposedBy === capabilities.actor) return [];
  if (w.state !== 'proposed') return [];
  return w.requiredRoles.filter(
    role =>
      capabilities.signoff[role] && !w.acceptances.some(a => a.role === role),
  );
}

/**
 * One deployment window: when (in the proposer's zone and the viewer's), its state in words,
 * each required role's acceptance, and Accept / Cancel for those who may (the backend decides;
 * a refusal is shown as its sentence beside the buttons).
 */
export function WindowCard(props: {
  window: DeployWindowView;
  capabilities?: CapabilitiesResponse;
  onAccept: (w: DeployWindowView) => Promise<unknown>;
  onCancel: (w: DeployWindowView) => Promise<unknown>;
}) {
  const w = props.window;
  const caps = props.capabilities;
  const [error, setError] = useState<{ what: string; error: unknown }>();
  const [busy, setBusy] = useState(false);
  const toAccept = rolesToAccept(w, caps);
  const live = w.state === 'proposed' || w.state === 'accepted';
  const mayCancel =
    live &&
    !!caps &&
    (caps.actor === w.proposedBy || !!caps.operations?.deploy);
  const name = `the ${w.environment} window from ${windowWords(w)}`;
  const act = async (what: string, fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError({ what, error: e });
    } finally {
      setBusy(false);
    }
  };
  const headingId = `rco-window-${w.id}`;
  return (
    <Paper variant="outlined" component="section" aria-labelledby={headingId}>
      <Box p={2}>
        <Box
          display="flex"
          alignItems="center"
          flexWrap="wrap"
          style={{ gap: 8 }}
        >
          <Typography variant="subtitle1" component="h4" id={headingId}>
            {w.environment}: {windowWords(w)}
          </Typography>
          <Chip
            size="small"
            variant={w.openNow ? 'default' : 'outlined'}
            color={w.openNow ? 'primary' : 'default'}
            label={w.openNow ? 'Open now' : STATE_WORDS[w.state]}
          />
        </Box>
        <Typography variant="body2">
          For {releaseWords(w.release)}. In your time:{' '}
          <When iso={w.start} prefix="opens" local />, closes{' '}
          <When iso={w.end} local />.
        </Typography>
        <Typography variant="body2" color="textSecondary">
          Proposed by <Person actor={w.proposedBy} />{' '}
          <When iso={w.proposedAt} />
        </Typography>
        <ul
          aria-label={`Acceptances of ${name}`}
          style={{ margin: '8px 0', paddingLeft: 20 }}
        >
          {w.requiredRoles.map(role => {
            const accepted = w.acceptances.find(a => a.role === role);
            return (
              <li key={role}>
                <Typography variant="body2">
                  {accepted ? (
                    <CheckCircleOutline fontSize="inherit" aria-hidden />
                  ) : (
                    <HourglassEmpty fontSize="inherit" aria-hidden />
                  )}{' '}
                  {ROLE_TITLE[role]}:{' '}
                  {accepted ? (
                    <>
                      accepted by <Person actor={accepted.by} />{' '}
                      <When iso={accepted.at} />
                    </>
                  ) : (
                    'not accepted yet'
                  )}
                </Typography>
              </li>
            );
          })}
        </ul>
        {(toAccept.length > 0 || mayCancel) && (
          <Box display="flex" style={{ gap: 8 }} flexWrap="wrap">
            {toAccept.length > 0 && (
              <Button
                variant="contained"
                color="primary"
                size="small"
                disabled={busy}
                aria-label={`Accept ${name} as ${toAccept
                  .map(r => ROLE_TITLE[r])
                  .join(' and ')}`}
                onClick={() => act('accepted', () => props.onAccept(w))}
              >
                Accept as {toAccept.map(r => ROLE_TITLE[r]).join(' and ')}
              </Button>
            )}
            {mayCancel && (
              <Button
                variant="outlined"
                size="small"
                disabled={busy}
                aria-label={`Cancel ${name}`}
                onClick={() => act('cancelled', () => props.onCancel(w))}
              >
                Cancel window
              </Button>
            )}
          </Box>
        )}
        {error && (
          <Box mt={1}>
            <Refusal
              title={`The window was not ${error.what}`}
              error={error.error}
            />
          </Box>
        )}
      </Box>
    </Paper>
  );
}
