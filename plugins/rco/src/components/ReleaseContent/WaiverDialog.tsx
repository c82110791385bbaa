import { alertApiRef, useApi } from '@backstage/frontend-plugin-api';
import {
  GateResult,
  WaiverProposalView,
} from '@helix-portal/plugin-rco-common';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { DateTime } from 'luxon';
import { useRef, useState } from 'react';
import { RcoApi } from '../../api/RcoApi';
import { HumanOnly, Person, Refusal } from '../shared';
import { ProposalScope } from './WaiverProposals';
import { OverridePast, WaiverWhatIf } from '../Metrics/OverrideInsight';

/** The backend names the request's fields; people read the form's labels. */
const FIELD_WORDS: Array<[RegExp, string]> = [
  [/^expiresAt must be in the future/, 'The expiry must be in the future'],
  [/\bexpiresAt\b/g, 'the expiry'],
  [/\bjustification\b/g, 'the justification'],
];
export const waiverRefusalWords = (message: string) =>
  FIELD_WORDS.reduce((m, [field, words]) => m.replace(field, words), message);

/** Waive one gate with a justification and an expiry (at most seven days, the default maximum). */
export function WaiverDialog(props: {
  api: RcoApi;
  entityRef: { kind: string; namespace: string; name: string };
  gates: GateResult[];
  environment?: string;
  /** The gate to waive, when the dialog opens from that gate's next step. */
  initialGate?: string;
  /**
   * A proposal under review (issue 16): its gate, environment and release are what is granted
   * (fixed: granting from a proposal never waives something else); its justification and expiry
   * fill the form, for the reviewer to change.
   */
  proposal?: WaiverProposalView;
  open: boolean;
  onClose: (changed: boolean) => void;
}) {
  const { api, entityRef, gates, open, onClose, proposal } = props;
  // What a grant from a proposal covers is the proposal's, not the page's current view.
  const environment = proposal ? proposal.environment : props.environment;
  const alertApi = useApi(alertApiRef);
  // The sign-off gate is passed by people signing, never waived (the backend refuses it).
  // A proposal's gate is offered whatever its status here (extending a waiver in force).
  const blocking = gates.filter(
    g =>
      g.id !== 'dpo-signoff' &&
      ((g.status !== 'pass' && g.status !== 'waived') ||
        g.id === proposal?.gate),
  );
  const [gate, setGate] = useState(
    proposal
      ? proposal.gate
      : blocking.find(g => g.id === props.initialGate)?.id ??
          blocking[0]?.id ??
          '',
  );
  const [justification, setJustification] = useState(
    proposal?.justification ?? '',
  );
  const [expires, setExpires] = useState(
    (proposal
      ? DateTime.fromISO(proposal.expiresAt)
      : DateTime.now().plus({ days: 3 })
    ).toFormat("yyyy-LL-dd'T'HH:mm"),
  );
  const tooShort = justification.trim().length < 10;
  // One waiver per click burst; a refusal is said in the dialog, in words.
  const [pending, setPending] = useState(false);
  const inFlight = useRef(false);
  const [refusal, setRefusal] = useState<unknown>();

  const submit = async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    setPending(true);
    setRefusal(undefined);
    try {
      await api.createWaiver(entityRef, {
        gate,
        justification: justification.trim(),
        expiresAt: DateTime.fromISO(expires).toUTC().toISO()!,
        environment,
        ...(proposal?.releaseVersion
          ? { releaseVersion: proposal.releaseVersion }
          : {}),
      });
      alertApi.post({
        message: `${gates.find(g => g.id === gate)?.title ?? gate} waived${
          environment ? ` in ${environment}` : ''
        }`,
        severity: 'success',
        display: 'transient',
      });
      onClose(true);
    } catch (e) {
      setRefusal(e);
    } finally {
      inFlight.current = false;
      setPending(false);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={() => onClose(false)}
      aria-labelledby="rco-waiver-title"
      fullWidth
    >
      <DialogTitle id="rco-waiver-title">Waive a gate</DialogTitle>
      <DialogContent>
        <HumanOnly what="Granting a waiver" />
        {proposal && (
          <Typography variant="body2" component="div" style={{ marginTop: 8 }}>
            As <Person actor={proposal.proposedBy} /> proposed:
            <ProposalScope proposal={proposal} />
          </Typography>
        )}
        {/* Each field has an id: it is what ties the label (and the helper text) to the input. */}
        <TextField
          id="rco-waiver-gate"
          select
          fullWidth
          label="Gate"
          value={gate}
          onChange={e => setGate(e.target.value)}
          disabled={!!proposal}
          margin="normal"
        >
          {blocking.map(g => (
            <MenuItem key={g.id} value={g.id}>
              {g.title}
            </MenuItem>
          ))}
        </TextField>
        {/* Focus starts in the dialog, on what must be written; without it MUI focuses the
            backdrop's container, outside the dialog, and a screen reader hears nothing. */}
        <TextField
          id="rco-waiver-justification"
          // WAI-ARIA dialog pattern: focus moves to the dialog's first field.
          // eslint-disable-next-line jsx-a11y/no-autofocus
          autoFocus
          fullWidth
          multiline
          minRows={3}
          label="Justification"
          required
          margin="normal"
          value={justification}
          onChange={e => setJustification(e.target.value)}
          error={justification.length > 0 && tooShort}
          helperText="Why shipping without this gate is acceptable, and what makes it right (10 characters at least)"
        />
        <TextField
          id="rco-waiver-expires"
          fullWidth
          type="datetime-local"
          label="Expires"
          required
          margin="normal"
          value={expires}
          onChange={e => setExpires(e.target.value)}
          InputLabelProps={{ shrink: true }}
          helperText="At most seven days from now"
        />
        {/* Issue 17: what this waiver would change, and how this gate's waivers ended before.
            Both only read; when they fail the dialog says so and still grants. */}
        {/* Keyed by what it replays: a result never stands beside values it was not asked for. */}
        <WaiverWhatIf
          key={`${gate}|${expires}`}
          api={api}
          entityRef={entityRef}
          gate={gate}
          environment={environment}
          releaseVersion={proposal?.releaseVersion}
          expires={expires}
        />
        <OverridePast
          api={api}
          entityRef={entityRef}
          environment={environment}
          kind="waiver"
          gate={gate}
          title="This gate's past waivers"
        />
        {refusal !== undefined && (
          <Refusal
            title="Waiver refused"
            error={refusal}
            words={waiverRefusalWords}
          />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => onClose(false)}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={!gate || tooShort || pending}
          onClick={submit}
        >
          Waive
        </Button>
      </DialogActions>
    </Dialog>
  );
}
