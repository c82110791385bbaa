import type { GateStatus } from './api';
import type { GateId } from './catalogue';

/**
 * Delivery metrics, gate effectiveness and the what-if replay (issue 17). Everything here is
 * computed from the operations and the judgements recorded with them (each deploy's preflight
 * verdict and its inputs), never from a second source that can disagree.
 */

/** The four delivery metrics. @public */
export type DeliveryMetricId =
  | 'deployment-frequency'
  | 'lead-time'
  | 'change-failure-rate'
  | 'time-to-restore';

/** One delivery metric over the period, with how it was computed. @public */
export interface DeliveryMetric {
  id: DeliveryMetricId;
  title: string;
  /** per-day: deploys a day; hours: the median; ratio: 0..1. Null when nothing to measure. */
  value: number | null;
  unit: 'per-day' | 'hours' | 'ratio';
  /** The 90th percentile for the hour metrics. */
  p90?: number | null;
  /** How many deploys (or failures) the value rests on. */
  sample: number;
  /** The definition in words, with the thresholds in force. */
  definition: string;
  /** The operations behind the value (at most 200, newest first): GET /operations/:id. */
  operations: string[];
}

/** One week of one scope (weeks start Monday 00:00 in the requested time zone). @public */
export interface DeliveryWeek {
  /** The week's first day, yyyy-MM-dd in the requested time zone. */
  week: string;
  deploys: number;
  failures: number;
  /** Median lead time of the week's deploys, hours. */
  leadTimeHours: number | null;
  /** Median time to restore of the week's failures, hours. */
  restoreHours: number | null;
}

/** A deploy whose change failed, and how it was restored. @public */
export interface ChangeFailure {
  operationId: string;
  entityRef: string;
  environment: string;
  release: { version?: string; digest?: string };
  deployedAt: string;
  /** What made it a failure. */
  signal:
    | 'rolled-back'
    | 'needs-attention'
    | 'failed-analysis'
    | 'rollback'
    | 'break-glass';
  /** The operation, override or evidence id of the signal. */
  signalId: string;
  signalAt: string;
  restoredAt?: string;
  /** The operation that restored service (a rollback or the next good deploy). */
  restoredBy?: string;
  restoreHours?: number;
}

/** A deploy's lead time. @public */
export interface LeadTimeSample {
  operationId: string;
  entityRef: string;
  version?: string;
  digest: string;
  firstEvidenceAt: string;
  deployedAt: string;
  hours: number;
}

/** Delivery metrics of one entity or the portfolio. @public */
export interface DeliveryMetrics {
  metrics: DeliveryMetric[];
  weeks: DeliveryWeek[];
  /** The newest 2,000 (the figures are over all: `counts`). */
  leadTimes: LeadTimeSample[];
  /** The newest 500. */
  failures: ChangeFailure[];
  /** How many there were in all, when the lists above were cut. */
  counts?: { leadTimes: number; failures: number };
}

/** How a blocked gate turned green. @public */
export type GreenCause = 'evidence' | 'waiver' | 'break-glass';

/** One gate's effectiveness over the period. @public */
export interface GateEffectivenessRow {
  gate: GateId;
  title: string;
  /** Deploy judgements (preflights) in the period. */
  judged: number;
  /** Judgements in which this gate blocked (fail, missing or stale). */
  blocked: number;
  /** Distinct releases (entity, digest, environment) it blocked. */
  blockedReleases: number;
  /** Blocked releases that later got past it, by what turned it green. */
  turnedGreen: Record<GreenCause, number>;
  /** Median and 90th percentile hours from the first block to green. */
  blockedToGreenHours: { median: number | null; p90: number | null };
  /** Age of the oldest evidence the gate used, at deploys that ran, hours. */
  evidenceAgeHours: {
    median: number | null;
    p90: number | null;
    samples: number;
  };
  /** Deploys that got past this gate and then failed, by how they got past. */
  escapes: { pass: number; waiver: number; 'break-glass': number };
}

/** A block of a release by a gate, and what ended it. @public */
export interface GateBlock {
  gate: GateId;
  entityRef: string;
  environment: string;
  release: { version?: string; digest?: string };
  blockedAt: string;
  /** The operation whose preflight first blocked. */
  operationId: string;
  status: GateStatus;
  greenAt?: string;
  greenBy?: GreenCause;
  /** The operation that got past it. */
  greenOperationId?: string;
  hours?: number;
}

/** A release that got past a gate and then failed in production. @public */
export interface GateEscape {
  gate: GateId;
  via: 'pass' | 'waiver' | 'break-glass';
  operationId: string;
  entityRef: string;
  environment: string;
  release: { version?: string; digest?: string };
  failure: ChangeFailure['signal'];
  failedAt: string;
}

/** A waiver or break-glass override and how it ended. @public */
export interface OverrideOutcome {
  kind: 'waiver' | 'break-glass';
  id: string;
  entityRef: string;
  /** The waived gate; break-glass lifts every gate. */
  gate?: GateId;
  environment?: string;
  releaseVersion?: string;
  grantedBy: string;
  justification: string;
  createdAt: string;
  expiresAt: string;
  revokedAt?: string;
  /** Deploys that went through it. */
  operations: string[];
  /**
   * unused: no deploy went through it; healthy: every deploy through it stayed up; failed: a
   * deploy through it failed (an escape); active: in force and not used yet.
   */
  outcome: 'unused' | 'active' | 'healthy' | 'failed';
}

