import { createApiRef } from '@backstage/frontend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  CapabilitiesResponse,
  CollectionStatusResponse,
  EnvironmentView,
  EvidenceRecordView,
  OperationResponse,
  OperationType,
  OverrideResponse,
  GateStatus,
  PortfolioResponse,
  ReleasesResponse,
  ReleaseStatusResponse,
  SignoffView,
  WaiverView,
  RunbookDiffResponse,
  RunbookRefreshResponse,
  RunbookVersionResponse,
  RunbookVersionSummary,
  RoadResponse,
  FreezeView,
  DeployWindowView,
  ProposeDeployWindowRequest,
  ReviewsResponse,
  ReleaseReviewView,
  ReviewResult,
  RunbookProposal,
  TimelineResponse,
  WaiverProposalView,
  GatePolicyResponse,
  MetricsResponse,
  ReplayRequest,
  ReplayResponse,
} from '@helix-portal/plugin-rco-common';

/** A release as the road, timeline and dossier routes take it. @public */
export type RcoReleaseRef = { version?: string; digest?: string };

/**
 * The portfolio's filters, order and page, as GET /portfolio takes them.
 *
 * @public
 */
export interface RcoPortfolioQuery {
  /** A group or user ref, or its name. */
  owner?: string;
  /** A gate id; with status, that gate has that status. */
  gate?: string;
  status?: GateStatus;
  /** Matched case-insensitively against the entity ref and title. */
  q?: string;
  /** Only services with a gate whose evidence ages out within the horizon. */
  expiring?: boolean;
  sort?: 'ref' | 'risk' | 'title' | 'expires';
  order?: 'asc' | 'desc';
  offset?: number;
  /** 50 by default, at most 1000. */
  limit?: number;
}

/**
 * The scope of GET …/metrics: every field optional (the backend defaults to production, the
 * last 90 days and UTC).
 *
 * @public
 */
export interface RcoMetricsQuery {
  /** A configured environment; when absent the backend picks one (production if configured, else the last). */
  environment?: string;
  /** The period's start, ISO 8601 (a date is midnight in `tz`); 90 days before `to` when absent. */
  from?: string;
  /** The period's end (excluded), ISO 8601; now when absent. */
  to?: string;
  /** IANA time zone the weeks are cut in. */
  tz?: string;
}

/**
 * Client of the rco backend.
 *
 * @public
 */
export interface RcoApi {
  getCurrentRunbook(entity: CompoundEntityRef): Promise<RunbookVersionResponse>;
  listRunbookVersions(
    entity: CompoundEntityRef,
  ): Promise<RunbookVersionSummary[]>;
  getRunbookVersion(
    entity: CompoundEntityRef,
    version: string,
  ): Promise<RunbookVersionResponse>;
  diffRunbookVersions(
    entity: CompoundEntityRef,
    from: string,
    to: string,
  ): Promise<RunbookDiffResponse>;
  refreshRunbook(entity: CompoundEntityRef): Promise<RunbookRefreshResponse>;
  getStatus(
    entity: CompoundEntityRef,
    release: { version?: string; digest?: string; environment?: string },
  ): Promise<ReleaseStatusResponse>;
  listReleases(entity: CompoundEntityRef): Promise<ReleasesResponse>;
  getCapabilities(entity: CompoundEntityRef): Promise<CapabilitiesResponse>;
  getEvidence(id: string): Promise<EvidenceRecordView>;
  /** URL of the stored document, for a download link. */
  getEvidenceRawUrl(id: string): Promise<string>;
  downloadEvidence(id: string): Promise<Blob>;
  listSignoffs(
    entity: CompoundEntityRef,
    release: { version?: string; digest?: string },
  ): Promise<SignoffView[]>;
  signOff(
    entity: CompoundEntityRef,
    body: {
      role: 'po' | 'dpo' | 'security';
      release: { version: string; digest: string };
      decision?: 'approved' | 'rejected';
      comment?: string;
    },
  ): Promise<SignoffView>;
  revokeSignoff(id: string): Promise<SignoffView>;
  /** Records the caller (an owner) as the one asking for the release. */
  requestRelease(
    entity: CompoundEntityRef,
    release: { version: string; digest: string },
  ): Promise<{ requester: string; createdAt: string; created?: boolean }>;
  listWaivers(entity: CompoundEntityRef): Promise<WaiverView[]>;
  /**
   * Waiver proposals with what became of each (issue 16; people or their assistants propose,
   * the waiver group grants). Optional: the page shows none without it.
   */
  listWaiverProposals?(
    entity: CompoundEntityRef,
  ): Promise<WaiverProposalView[]>;
  createWaiver(
    entity: CompoundEntityRef,
    body: {
      gate: string;
      justification: string;
      expiresAt: string;
      environment?: string;
      /** Only this release (a proposal's); every release when absent. */
      releaseVersion?: string;
    },
  ): Promise<WaiverView>;
  revokeWaiver(id: string): Promise<WaiverView>;
  /** One page of the governed services, filtered and sorted by the backend. */
  getPortfolio(query?: RcoPortfolioQuery): Promise<PortfolioResponse>;
  /**
   * Every service the filters let through as CSV (the same filters and order as
   * getPortfolio; paging ignored). Fetched with the user's token, for the page to save.
   */
  exportPortfolio(query?: RcoPortfolioQuery): Promise<Blob>;

