/**
 * Shapes of the review after a production deploy, the runbook review cadence and the release
 * timeline (issue 15, points 3, 5 and 6). Times are ISO 8601 strings in UTC.
 */

/** @public What actually happened in a production deploy or rollback, by the owner. */
export type ReviewResult = 'as-planned' | 'with-deviations' | 'failed';

/** @public A recorded review, bound to its operation and kept in the entity's ledger. */
export interface ReleaseReviewView {
  id: string;
  entityRef: string;
  operationId: string;
  operationType: 'deploy' | 'rollback';
  environment: string;
  release: { version?: string; digest?: string };
  result: ReviewResult;
  /** Markdown. */
  summary: string;
  /** Markdown: deviations from the runbook. */
  deviations: string;
  /** Markdown: lessons learned. */
  lessons: string;
  author: string;
  createdAt: string;
  ledgerSeq: number;
}

/** @public A finished production deploy or rollback without a review. */
export interface OpenReviewView {
  operationId: string;
  operationType: 'deploy' | 'rollback';
  environment: string;
  release: { version?: string; digest?: string };
  finishedAt: string;
  state: string;
}

/** @public Response of `GET /entities/…/reviews`. */
export interface ReviewsResponse {
  items: ReleaseReviewView[];
  open: OpenReviewView[];
}

/** @public A proposed runbook change derived from a review; nothing is written. */
export interface RunbookProposal {
  changelogEntry: string;
  /** YAML: the edited sections, to merge into the runbook in its repository. */
  patch: string;
  baseVersion: string;
  nextVersion: string;
}

/** @public When the runbook must next be reviewed, judged by the release clock. */
export interface RunbookReviewCadence {
  /** ISO 8601 duration from the runbook's metadata. */
  reviewEvery?: string;
  /** Date (YYYY-MM-DD) from the runbook's metadata. */
  lastReviewed?: string;
  dueAt?: string;
  overdue: boolean;
}

/** @public Kinds of event on a release timeline. */
export type TimelineEventType =
  | 'evidence'
  | 'gate'
  | 'signoff'
  | 'waiver'
  | 'override'
  | 'window'
  | 'operation'
  | 'canary-step'
  | 'review'
  | 'runbook'
  | 'request'
  /** A ledger entry of a kind this version does not know, shown by its type name. */
  | 'other';

/** @public One event of a release's story. */
export interface TimelineEvent {
  at: string;
  type: TimelineEventType;
  title: string;
  detail?: string;
  actor?: string;
  ledgerSeq?: number;
  /** The record the event is about; href is its API path (under the plugin's base URL). */
  link?: { kind: string; id: string; href?: string };
}

/** @public Response of `GET /entities/…/releases/timeline`. */
export interface TimelineResponse {
  entityRef: string;
  release: { version?: string; digest?: string };
  events: TimelineEvent[];
}
