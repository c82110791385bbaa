import { GateId, OperationState } from '@helix-portal/plugin-rco-common';
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
  overrideId?: string;
}

/** A waiver or a break-glass override. */
export interface OverrideFact {
  kind: 'waiver' | 'break-glass';
  id: string;
  entityRef: string;
  gate?: GateId;
  environment?: string;
  releaseVersion?: string;
  grantedBy: string;
  justification: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt?: Date;
}

/** An AnalysisRun that failed, as the console read it. */
export interface AnalysisFailureFact {
  id: string;
  entityRef: string;
  environment: string;
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

/** Ended states of an operation that ran and left its change in place or not. */
const RAN_STATES: OperationState[] = [
  'succeeded',
  'failed',
  'rolled-back',
  'needs-attention',
];

/** A deploy or rollback that ran: confirmed, and ended in a state that says how it went. */
export const ran = (op: OperationFact) =>
  op.confirmed && RAN_STATES.includes(op.state) && !!op.finishedAt;

/** A change that failed by itself: its analysis or the atomic upgrade rolled it back. */
export const failedItself = (op: OperationFact) =>
  ran(op) && op.state !== 'succeeded';