/** One gate in one week: the heat map's cell. @public */
export interface GateWeekCell {
  gate: GateId;
  week: string;
  /** Releases (entity, digest, environment) the gate judged that week, each counted once. */
  judged: number;
  /** Of those, the releases it blocked at least once that week. */
  blocked: number;
}

/** Gate effectiveness of one entity or the portfolio. @public */
export interface GateEffectiveness {
  gates: GateEffectivenessRow[];
  cells: GateWeekCell[];
  blocks: GateBlock[];
  escapes: GateEscape[];
  overrides: OverrideOutcome[];
  /** Evidence ages at deploy, hours, per gate (the distribution chart): the newest 2,000. */
  evidenceAges: Array<{ gate: GateId; operationId: string; hours: number }>;
  /** How many there were in all (blocks, escapes, overrides: the newest 500 are listed). */
  counts?: {
    blocks: number;
    escapes: number;
    overrides: number;
    evidenceAges: number;
  };
}

/** GET …/metrics and GET /metrics. @public */
export interface MetricsResponse {
  scope: {
    entityRef?: string;
    environment: string;
    from: string;
    to: string;
    timeZone: string;
    /** Services the portfolio figures cover (1 for an entity). */
    services: number;
    /** A change fails when followed within this ISO 8601 duration (rco.metrics.failureWindow). */
    failureWindow: string;
  };
  delivery: DeliveryMetrics;
  effectiveness: GateEffectiveness;
  /** Some of the history is the local portal's generated demo history. */
  demo: boolean;
  computedAt: string;
}

/** A proposed change replayed over the stored judgements. @public */
export interface ReplayChange {
  gate: GateId;
  /** A new maximum evidence age for the gate (ISO 8601), as rco.gates.maxAge would set it. */
  maxAge?: string;
  /** image-scanning: the severities that fail it, as rco.gates.blockingSeverities would set it. */
  blockingSeverities?: string[];
  /** A waiver of the gate as the waiver dialog would grant it (entity scope only). */
  waiver?: {
    environment?: string;
    releaseVersion?: string;
    /** ISO 8601 duration from each judgement's time; default P7D. */
    duration?: string;
  };
}

/** POST /replay and POST …/replay. @public */
export interface ReplayRequest {
  change: ReplayChange;
  from?: string;
  to?: string;
}

/** A past judgement the change would decide differently. @public */
export interface ReplayedJudgement {
  operationId: string;
  entityRef: string;
  environment: string;
  release: { version?: string; digest?: string };
  judgedAt: string;
  before: GateStatus;
  after: GateStatus;
  /** What the deploy did then, and what it would have done. */
  decisionBefore: 'allowed' | 'blocked';
  decisionAfter: 'allowed' | 'blocked';
}

/** A release in flight whose state the change would alter now. @public */
export interface ReplayedVerdict {
  entityRef: string;
  /** '' is the release without an environment (what the portfolio shows). */
  environment: string;
  release: { version?: string; digest?: string };
  before: GateStatus;
  after: GateStatus;
  readyBefore: boolean;
  readyAfter: boolean;
}

/** What a change would have done, computed with no writes. @public */
export interface ReplayResponse {
  change: ReplayChange;
  scope: { entityRef?: string; from: string; to: string; services: number };
  /**
   * The unchanged policy replayed: `matched` of `replayed` judgements reproduce their stored
   * gate statuses exactly; `mismatched` lists any that do not (inputs edited or pruned).
   */
  baseline: {
    replayed: number;
    matched: number;
    mismatched: Array<{
      operationId: string;
      gate: GateId;
      stored: GateStatus;
      replayed: GateStatus;
    }>;
    /** Judgements that cannot be replayed (evidence pruned, recorded before issue 17). */
    unreplayable: number;
  };
  /** The first 500 (oldest first); `pastCount` says how many in all. */
  past: ReplayedJudgement[];
  pastCount?: number;
  /** The first 500; `inFlightCount` says how many in all. */
  inFlight: ReplayedVerdict[];
  inFlightCount?: number;
  /** Stored verdicts judged again (the releases in flight). */
  inFlightJudged: number;
  durationMs: number;
  /** Some of the history replayed is the local portal's generated demo history. */
  demo: boolean;
}

/** GET /gates/policy: the thresholds in force, which the Gate policy page proposes changes to. @public */
export interface GatePolicyResponse {
  gates: Array<{
    gate: GateId;
    title: string;
    /** rco.gates.maxAge (or the catalogue's default); a runbook may only tighten it. */
    maxAge?: string;
    /** image-scanning only. */
    blockingSeverities?: string[];
    /** Sign-off gates are passed by people: no threshold, no waiver. */
    signoff: boolean;
  }>;
  /** The environments metrics can be asked for (rco.environments). */
  environments: string[];
  failureWindow: string;
}
