import {
  OperationState,
  OverrideOutcome,
} from '@helix-portal/plugin-rco-common';
import { Judgement } from '../database/JudgementStore';

/**
 * What the metrics are computed from: the operations (each written with its ledger entries),
 * the deploy decisions recorded with them, the overrides and the evidence. Plain data, so every
 * rule below is a pure function with hand-checked fixtures.
 */
export interface OperationFact {
  id: string;
  entityRef: string;
  environment: string;
  type: 'deploy' | 'rollback' | 'rollback-dry-run';
  state: OperationState;
  release: { version?: string; digest?: string };
  createdAt: Date;
  finishedAt?: Date;
  /** A person confirmed it: it ran (preflight alone changes nothing). */
  confirmed: boolean;
  /** The driver reported progress: it changed something (an operation that failed before did not). */
  started: boolean;
  overrideId?: string;
}

/**
 * A waiver or a break-glass override: the fields of the reported `OverrideOutcome` it is read
 * into, with its times as dates and without what the metrics work out (its deploys, its outcome).
 */
export interface OverrideFact
  extends Omit<
    OverrideOutcome,
    'createdAt' | 'expiresAt' | 'revokedAt' | 'operations' | 'outcome'
  > {
  createdAt: Date;
  expiresAt: Date;
  revokedAt?: Date;
}

/** An AnalysisRun that failed, as the console read it: about the image digest it names. */
export interface AnalysisFailureFact {
  id: string;
  entityRef: string;
  environment: string;
  digest?: string;
  at: Date;
}

export interface MetricsFacts {
  operations: OperationFact[];
  judgements: Judgement[];
  overrides: OverrideFact[];
  analysisFailures: AnalysisFailureFact[];
  /** The first evidence naming each digest: `${entityRef} ${digest}` → its earliest collectedAt. */
  firstEvidence: Map<string, Date>;
}

/**
 * A deploy or rollback that ran: a person confirmed it and it ended having changed something
 * (succeeded, or the driver had started when it failed, rolled back, was aborted or needed a
 * person). A confirmed operation that failed before its driver started changed nothing.
 */
export const ran = (op: OperationFact) =>
  op.confirmed &&
  !!op.finishedAt &&
  (op.state === 'succeeded' ||
    (op.started &&
      (
        [
          'failed',
          'rolled-back',
          'aborted',
          'needs-attention',
        ] as OperationState[]
      ).includes(op.state)));

/** A change that failed by itself: rolled back (analysis, atomic upgrade), aborted or stuck. */
export const failedItself = (op: OperationFact) =>
  ran(op) && op.state !== 'succeeded';
