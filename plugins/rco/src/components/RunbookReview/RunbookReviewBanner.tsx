import {
  RunbookReviewCadence,
  RunbookVersionResponse,
} from '@helix-portal/plugin-rco-common';
import { Link } from '@backstage/core-components';
import { Alert, AlertTitle } from '@material-ui/lab';
import { durationWords } from '../shared/RichText';
import { When } from '../shared';

/** The runbook's review cadence, as GET /runbook answers it (absent from older backends). */
export function reviewCadenceOf(
  doc?: RunbookVersionResponse,
): RunbookReviewCadence | undefined {
  return (doc as { review?: RunbookReviewCadence } | undefined)?.review;
}

/** "The runbook asks for a review every 90 days; it was last reviewed on 2026-08-03. " */
function cadence(every: string, last?: string) {
  const asks = `The runbook asks for a review every ${durationWords(every)}`;
  return last ? `${asks}; it was last reviewed on ${last}. ` : `${asks}. `;
}

/**
 * Says so when the runbook's periodic review is overdue: when it was due, how often it must be
 * reviewed and when it last was. Nothing when it is not overdue (or the runbook declares none).
 */
export function RunbookReviewBanner(props: {
  review?: RunbookReviewCadence;
  /** The Runbook tab, linked from the Release tab. */
  runbookPath?: string;
}) {
  const review = props.review;
  if (!review?.overdue) return null;
  return (
    <Alert severity="warning" role="status">
      <AlertTitle>The runbook's review is overdue</AlertTitle>
      {review.dueAt ? (
        <>
          It was due <When iso={review.dueAt} local />.{' '}
        </>
      ) : (
        'It has never been reviewed. '
      )}
      {review.reviewEvery && cadence(review.reviewEvery, review.lastReviewed)}
      Review it and update metadata.lastReviewed in the runbook's repository.
      {props.runbookPath && (
        <>
          {' '}
          <Link to={props.runbookPath}>Open the runbook</Link>
        </>
      )}
    </Alert>
  );
}
