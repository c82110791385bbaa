import {
  OpenReviewView,
  ReleaseReviewView,
  ReviewResult,
} from '@helix-portal/plugin-rco-common';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormLabel,
  Radio,
  RadioGroup,
  Typography,
} from '@material-ui/core';
import { FormEvent, useState } from 'react';
import { RcoApi } from '../../api/RcoApi';
import { Refusal, When } from '../shared';
import { releaseWords } from '../Road/format';
import { MarkdownField } from './MarkdownField';

export const RESULT_WORDS: Record<ReviewResult, string> = {
  'as-planned': 'As planned',
  'with-deviations': 'With deviations from the runbook',
  failed: 'Failed',
};

export const OPERATION_WORDS = { deploy: 'deploy', rollback: 'rollback' };

/**
 * The owner writes what actually happened in a finished production deploy or rollback: the
 * result, a summary, deviations from the runbook and lessons learned, in markdown with a preview.
 * Recorded once per operation (the backend answers 409 after; shown as its sentence).
 */
export function ReviewForm(props: {
  api: RcoApi;
  operation: OpenReviewView;
  onClose: (review?: ReleaseReviewView) => void;
}) {
  const op = props.operation;
  const [result, setResult] = useState<ReviewResult>('as-planned');
  const [summary, setSummary] = useState('');
  const [deviations, setDeviations] = useState('');
  const [lessons, setLessons] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // The backend refuses "with deviations" without them: said here before it is sent.
  const needsDeviations = result === 'with-deviations' && !deviations.trim();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!summary.trim() || needsDeviations) return;
    setBusy(true);
    setError(undefined);
    try {
      props.onClose(
        await props.api.writeReview!(op.operationId, {
          result,
          summary,
          deviations,
          lessons,
        }),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onClose={() => props.onClose()}
      aria-labelledby="rco-review-title"
      fullWidth
      maxWidth="md"
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id="rco-review-title">
          Review of the {op.environment} {OPERATION_WORDS[op.operationType]} of{' '}
          {releaseWords(op.release)}
        </DialogTitle>
        <DialogContent>
          <Typography variant="body2">
            Finished <When iso={op.finishedAt} local /> ({op.state}). The review
            is bound to this operation and kept in the ledger; it cannot be
            changed afterwards.
          </Typography>
          <FormControl component="fieldset" margin="normal">
            <FormLabel component="legend">Result</FormLabel>
            <RadioGroup
              row
              name="rco-review-result"
              value={result}
              onChange={e => setResult(e.target.value as ReviewResult)}
            >
              {(Object.keys(RESULT_WORDS) as ReviewResult[]).map(r => (
                <FormControlLabel
                  key={r}
                  value={r}
                  control={<Radio />}
                  label={RESULT_WORDS[r]}
                />
              ))}
            </RadioGroup>
          </FormControl>
          <MarkdownField
            id="rco-review-summary"
            label="Summary"
            required
            value={summary}
            onChange={setSummary}
            helperText="What happened, in markdown (required)"
          />
          <MarkdownField
            id="rco-review-deviations"
            label="Deviations from the runbook"
            value={deviations}
            onChange={setDeviations}
            required={result === 'with-deviations'}
            helperText={
              needsDeviations
                ? 'Say what deviated from the runbook (markdown): required with this result.'
                : 'Markdown'
            }
          />
          <MarkdownField
            id="rco-review-lessons"
            label="Lessons learned"
            value={lessons}
            onChange={setLessons}
          />
          {!!error && (
            <Refusal title="The review was not recorded" error={error} />
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => props.onClose()}>Cancel</Button>
          <Button
            type="submit"
            color="primary"
            variant="contained"
            disabled={busy || !summary.trim() || needsDeviations}
          >
            {busy ? 'Recording…' : 'Record the review'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
