import { InfoCard } from '@backstage/core-components';
import {
  CapabilitiesResponse,
  ReleaseReviewView,
  ReviewsResponse,
  OpenReviewView,
} from '@helix-portal/plugin-rco-common';
import { Box, Button, Chip, Paper, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useState } from 'react';
import { RcoApi } from '../../api/RcoApi';
import { Person, refusalOf, When } from '../shared';
import { releaseWords } from '../Road/format';
import { OPERATION_WORDS, RESULT_WORDS, ReviewForm } from './ReviewForm';
import { RunbookProposalDialog } from './RunbookProposalDialog';
import { ReviewMarkdown } from './ReviewMarkdown';

function RecordedReview(props: {
  review: ReleaseReviewView;
  onPropose?: () => void;
}) {
  const r = props.review;
  const headingId = `rco-review-${r.id}`;
  const part = (title: string, text: string) =>
    text.trim() ? (
      <Box mt={1}>
        <Typography variant="subtitle2" component="h5">
          {title}
        </Typography>
        <ReviewMarkdown content={text} />
      </Box>
    ) : null;
  return (
    <Paper variant="outlined" component="article" aria-labelledby={headingId}>
      <Box p={2}>
        <Box
          display="flex"
          alignItems="center"
          flexWrap="wrap"
          style={{ gap: 8 }}
        >
          <Typography variant="subtitle1" component="h4" id={headingId}>
            Review of the {r.environment} {OPERATION_WORDS[r.operationType]} of{' '}
            {releaseWords(r.release)}
          </Typography>
          <Chip
            size="small"
            variant="outlined"
            label={`Result: ${RESULT_WORDS[r.result]}`}
          />
        </Box>
        <Typography variant="body2" color="textSecondary">
          By <Person actor={r.author} /> <When iso={r.createdAt} />, ledger
          entry {r.ledgerSeq}
        </Typography>
        {part('Summary', r.summary)}
        {part('Deviations from the runbook', r.deviations)}
        {part('Lessons learned', r.lessons)}
        {props.onPropose && (
          <Box mt={1}>
            <Button variant="outlined" size="small" onClick={props.onPropose}>
              Propose runbook change
            </Button>
          </Box>
        )}
      </Box>
    </Paper>
  );
}

/**
 * Reviews after production deploys and rollbacks: the ones still to write (for owners, with
 * "Write the review") and the recorded ones, each able to propose a runbook change.
 */
export function ReviewsPanel(props: {
  api: RcoApi;
  capabilities?: CapabilitiesResponse;
  reviews?: ReviewsResponse;
  error?: Error;
  onChanged: () => void;
}) {
  const { api, reviews } = props;
  const [writing, setWriting] = useState<OpenReviewView>();
  const [proposing, setProposing] = useState<ReleaseReviewView>();
  const owner = !!props.capabilities?.operations?.deploy && !!api.writeReview;
  if (!reviews && !props.error) return null;
  return (
    <InfoCard title="Reviews after production deploys">
      {props.error && (
        <Typography variant="caption" color="textSecondary" role="status">
          Could not read the reviews: {refusalOf(props.error)}
        </Typography>
      )}
      {reviews && reviews.open.length > 0 && (
        <Box mb={2}>
          <Alert severity="warning" role="status">
            {reviews.open.length === 1
              ? '1 production operation has no review yet.'
              : `${reviews.open.length} production operations have no review yet.`}
          </Alert>
          <ul aria-label="Operations without a review">
            {reviews.open.map(op => (
              <li key={op.operationId}>
                <Box
                  display="flex"
                  alignItems="center"
                  flexWrap="wrap"
                  style={{ gap: 8 }}
                >
                  <Typography variant="body2">
                    The {op.environment} {OPERATION_WORDS[op.operationType]} of{' '}
                    {releaseWords(op.release)} ({op.state}), finished{' '}
                    <When iso={op.finishedAt} />
                  </Typography>
                  {owner && (
                    <Button
                      size="small"
                      variant="contained"
                      color="primary"
                      onClick={() => setWriting(op)}
                      aria-label={`Write the review of the ${op.environment} ${
                        OPERATION_WORDS[op.operationType]
                      } of ${releaseWords(op.release)}`}
                    >
                      Write the review
                    </Button>
                  )}
                </Box>
              </li>
            ))}
          </ul>
        </Box>
      )}
      {reviews && reviews.items.length === 0 && reviews.open.length === 0 && (
        <Typography variant="body2">
          No production deploy or rollback has finished yet.
        </Typography>
      )}
      <Box display="flex" flexDirection="column" style={{ gap: 8 }}>
        {reviews?.items.map(r => (
          <RecordedReview
            key={r.id}
            review={r}
            onPropose={
              api.getRunbookProposal ? () => setProposing(r) : undefined
            }
          />
        ))}
      </Box>
      {writing && (
        <ReviewForm
          api={api}
          operation={writing}
          onClose={review => {
            setWriting(undefined);
            if (review) props.onChanged();
          }}
        />
      )}
      {proposing && (
        <RunbookProposalDialog
          api={api}
          review={proposing}
          onClose={() => setProposing(undefined)}
        />
      )}
    </InfoCard>
  );
}
