import { Runbook, RunbookReviewCadence } from '@helix-portal/plugin-rco-common';
import { DateTime, Duration } from 'luxon';

/**
 * When the runbook's next periodic review is due (issue 15, point 5): `metadata.lastReviewed`
 * (a date, read as the start of that day in UTC) plus `metadata.reviewEvery` (calendar-aware: P3M
 * from 31 January is 30 April). Overdue from the due instant on, by the release clock's `now`.
 * A runbook without both fields, or with a value that does not read (older stored versions were
 * validated before the fields existed), has no due date and is never overdue: the gate cannot
 * fail on a cadence nobody declared.
 */
export function runbookReviewCadence(
  metadata: Pick<Runbook['metadata'], 'reviewEvery' | 'lastReviewed'>,
  now: Date,
): RunbookReviewCadence {
  const { reviewEvery, lastReviewed } = metadata;
  const cadence: RunbookReviewCadence = {
    ...(reviewEvery ? { reviewEvery } : {}),
    ...(lastReviewed ? { lastReviewed } : {}),
    overdue: false,
  };
  if (!reviewEvery || !lastReviewed) return cadence;
  const every = Duration.fromISO(reviewEvery);
  const last = DateTime.fromISO(lastReviewed, { zone: 'utc' });
  if (!every.isValid || every.toMillis() <= 0 || !last.isValid) return cadence;
  const due = last.startOf('day').plus(every);
  return {
    ...cadence,
    dueAt: due.toJSDate().toISOString(),
    overdue: now.getTime() >= due.toMillis(),
  };
}

/** The sentence a failing documentation-completeness gate gives for an overdue review. */
export function overdueReason(
  cadence: RunbookReviewCadence,
): string | undefined {
  if (!cadence.overdue || !cadence.dueAt) return undefined;
  return `The runbook's periodic review was due ${cadence.dueAt.slice(
    0,
    10,
  )} (every ${cadence.reviewEvery}, last reviewed ${
    cadence.lastReviewed
  }): review it and update metadata.lastReviewed`;
}
