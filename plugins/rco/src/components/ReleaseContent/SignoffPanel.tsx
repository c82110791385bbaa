import { InfoCard } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/frontend-plugin-api';
import {
  CapabilitiesResponse,
  FourEyesView,
} from '@helix-portal/plugin-rco-common';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  List,
  ListItem,
  ListItemText,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useRef, useState } from 'react';
import { RcoApi } from '../../api/RcoApi';
import {
  HumanOnly,
  Person,
  Refusal,
  RichText,
  usePersonName,
  When,
} from '../shared';
import { Deciders } from './NextSteps';

/** Revoke, named after whose decision it ends, by display name. */
function RevokeButton(props: {
  role: string;
  signer: string;
  disabled?: boolean;
  onClick: () => void;
}) {
  const name = usePersonName(props.signer);
  return (
    <Button
      size="small"
      onClick={props.onClick}
      disabled={props.disabled}
      aria-label={`Revoke the ${props.role} decision of ${name}`}
    >
      Revoke
    </Button>
  );
}

const ROLES = [
  { role: 'po', title: 'Product Owner' },
  { role: 'dpo', title: 'Data Protection Officer' },
  { role: 'security', title: 'Security' },
] as const;

/**
 * Who signed this release in each role and when, as the backend's four-eyes rule judged it
 * (status.fourEyes): each signer's standing decision, and why an approval does not count. Sign
 * is offered to members of the role; Revoke to the signer of a decision (or to whoever may
 * revoke others' sign-offs). The backend enforces the same rules.
 */
