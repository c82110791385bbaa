import { ConflictError, InputError } from '@backstage/errors';
import {
  OperationResponse,
  OperationState,
  ReviewResult,
} from '@helix-portal/plugin-rco-common';
import { Knex } from 'knex';

export const REVIEW_RESULTS: readonly ReviewResult[] = [
  'as-planned',
  'with-deviations',
  'failed',
];

/**
 * Longest text of each field, in characters. A review is read on the page, written to the ledger
 * (whose entries are hashed and verified over and over) and carried into the dossier: a few
 * pages of markdown each, not an attached log file.
 */
export const MAX_REVIEW_FIELD_CHARS = 20_000;

/** What the owner sends: `POST /operations/:id/review`. */
export interface ReviewInput {
  result: ReviewResult;
  summary: string;
  deviations: string;
  lessons: string;
}

/**
 * Checks the body: a known result, a summary, every field text within the limit, and deviations
 * written down when the result says there were some.
 */
export function parseReviewInput(body: unknown): ReviewInput {
  const b = (body && typeof body === 'object' ? body : {}) as Record<
    string,
    unknown
  >;
  if (!REVIEW_RESULTS.includes(b.result as ReviewResult)) {
    throw new InputError(`result must be one of ${REVIEW_RESULTS.join(', ')}`);
  }
  const field = (name: 'summary' | 'deviations' | 'lessons') => {
    const value = b[name] ?? '';
    if (typeof value !== 'string')
      throw new InputError(`${name} must be text (markdown)`);
    if (value.length > MAX_REVIEW_FIELD_CHARS)
      throw new InputError(
        `${name} is ${value.length} characters; at most ${MAX_REVIEW_FIELD_CHARS}`,
      );
    return value.trim();
  };
  const input: ReviewInput = {
    result: b.result as ReviewResult,
    summary: field('summary'),
    deviations: field('deviations'),
    lessons: field('lessons'),
  };
  if (!input.summary) throw new InputError('summary must say what happened');
  if (input.result === 'with-deviations' && !input.deviations) {
    throw new InputError(
      'deviations must say what differed from the runbook when the result is with-deviations',
    );
  }
  return input;
}

/** Ends that can only come after the operation ran (transitions.ts: only from running). */
const ENDED_RUNNING: readonly OperationState[] = [
  'succeeded',
  'rolled-back',
  'needs-attention',
];
/**
 * Ends an operation also reaches without having run: failed before or in preflight, aborted
 * before it was confirmed. Only the runner's end of a running operation records its timings
 * (transitions.ts lets only running → end write them), so timings tell the two apart.
 */
const ENDED_EITHER_WAY: readonly OperationState[] = ['failed', 'aborted'];

type Reviewed = Pick<OperationResponse, 'type' | 'environment' | 'state'> & {
  timings?: unknown;
};

/** Whether the operation changed production and is over: what a review is written about. */
export function isReviewable(op: Reviewed, environments: readonly string[]) {
  return reviewRefusal(op, environments) === undefined;
}

/**
 * Why no review can be written for this operation, or undefined when one can: a deploy or a
 * rollback (not a dry-run, which changes nothing) in a production environment, that ran and
 * finished. Blocked operations, and those that failed or were aborted before they ran, changed
 * nothing: there is nothing to review.
 */
export function reviewRefusal(
  op: Reviewed,
  environments: readonly string[],
): Error | undefined {
  if (op.type !== 'deploy' && op.type !== 'rollback') {
    return new InputError(
      `A ${op.type} changes nothing: only production deploys and rollbacks are reviewed`,
    );
  }
  if (!environments.includes(op.environment)) {
    return new InputError(
      `Only deploys and rollbacks in ${environments.join(
        ', ',
      )} are reviewed, not in ${
        op.environment
      } (rco.reviews.environments, or the last of rco.promotion.order)`,
    );
  }
  if (ENDED_RUNNING.includes(op.state)) return undefined;
  if (ENDED_EITHER_WAY.includes(op.state) && op.timings) return undefined;
  if (ENDED_EITHER_WAY.includes(op.state) || op.state === 'blocked') {
    return new ConflictError(
      `The ${op.type} ended ${op.state} before it ran: nothing changed, there is nothing to review`,
    );
  }
  return new ConflictError(
    `The ${op.type} is ${op.state}: it can be reviewed once it has finished`,
  );
}

/**
 * The same rule as a query on rco_operations (alias `o`), for the open reviews of many entities
 * at once: keep both in step (reviews.test.ts checks them against each other).
 */
export function whereReviewable(
  query: Knex.QueryBuilder,
  environments: readonly string[],
) {
  return query
    .whereIn('o.type', ['deploy', 'rollback'])
    .whereIn('o.environment', [...environments])
    .andWhere(q =>
      q
        .whereIn('o.state', [...ENDED_RUNNING])
        .orWhere(r =>
          r.whereIn('o.state', [...ENDED_EITHER_WAY]).whereNotNull('o.timings'),
        ),
    );
}
