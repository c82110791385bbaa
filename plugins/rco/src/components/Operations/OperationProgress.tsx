import {
  canaryStepWords,
  CapabilitiesResponse,
  OperationResponse,
  OperationStep,
} from '@helix-portal/plugin-rco-common';
import {
  Box,
  Button,
  LinearProgress,
  Step,
  StepLabel,
  Stepper,
  Typography,
} from '@material-ui/core';
import { Alert, AlertTitle } from '@material-ui/lab';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { RcoApi } from '../../api/RcoApi';
import { capitalised, Person, RichText, When } from '../shared';
import { messageOf } from './errors';
import { MetricsTable } from './MetricsTable';
import { isActive, isPausedForPromote, PAUSED_LABEL } from './model';
import { ReasonsList } from './ReasonsList';
import { OutcomeChip, STATE_LABEL } from './OutcomeChip';
import { useDescribe } from './wording';

const STEP_WORD: Record<OperationStep['status'], string> = {
  pending: 'Pending',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  skipped: 'Skipped',
};

const OUTCOME_SEVERITY = {
  succeeded: 'success',
  failed: 'error',
  'rolled-back': 'warning',
  aborted: 'info',
  blocked: 'error',
  'needs-attention': 'warning',
} as const;

/**
 * The operation the page follows, live: its steps as a stepper, the canary weight in a bar and
 * in words, the analysis metrics against their conditions, Promote at a pause and Abort while it
 * can still be stopped, and the reasons once it has ended.
 */
