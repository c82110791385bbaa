import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { FormEvent, ReactNode, useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { RichText } from '../shared';
import { messageOf } from './errors';

/** One line of the plan the person confirms. */
export interface PlanStep {
  title: string;
  irreversible?: boolean;
}

/**
 * Confirms an operation by typing the service's name, as the backend requires: the plan (what
 * will happen, where, replacing what) is on screen while the person types. Used for the plan of
 * a deploy or rollback and, separately, for an irreversible step.
 */
export function ConfirmDialog(props: {
  title: string;
  /** metadata.name of the entity: what must be typed. */
  entityName: string;
  facts: Array<[string, ReactNode]>;
  steps: PlanStep[];
  warning?: string;
  /** Extra fields (the optional database migration of a deploy). */
  children?: ReactNode;
  /** Runs the operation; a rejection keeps the dialog open with the server's message. */
  onConfirm: (confirmation: string) => Promise<void>;
  onClose: () => void;
}) {
  const { title, entityName, facts, steps, warning, children } = props;
  const [typed, setTyped] = useState('');
  const matches = typed === entityName;
  const [{ loading: busy, error }, confirm] = useAsyncFn(
    () => props.onConfirm(typed),
    [props.onConfirm, typed],
  );

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    // A second click while the first request is out is ignored (the idempotency key covers
    // the rest, e.g. a retry after a lost response).
    if (!matches || busy) return;
    await confirm();
  };

  return (
    <Dialog
      open
      onClose={() => !busy && props.onClose()}
      aria-labelledby="rco-confirm-title"
      fullWidth
      maxWidth="sm"
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id="rco-confirm-title">{title}</DialogTitle>
        <DialogContent>
          <Box component="dl" m={0} mb={2} aria-label="What and where">
            {facts.map(([label, value]) => (
              <Box key={label} display="flex" style={{ gap: 8 }}>
                <Typography
                  component="dt"
                  variant="body2"
                  color="textSecondary"
                >
                  {label}:
                </Typography>
                <Typography
                  component="dd"
                  variant="body2"
                  style={{ margin: 0 }}
                >
                  {value}
                </Typography>
              </Box>
            ))}
          </Box>
          <Typography variant="subtitle2" component="h3">
            Plan
          </Typography>
          <ol aria-label="Plan">
            {steps.map(s => (
              <li key={s.title}>
                <Typography variant="body2">
                  {s.title}
                  {s.irreversible &&
                    ' — irreversible: you confirm it separately before it runs'}
                </Typography>
              </li>
            ))}
          </ol>
          {warning && (
            <Box mb={2}>
              <Alert severity="warning" role="note">
                {warning}
              </Alert>
            </Box>
          )}
          {children}
          <TextField
            id="rco-confirm-name"
            label={`Type ${entityName} to confirm`}
            fullWidth
            margin="normal"
            // WAI-ARIA dialog pattern: focus moves to the dialog's first field.
            // eslint-disable-next-line jsx-a11y/no-autofocus
            autoFocus
            autoComplete="off"
            inputProps={{ spellCheck: false }}
            value={typed}
            onChange={e => setTyped(e.target.value)}
            error={typed.length > 0 && !matches}
            helperText={
              typed.length > 0 && !matches
                ? `Type the service name exactly: ${entityName}`
                : 'The service name, exactly as in the catalog'
            }
          />
          {error && (
            <Alert severity="error" role="alert">
              <RichText text={messageOf(error)} />
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose} disabled={busy}>
            Cancel
          </Button>
          <Button
            type="submit"
            color="primary"
            variant="contained"
            disabled={!matches || busy}
          >
            Confirm
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
