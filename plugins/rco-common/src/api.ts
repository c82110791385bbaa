import { Runbook } from './runbook/schema';
import { RunbookProblem } from './runbook/parse';

/**
 * The types of the rco backend's HTTP API responses (see the backend's
 * `src/schema/openapi.yaml`), shared with the frontend client.
 */

/** @public */
export interface RunbookErrorView {
  at: string;
  source: string;
  problems: RunbookProblem[];
}

/** @public */
export interface RunbookVersionSummary {
  entityRef: string;
  version: string;
  hash: string;
  date: string;
  status: string;
  title: string;
  source: string;
  firstSeenAt: string;
  lastSeenAt: string;
  current: boolean;
}

/** @public */
export interface RunbookVersionResponse extends RunbookVersionSummary {
  runbook: Runbook;
  /** The newest failed read, shown beside the last good version. */
  lastError?: RunbookErrorView;
}

/** @public */
export interface RunbookSectionRef {
  id: string;
  number: number;
  title: string;
}

/** @public */
export interface RunbookDiffLine {
  type: 'added' | 'removed' | 'unchanged';
  text: string;
}

/** @public */
export interface RunbookDiffResponse {
  entityRef: string;
  from: string;
  to: string;
  added: RunbookSectionRef[];
  removed: RunbookSectionRef[];
  changed: Array<
    RunbookSectionRef & { previousTitle?: string; lines: RunbookDiffLine[] }
  >;
  unchanged: number;
  fields: Array<{ field: string; from: string; to: string }>;
}

/** @public */
export interface RunbookRefreshResponse {
  entityRef: string;
  status: 'ok' | 'invalid';
  versions: number;
  current?: string;
  lastError?: RunbookErrorView;
}
