/**
 * The road to production (issue 15): promotion between environments, soak, marked releases and
 * freezes, as `GET /entities/…/road` and `GET /entities/…/freezes` return them. Times are ISO
 * 8601 strings in UTC; durations are ISO 8601 durations (`PT24H`).
 */
import type { DeployWindowView } from './windows';

/**
 * What an environment's stage shows: nothing deployed yet, a deploy running, the release
 * soaking, soaked (the next environment may take it), or its last deploy failed / was rolled back.
 *
 * @public
 */
export type RoadStageState =
  | 'empty'
  | 'deploying'
  | 'soaking'
  | 'soaked'
  | 'failed'
  | 'rolled-back';

/**
 * One reason the release asked about may not enter an environment now.
 *
 * @public
 */
export interface RoadBlocker {
  kind: 'promotion' | 'soak' | 'analysis' | 'marked' | 'window' | 'freeze';
  /** A sentence a person can act on. */
  message: string;
  /** When it lifts by itself (soak end, window start, freeze end). */
  until?: string;
  /** The break-glass override id that lifts it. */
  overriddenBy?: string;
}

/** @public */
export interface RoadRelease {
  version?: string;
  digest?: string;
}

/** @public */
export interface FreezeView {
  name: string;
  source: 'config';
  /** The occurrence active now or the next one. */
  from: string;
  until: string;
  active: boolean;
  /** The RRULE of a recurring freeze. */
  rule?: string;
  timeZone: string;
}

/** @public */
export interface RoadStage {
  environment: string;
  /** 0-based in `rco.promotion.order`; environments outside the order come last. */
  position: number;
  /** What runs there (the last succeeded deploy). */
  release?: RoadRelease;
  deployedAt?: string;
  state: RoadStageState;
  /** ISO duration. */
  soakRequired: string;
  /** ISO duration so far. */
  soakedFor?: string;
  soakEndsAt?: string;
  analysis: 'green' | 'failed' | 'none';
  /** What blocks the release named in the request from entering THIS environment now. */
  blockers: RoadBlocker[];
  /** The accepted window now or next for the release, if any. */
  window?: DeployWindowView;
  /** Freezes active now or starting within 7 days. */
  freezes: FreezeView[];
}

/**
 * A release that failed or was rolled back somewhere: do not promote it again by accident.
 *
 * @public
 */
export interface MarkedRelease {
  version?: string;
  digest?: string;
  environment: string;
  reason: 'failed' | 'rolled-back' | 'analysis-failed';
  operationId: string;
  at: string;
}

/** @public */
export interface RoadResponse {
  entityRef: string;
  /** The release asked about (default: the entity's newest). */
  release: RoadRelease;
  stages: RoadStage[];
  /** Releases that failed or were rolled back anywhere: do not promote. */
  marked: MarkedRelease[];
}

/** @public */
export interface FreezesResponse {
  items: FreezeView[];
}
