import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  ReleaseReviewView,
  ReviewsResponse,
  Runbook,
  RunbookProposal,
  TimelineResponse,
} from '@helix-portal/plugin-rco-common';
import { Ledger } from '../../database/Ledger';
import { OperationRecord } from '../../database/OperationStore';
import { Clock } from '../../lib/clock';
import { withoutSecrets } from '../decisions/freeText';
import { ReviewStore } from './ReviewStore';
import { parseReviewInput, reviewRefusal } from './reviewRules';
import { proposeRunbookChange } from './runbookProposal';
import {
  eventOf,
  operationEvents,
  releaseStory,
  sortTimeline,
  TimelineRelease,
} from './timeline';

/** What the review side reads of the rest of the plugin. */
export interface ReviewServiceOptions {
  store: ReviewStore;
  ledger: Ledger;
  /** The operations (OperationStore). */
  operations: {
    get(id: string): Promise<OperationRecord | undefined>;
    list(
      entityRef: string,
      options?: { limit?: number },
    ): Promise<OperationRecord[]>;
  };
  /** The current runbook of an entity (RunbookService). */
  runbooks: {
    getCurrent(entity: Entity): Promise<{ runbook: Runbook }>;
  };
  clock: Clock;
  /** The environments whose deploys are reviewed (RcoConfig.reviewEnvironments). */
  environments: readonly string[];
  /** The plugin's external base URL (…/api/rco), for links written into a proposal. */
  externalBaseUrl?: () => Promise<string>;
}

const entityPath = (entityRef: string) => {
  const [kind, rest] = entityRef.split(':');
  const [namespace, name] = rest.split('/');
  return `/entities/${[kind, namespace, name]
    .map(encodeURIComponent)
    .join('/')}`;
};

/**
 * Reviews after production deploys and rollbacks, the runbook change a review proposes, and the
 * release timeline (issue 15, points 3 and 6). Routes check who may call; the rules here decide
 * what may be reviewed.
 */
export class ReviewService {
  constructor(private readonly o: ReviewServiceOptions) {}

  /**
   * Records the owner's review of a finished production operation: the text masked like every
   * free text a person types, the row and its ledger entry in one transaction.
   */
  async record(
    op: OperationRecord,
    author: string,
    body: unknown,
  ): Promise<ReleaseReviewView> {
    const input = parseReviewInput(body);
    const refused = reviewRefusal(op, this.o.environments);
    if (refused) throw refused;
    const [summary, deviations, lessons] = await Promise.all([
      withoutSecrets(input.summary),
      withoutSecrets(input.deviations),
      withoutSecrets(input.lessons),
    ]);
    return this.o.store.record({
      ...input,
      summary,
      deviations,
      lessons,
      operation: op,
      author,
      createdAt: this.o.clock.now(),
    });
  }

  async list(entity: Entity): Promise<ReviewsResponse> {
    const entityRef = stringifyEntityRef(entity);
    const [items, open] = await Promise.all([
      this.o.store.list(entityRef),
      this.o.store.open(entityRef, this.o.environments),
    ]);
    return { items, open };
  }

  /**
   * Open reviews per entity, for the portfolio (entities without any are left out): of these
   * entities, or of every entity when none are named.
   */
  openReviewCounts(
    entityRefs?: readonly string[],
  ): Promise<Map<string, number>> {
    return this.o.store.openCounts(entityRefs, this.o.environments);
  }

  async get(id: string): Promise<ReleaseReviewView> {
    const review = await this.o.store.get(id);
    if (!review) throw new NotFoundError(`No review ${id}`);
    return review;
  }

  /** The runbook change the review proposes, against the entity's current runbook. */
  async proposal(
    entity: Entity,
    review: ReleaseReviewView,
  ): Promise<RunbookProposal> {
    const { runbook } = await this.o.runbooks.getCurrent(entity);
    const base = (await this.o.externalBaseUrl?.()) ?? '/api/rco';
    return proposeRunbookChange(
      review,
      runbook,
      this.o.clock.now().toISOString().slice(0, 10),
      `${base.replace(/\/$/, '')}/operations/${encodeURIComponent(
        review.operationId,
      )}`,
    );
  }

  /** The release's story from the entity's ledger chain, with each operation's steps and gates. */
  async timeline(
    entity: Entity,
    release: TimelineRelease,
  ): Promise<TimelineResponse> {
    if (!release.version && !release.digest)
      throw new InputError('Name the release: version, digest or both');
    const entityRef = stringifyEntityRef(entity);
    const path = entityPath(entityRef);
    const story = releaseStory(
      await this.o.ledger.list({ entityRef }),
      release,
    );
    const opIds = new Set(
      story
        .filter(e => e.entryType === 'operation-requested')
        .map(e => String(e.payload.id)),
    );
    const ops = (
      await Promise.all([...opIds].map(id => this.o.operations.get(id)))
    ).filter((op): op is OperationRecord => !!op);
    return {
      entityRef,
      release,
      events: sortTimeline([
        ...story.map(e => eventOf(e, path)),
        ...ops.flatMap(operationEvents),
      ]),
    };
  }
}