  /** The configured environments, each with the revision it serves and any active operation. */
  listEnvironments(entity: CompoundEntityRef): Promise<EnvironmentView[]>;
  /** Deploys, rollbacks and dry-runs of the entity, newest first. */
  listOperations(
    entity: CompoundEntityRef,
    query?: { environment?: string },
  ): Promise<OperationResponse[]>;
  getOperation(id: string): Promise<OperationResponse>;
  /**
   * Requests an operation. The idempotency key makes a repeated click (or a retried request)
   * answer the same operation instead of starting a second one.
   */
  createOperation(
    entity: CompoundEntityRef,
    body: {
      type: OperationType;
      environment: string;
      release?: { version?: string; digest?: string };
      targetRevision?: string;
      databaseMigration?: string;
    },
    idempotencyKey: string,
  ): Promise<OperationResponse>;
  /** The requester types the entity name; `step` names an irreversible step confirmed on its own. */
  confirmOperation(
    id: string,
    body: { confirmation: string; step?: string },
  ): Promise<OperationResponse>;
  /** Continues a canary paused for promotion. */
  promoteOperation(id: string): Promise<OperationResponse>;
  abortOperation(id: string): Promise<OperationResponse>;
  /** Break-glass overrides of the entity, newest first (expired and revoked included). */
  listOverrides(entity: CompoundEntityRef): Promise<OverrideResponse[]>;
  /** Break-glass: one release may deploy to one environment despite failing gates, until expiry. */
  createOverride(
    entity: CompoundEntityRef,
    body: {
      environment: string;
      release: { version?: string; digest?: string };
      justification: string;
      expiresAt: string;
    },
  ): Promise<OverrideResponse>;
  /** Ends a break-glass override before its expiry (the break-glass group only). */
  revokeOverride(id: string): Promise<OverrideResponse>;
  /**
   * Moves the local portal's demo clock forward by an ISO 8601 duration (`PT10M`, `PT1H`,
   * `P1D`); the demo evidence catches up. Only where capabilities.demo.canAdvanceClock.
   */
  advanceDemoClock?(
    advance: string,
  ): Promise<{ offsetMs: number; now: string }>;
  /**
   * How the console's own collectors (clusters, monitoring) fare for the entity, per cluster and
   * kind, and whether the caller may ask for a collection now. Optional: a client without it
   * shows no collection health.
   */
  getCollection?(entity: CompoundEntityRef): Promise<CollectionStatusResponse>;
  /** Collects the entity's evidence now (owners); answers the health after the run. */
  refreshCollection?(
    entity: CompoundEntityRef,
  ): Promise<CollectionStatusResponse>;

  // The road to production (issue 15). Optional like getCollection: a client without them shows
  // no road, windows, reviews, timeline or dossier, and the rest of the page works as before.

  /** Each environment in promotion order with what blocks the release from entering it. */
  getRoad?(
    entity: CompoundEntityRef,
    release: RcoReleaseRef,
  ): Promise<RoadResponse>;
  /** Freezes active now or starting soon (of one environment, or all). */
  listFreezes?(
    entity: CompoundEntityRef,
    query?: { environment?: string },
  ): Promise<FreezeView[]>;
  /** Deployment windows of the entity (every state), for every environment and release. */
  listWindows?(entity: CompoundEntityRef): Promise<DeployWindowView[]>;
  /** An owner proposes a window; start and end are local times in timeZone. */
  proposeWindow?(
    entity: CompoundEntityRef,
    body: ProposeDeployWindowRequest,
  ): Promise<DeployWindowView>;
  /** Accepts for the caller's required role(s); never the proposer's own window. */
  acceptWindow?(id: string): Promise<DeployWindowView>;
  /** The proposer or an owner cancels. */
  cancelWindow?(id: string): Promise<DeployWindowView>;
  /** Recorded reviews and the finished production operations still without one. */
  listReviews?(entity: CompoundEntityRef): Promise<ReviewsResponse>;
  /** Once per finished production deploy or rollback (409 after); markdown texts. */
  writeReview?(
    operationId: string,
    body: {
      result: ReviewResult;
      summary: string;
      deviations: string;
      lessons: string;
    },
  ): Promise<ReleaseReviewView>;
  /** A changelog entry and a YAML patch derived from a review; nothing is written. */
  getRunbookProposal?(reviewId: string): Promise<RunbookProposal>;
  /** The release's story from the ledger, each event with a link to its record. */
  getTimeline?(
    entity: CompoundEntityRef,
    release: RcoReleaseRef,
  ): Promise<TimelineResponse>;
  /** The release dossier (zip), fetched with the user's token for the page to save. */
  downloadDossier?(
    entity: CompoundEntityRef,
    release: RcoReleaseRef,
  ): Promise<Blob>;
  /** The signed verification summary (DSSE envelope JSON); 404 when the portal has no key. */
  downloadAttestation?(
    entity: CompoundEntityRef,
    release: RcoReleaseRef,
  ): Promise<Blob>;
  /**
   * A record a timeline event links to, by its API path (`/operations/…`). Only paths under the
   * plugin's base URL: anything else is refused before a request carries the user's token.
   */
  getRecord?(href: string): Promise<unknown>;

  // Delivery metrics, gate effectiveness and the what-if replay (issue 17). Optional like the
  // road: a client without them shows no metrics, history or replay.

  /** One entity's metrics, or the portfolio's (every service the caller can see) without one. */
  getMetrics?(
    entity: CompoundEntityRef | undefined,
    query?: RcoMetricsQuery,
  ): Promise<MetricsResponse>;
  /**
   * A proposed change replayed over the stored judgements; nothing is written. An entity's
   * replay may propose a waiver; the catalog's a threshold (maxAge, blockingSeverities).
   */
  replay?(
    entity: CompoundEntityRef | undefined,
    request: ReplayRequest,
  ): Promise<ReplayResponse>;
  /** The gate thresholds in force (app-config), which the Gate policy page replays changes of. */
  getGatePolicy?(): Promise<GatePolicyResponse>;
}

/** @public */
export const rcoApiRef = createApiRef<RcoApi>().with({ id: 'plugin.rco.api' });
