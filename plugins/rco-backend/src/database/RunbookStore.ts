import { Runbook, RunbookProblem } from '@helix-portal/plugin-rco-common';

/** One stored runbook document. */
export interface StoredRunbookVersion {
  entityRef: string;
  version: string;
  hash: string;
  title: string;
  status: string;
  date: string;
  source: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** A stored runbook document with its content. */
export interface StoredRunbook extends StoredRunbookVersion {
  runbook: Runbook;
}

/** The newest failed read of an entity's runbook. */
export interface RunbookReadError {
  at: Date;
  source: string;
  problems: RunbookProblem[];
}

/** What the store knows of an entity's runbook right now. */
export interface RunbookState {
  entityRef: string;
  currentHash?: string;
  refreshedAt: Date;
  lastError?: RunbookReadError;
}

/**
 * Persistence of runbook versions. Every distinct document is kept so users can read and
 * compare any version that was ever current.
 */
export interface RunbookStore {
  /** Stores a document unless identical content is already kept; returns its hash. */
  saveVersion(options: {
    entityRef: string;
    runbook: Runbook;
    source: string;
    seenAt: Date;
  }): Promise<string>;
  /**
   * Records the outcome of a refresh: the current version, or the error beside the last good one.
   * True when that changed what was stored (another current version, another error, the first
   * state): only then can a verdict judged on the stored runbook be out of date.
   */
  saveState(options: {
    entityRef: string;
    currentHash?: string;
    refreshedAt: Date;
    error?: RunbookReadError;
  }): Promise<boolean>;
  getState(entityRef: string): Promise<RunbookState | undefined>;
  /** All versions of an entity, newest document first. */
  listVersions(entityRef: string): Promise<StoredRunbookVersion[]>;
  /** A version by its hash, or the most recently seen document claiming that version string. */
  getVersion(
    entityRef: string,
    selector: { hash: string } | { version: string },
  ): Promise<StoredRunbook | undefined>;
}