export function SignoffPanel(props: {
  api: RcoApi;
  entityRef: { kind: string; namespace: string; name: string };
  release: { version?: string; digest?: string; requestedBy?: string };
  /** The backend's four-eyes verdict of the release (status.fourEyes). */
  fourEyes?: FourEyesView;
  capabilities?: CapabilitiesResponse;
  onChange: () => void;
}) {
  const { api, entityRef, release, fourEyes, capabilities, onChange } = props;
  const alertApi = useApi(alertApiRef);
  const [signing, setSigning] = useState<(typeof ROLES)[number] | undefined>();
  const [comment, setComment] = useState('');
  // One request at a time: a double click on Approve, Revoke or Request sends one call.
  const [pending, setPending] = useState<string | undefined>();
  const inFlight = useRef(false); // read before React re-renders the disabled buttons
  // Refusals are shown where they happened, with people by name (the alert API takes strings).
  const [refusal, setRefusal] = useState<
    { where: 'dialog' | 'panel'; title: string; error: unknown } | undefined
  >();
  /** Runs one request unless another is in flight; a refusal is kept to be shown in place. */
  const once = async (
    key: string,
    where: 'dialog' | 'panel',
    title: string,
    run: () => Promise<void>,
  ) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setPending(key);
    setRefusal(undefined);
    try {
      await run();
    } catch (error) {
      setRefusal({ where, title, error });
    } finally {
      inFlight.current = false;
      setPending(undefined);
    }
  };
  const bound = release.version && release.digest;
  // Not signable: the controls stay, disabled, and point at the reason (aria-describedby).
  const reasonId = 'rco-signoff-unavailable';
  let reason: string | undefined;
  if (!release.digest) {
    reason = `No image digest for ${
      release.version ? `v${release.version}` : 'this release'
    }: a sign-off binds to a version and an image digest, so there is nothing to sign yet. Upload evidence with ?digest= or pick a release that has one.`;
  } else if (!release.version) {
    reason =
      'No version for this release: a sign-off binds to a version and an image digest. Upload evidence with ?version= or pick a release that has one.';
  }
  const unavailable = reason
    ? { disabled: true, 'aria-describedby': reasonId }
    : {};

  const submit = (decision: 'approved' | 'rejected') => {
    if (!signing || !release.version || !release.digest) return undefined;
    const { version, digest } = release;
    return once(decision, 'dialog', 'Sign-off refused', async () => {
      await api.signOff(entityRef, {
        role: signing.role,
        release: { version, digest },
        decision,
        comment: comment || undefined,
      });
      alertApi.post({
        message: `Signed as ${signing.title}`,
        severity: 'success',
        display: 'transient',
      });
      setSigning(undefined);
      setComment('');
      onChange();
    });
  };

  const request = () => {
    if (!release.version || !release.digest) return undefined;
    const { version, digest } = release;
    return once('request', 'panel', 'Request refused', async () => {
      await api.requestRelease(entityRef, { version, digest });
      onChange();
    });
  };

  const revoke = (id: string) =>
    once(`revoke:${id}`, 'panel', 'Revocation refused', async () => {
      await api.revokeSignoff(id);
      onChange();
    });

  const closeDialog = () => {
    setSigning(undefined);
    if (refusal?.where === 'dialog') setRefusal(undefined);
  };

  return (
    <InfoCard
      title="Sign-offs"
      subheader={
        bound
          ? `Bound to v${release.version}`
          : 'Pick a release with a version and digest to sign it'
      }
    >
      <Box mb={2}>
        <HumanOnly what="Signing off" />
      </Box>
      {refusal?.where === 'panel' && (
        <Box mb={2}>
          <Refusal title={refusal.title} error={refusal.error} />
        </Box>
      )}
      {reason && (
        <Box mb={2}>
          <Alert severity="info" id={reasonId}>
            {reason}
          </Alert>
        </Box>
      )}
      {!bound && capabilities?.requestRelease && (
        <Box mb={2} component="section" aria-label="Release request">
          <Button variant="outlined" size="small" {...unavailable}>
            Request this release
          </Button>
        </Box>
      )}
      {bound && (
        <Box mb={2} component="section" aria-label="Release request">
          {release.requestedBy ? (
            <Typography variant="body2">
              Requested by <Person actor={release.requestedBy} />, who cannot
              sign it off (four eyes).
            </Typography>
          ) : (
            <>
              <Typography variant="body2" gutterBottom>
                Nobody has asked for this release yet: sign-offs count once its
                requester is on record.
              </Typography>
              {capabilities?.requestRelease && (
                <Button
                  variant="outlined"
                  size="small"
                  onClick={request}
                  disabled={!!pending}
                >
                  Request this release
                </Button>
              )}
            </>
          )}
        </Box>
      )}
      {ROLES.map(r => {
        const mine = capabilities?.signoff[r.role] ?? false;
        const verdict = fourEyes?.roles[r.role];
        const decisions = verdict?.decisions ?? [];
        // A decision belongs to its maker: Revoke for the signer, or for a sign-off admin.
        const mayRevoke = (signer: string) =>
          !!capabilities &&
          (signer === capabilities.actor || !!capabilities.revokeSignoffs);
        return (
          <Box
            key={r.role}
            mb={2}
            component="section"
            aria-label={`${r.title} sign-off`}
          >
            <Typography variant="subtitle1" component="h3">
              {r.title}
            </Typography>
            {verdict && verdict.status !== 'approved' && verdict.reason && (
              <Typography variant="body2" color="textSecondary">
                <RichText text={verdict.reason} />
              </Typography>
            )}
            {verdict?.status !== 'approved' &&
              (verdict?.next ?? []).map((step, i) =>
                // Who may sign this role, by name: an environment's required roles (production's
                // PO and Security) have no gate of their own to say it.
                step.action === 'signoff' &&
                (step.people?.length || step.group) ? (
                  <Typography key={i} variant="body2">
                    <Deciders step={step} /> can sign as {r.title}.
                  </Typography>
                ) : (
                  <Typography key={i} variant="body2">
                    <RichText text={step.text} />
                  </Typography>
                ),
              )}
            <List dense>
              {decisions.length === 0 && (
                <ListItem>
                  <ListItemText primary="Not signed" />
                </ListItem>
              )}
              {decisions.map(s => (
                <ListItem key={s.id}>
                  <ListItemText
                    primary={
                      <>
                        {s.decision === 'approved' ? 'Approved' : 'Rejected'} by{' '}
                        <Person actor={s.signer} />
                      </>
                    }
                    secondary={
                      <>
                        <When iso={s.createdAt} />
                        {s.comment ? ` — ${s.comment}` : ''}
                        {s.notCounted && (
                          <>
                            . Does not count: <Person actor={s.signer} />{' '}
                            {s.notCounted}
                          </>
                        )}
                      </>
                    }
                  />
                  {mayRevoke(s.signer) && (
                    <RevokeButton
                      role={r.title}
                      signer={s.signer}
                      disabled={!!pending}
                      onClick={() => revoke(s.id)}
                    />
                  )}
                </ListItem>
              ))}
            </List>
            {mine && (
              <Button
                // The gates' "Go to sign" step moves focus here.
                id={`rco-sign-${r.role}`}
                variant="outlined"
                color="primary"
                size="small"
                onClick={() => setSigning(r)}
                {...unavailable}
              >
                Sign as {r.title}
              </Button>
            )}
          </Box>
        );
      })}
      <Dialog
        open={!!signing}
        onClose={closeDialog}
        aria-labelledby="rco-signoff-title"
      >
        <DialogTitle id="rco-signoff-title">
          Sign v{release.version} as {signing?.title}
        </DialogTitle>
        <DialogContent>
          <Typography variant="body2" gutterBottom>
            Your decision binds to version {release.version} and image{' '}
            {release.digest}.
          </Typography>
          <TextField
            // WAI-ARIA dialog pattern: focus moves to the dialog's first field.
            // eslint-disable-next-line jsx-a11y/no-autofocus
            autoFocus
            id="rco-signoff-comment"
            label="Comment"
            fullWidth
            multiline
            minRows={2}
            value={comment}
            onChange={e => setComment(e.target.value)}
          />
          {refusal?.where === 'dialog' && (
            <Box mt={2}>
              <Refusal title={refusal.title} error={refusal.error} />
            </Box>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={closeDialog}>Cancel</Button>
          <Button onClick={() => submit('rejected')} disabled={!!pending}>
            Reject
          </Button>
          <Button
            color="primary"
            variant="contained"
            onClick={() => submit('approved')}
            disabled={!!pending}
          >
            Approve
          </Button>
        </DialogActions>
      </Dialog>
    </InfoCard>
  );
}
