import { CompoundEntityRef } from '@backstage/catalog-model';
import { OverrideResponse } from '@helix-portal/plugin-rco-common';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { DateTime, Duration } from 'luxon';
import { useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { RcoApi } from '../../api/RcoApi';
import { shortDigest } from '../ReleaseContent/format';
import { HumanOnly, Person, When } from '../shared';
import { messageOf } from './errors';
import { humanDuration } from './model';
import { OverridePast } from '../Metrics/OverrideInsight';

const MIN_JUSTIFICATION = 20;
const LOCAL = "yyyy-LL-dd'T'HH:mm";

/** What is wrong with the expiry, or undefined when the backend will accept it. */
export function expiryProblem(
  value: string,
  max: Duration,
  now = DateTime.now(),
) {
  const at = DateTime.fromISO(value);
  if (!value || !at.isValid) return 'Give a date and time';
  if (at <= now) return 'The expiry must be in the future';
  // The backend refuses anything later than now + max, to the second.
  if (at > now.plus(max)) {
    return `More than ${humanDuration(max)} away: choose an earlier time`;
  }
  return undefined;
}

/**
 * The active override, said aloud above the Deploy button: it changes what Deploy may do. The
 * break-glass group can end it early (the incident is over): `onRevoke` is given only to them.
 */
export function OverrideBanner(props: {
  override: OverrideResponse;
  onRevoke?: (override: OverrideResponse) => Promise<void>;
}) {
  const o = props.override;
  const [{ loading: busy, error }, revoke] = useAsyncFn(
    async () => props.onRevoke!(o),
    [props.onRevoke, o],
  );
  return (
    <Alert
      severity="warning"
      role="status"
      aria-label="Break-glass override active"
      action={
        props.onRevoke && (
          <Button
            color="inherit"
            size="small"
            disabled={busy}
            onClick={revoke}
            aria-label={`Revoke the break-glass override for ${o.environment}`}
          >
            Revoke
          </Button>
        )
      }
    >
      Break-glass override active in {o.environment} for v
      {o.release.version ?? '—'} ({shortDigest(o.release.digest)}), ends{' '}
      <When iso={o.expiresAt} />, by <Person actor={o.createdBy} />:{' '}
      {o.justification}. Failing gates do not block this release there;
      sign-offs still do.
      {error && (
        <Typography variant="body2" color="error" role="alert">
          Could not revoke it: {messageOf(error)}
        </Typography>
      )}
    </Alert>
  );
}

/**
 * Break-glass: lets this release deploy to this environment despite failing gates, for at most
 * the portal's maximum (four hours by default), with a justification that lands in the ledger
 * and a notification to Security.
 * Offered only to the break-glass group; the backend checks again.
 */
export function BreakGlassDialog(props: {
  api: RcoApi;
  entityRef: CompoundEntityRef;
  environment: string;
  release: { version?: string; digest?: string };
  /** The longest override the backend grants (rco.breakGlass.maxDuration). */
  maxDuration: Duration;
  onClose: (created?: OverrideResponse) => void;
}) {
  const { api, entityRef, environment, release, maxDuration } = props;
  const [justification, setJustification] = useState('');
  // An hour from now, or the maximum when the portal allows less.
  const [expires, setExpires] = useState(() =>
    DateTime.now()
      .plus(Math.min(maxDuration.toMillis(), 3_600_000))
      .toFormat(LOCAL),
  );
  const short = justification.trim().length < MIN_JUSTIFICATION;
  const expiryError = expiryProblem(expires, maxDuration);

  const [{ loading: busy, error }, submit] = useAsyncFn(async () => {
    const created = await api.createOverride(entityRef, {
      environment,
      release: { version: release.version, digest: release.digest },
      justification: justification.trim(),
      expiresAt: DateTime.fromISO(expires).toUTC().toISO()!,
    });
    props.onClose(created);
  }, [api, entityRef, environment, release, justification, expires]);

  return (
    <Dialog
      open
      onClose={() => props.onClose()}
      aria-labelledby="rco-break-glass-title"
      fullWidth
    >
      <DialogTitle id="rco-break-glass-title">
        Break glass: deploy v{release.version} to {environment} despite failing
        gates
      </DialogTitle>
      <DialogContent>
        <Typography variant="body2" gutterBottom>
          The override holds for this release and environment only, is recorded
          in the ledger and Security is notified at once. Sign-offs are still
          required.
        </Typography>
        <HumanOnly what="Breaking glass" />
        <TextField
          id="rco-break-glass-justification"
          label="Justification"
          required
          fullWidth
          multiline
          minRows={3}
          margin="normal"
          value={justification}
          onChange={e => setJustification(e.target.value)}
          error={justification.length > 0 && short}
          helperText={`The incident and why it cannot wait (at least ${MIN_JUSTIFICATION} characters; ${
            justification.trim().length
          } so far)`}
        />
        <TextField
          id="rco-break-glass-expires"
          label="Expires"
          type="datetime-local"
          required
          fullWidth
          margin="normal"
          value={expires}
          onChange={e => setExpires(e.target.value)}
          InputLabelProps={{ shrink: true }}
          error={!!expiryError}
          helperText={
            expiryError ?? `At most ${humanDuration(maxDuration)} from now`
          }
        />
        {error && (
          <Alert severity="error" role="alert">
            {messageOf(error)}
          </Alert>
        )}
        {/* Issue 17: how earlier break-glass overrides here ended (read only). */}
        <OverridePast
          api={api}
          entityRef={entityRef}
          environment={environment}
          kind="break-glass"
          title={`Past break-glass overrides in ${environment}`}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={() => props.onClose()} disabled={busy}>
          Cancel
        </Button>
        <Button
          color="secondary"
          variant="contained"
          disabled={short || !!expiryError || busy}
          onClick={submit}
        >
          Record override
        </Button>
      </DialogActions>
    </Dialog>
  );
}