export function OperationProgress(props: {
  api: RcoApi;
  operation: OperationResponse;
  capabilities?: CapabilitiesResponse;
  liveError?: Error;
  onChanged: (op: OperationResponse) => void;
  onReviewConfirmation: () => void;
  onDismiss: () => void;
}) {
  const { api, operation: op, capabilities, liveError } = props;
  const control = !!capabilities?.operations?.control;
  const progress = op.progress;
  const active = isActive(op);
  const paused = isPausedForPromote(op);
  const describe = useDescribe();
  // The counter comes from the one rule (canaryStepWords); the driver's message is shown too
  // unless it only repeats the counter.
  const step = progress?.step;
  const counter = step
    ? canaryStepWords(paused ? { index: step.index, total: step.total } : step)
    : undefined;
  const bare = step
    ? canaryStepWords({ index: step.index, total: step.total })
    : undefined;
  const message =
    progress?.message && !(bare && progress.message.startsWith(bare))
      ? progress.message
      : undefined;
  const abortable =
    op.state === 'awaiting-confirmation' ||
    op.state === 'requested' ||
    (op.state === 'running' && op.type === 'deploy');
  const current = op.steps.findIndex(
    s => s.status === 'running' || s.status === 'pending',
  );

  const [{ loading: busy, error }, act] = useAsyncFn(
    async (action: (id: string) => Promise<OperationResponse>) =>
      props.onChanged(await action(op.id)),
    [op.id, props.onChanged],
  );

  return (
    <Box component="section" aria-label="Operation progress" mt={2}>
      <Box
        display="flex"
        alignItems="center"
        style={{ gap: 12 }}
        flexWrap="wrap"
      >
        <Typography variant="h6" component="h3">
          {describe(op)}
        </Typography>
        <OutcomeChip state={op.state} paused={paused} />
        <Typography variant="body2" color="textSecondary">
          requested by <Person actor={op.requestedBy} />{' '}
          <When iso={op.createdAt} />
          {op.confirmedBy && (
            <>
              , confirmed by <Person actor={op.confirmedBy} />
            </>
          )}
        </Typography>
      </Box>
      <Stepper
        activeStep={current === -1 ? op.steps.length : current}
        alternativeLabel
      >
        {op.steps.map(s => (
          <Step key={s.id} completed={s.status === 'done'}>
            <StepLabel
              error={s.status === 'failed'}
              optional={
                <Typography variant="caption">
                  {paused && s.status === 'running' && s.id === op.type
                    ? PAUSED_LABEL
                    : STEP_WORD[s.status]}
                  {s.irreversible ? ' · irreversible' : ''}
                  {s.message ? ` · ${s.message}` : ''}
                </Typography>
              }
            >
              {s.title}
            </StepLabel>
          </Step>
        ))}
      </Stepper>
      {op.state === 'awaiting-confirmation' && (
        <Alert
          severity="info"
          role="status"
          action={
            capabilities?.actor === op.requestedBy && control ? (
              <Button
                color="inherit"
                size="small"
                onClick={props.onReviewConfirmation}
              >
                Review and confirm
              </Button>
            ) : undefined
          }
        >
          Waiting for <Person actor={op.requestedBy} /> to confirm{' '}
          {op.awaiting && op.awaiting !== 'plan'
            ? `the irreversible step ${
                op.steps.find(s => s.id === op.awaiting)?.title ?? op.awaiting
              }`
            : 'the plan'}
          .
        </Alert>
      )}
      {progress && (
        <Box mt={2}>
          <Typography variant="body2">
            {paused ? PAUSED_LABEL : `Phase: ${capitalised(progress.phase)}`}
            {counter ? ` · ${counter}` : ''}
          </Typography>
          {message && (
            <Typography variant="body2">
              <RichText text={message} />
            </Typography>
          )}
          {progress.canaryWeight !== undefined && (
            <Box mt={1} maxWidth={480}>
              <Typography variant="body2" id="rco-canary-weight">
                Canary weight: {progress.canaryWeight}% of traffic on the new
                revision
              </Typography>
              <LinearProgress
                variant="determinate"
                value={progress.canaryWeight}
                aria-labelledby="rco-canary-weight"
                aria-valuetext={`${progress.canaryWeight}% of traffic`}
              />
            </Box>
          )}
          {!!progress.metrics?.length && (
            <MetricsTable metrics={progress.metrics} />
          )}
        </Box>
      )}
      {active && (
        <Box
          mt={2}
          display="flex"
          style={{ gap: 12 }}
          alignItems="center"
          flexWrap="wrap"
        >
          {control && paused && (
            <Button
              variant="contained"
              color="primary"
              disabled={busy}
              onClick={() => act(id => api.promoteOperation(id))}
            >
              Promote
            </Button>
          )}
          {control && abortable && (
            <Button
              variant="outlined"
              disabled={busy}
              onClick={() => act(id => api.abortOperation(id))}
            >
              Abort
            </Button>
          )}
          {!control && (
            <Typography variant="body2" color="textSecondary">
              Promote and abort are for the service's owners.
            </Typography>
          )}
        </Box>
      )}
      {error && (
        <Box mt={1}>
          <Alert severity="error">
            <RichText text={messageOf(error)} />
          </Alert>
        </Box>
      )}
      {liveError && active && (
        <Typography variant="caption" color="error" component="p">
          Live updates interrupted ({messageOf(liveError)}); trying again every
          2 seconds.
        </Typography>
      )}
      {!active && (
        <Box mt={2}>
          <Alert
            role="status"
            severity={
              OUTCOME_SEVERITY[op.state as keyof typeof OUTCOME_SEVERITY] ??
              'info'
            }
            action={
              <Button color="inherit" size="small" onClick={props.onDismiss}>
                Dismiss
              </Button>
            }
          >
            <AlertTitle>{STATE_LABEL[op.state]}</AlertTitle>
            {op.reasons.length ? (
              <ul aria-label="Reasons" style={{ margin: 0, paddingLeft: 20 }}>
                {op.reasons.map(r => (
                  <li key={r}>
                    <RichText text={r} />
                  </li>
                ))}
              </ul>
            ) : (
              'No reasons were given.'
            )}
          </Alert>
        </Box>
      )}
      {active && <ReasonsList reasons={op.reasons} label="Reasons" />}
    </Box>
  );
}
