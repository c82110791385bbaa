/**
 * Deploy, rollback and rollback dry-run operations as the API returns them (see the backend's
 * `src/schema/openapi.yaml`, §6 of the design).
 */

/** @public */
export type OperationType = 'deploy' | 'rollback' | 'rollback-dry-run';

/**
 * requested → preflight → awaiting-confirmation → running → succeeded | failed | rolled-back |
 * aborted | needs-attention. `blocked` ends an operation whose preflight refused it.
 * `needs-attention` ends an operation whose outcome the control plane could not settle (for
 * example a rollback Helm still reports `pending-rollback` after the environment's timeout):
 * its reasons say what to look at. The backend's `operations/transitions.ts` lists every allowed
 * change.
 *
 * @public
 */
export type OperationState =
  | 'requested'
  | 'preflight'
  | 'awaiting-confirmation'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'rolled-back'
  | 'aborted'
  | 'blocked'
  | 'needs-attention';

/** @public */
export const TERMINAL_OPERATION_STATES: OperationState[] = [
  'succeeded',
  'failed',
  'rolled-back',
  'aborted',
  'blocked',
  'needs-attention',
];

/** @public */
export interface OperationStep {
  id: string;
  title: string;
  status: 'pending' | 'running' | 'done' | 'failed' | 'skipped';
  /** Irreversible steps (a database migration) need their own confirmation. */
  irreversible?: boolean;
  startedAt?: string;
  finishedAt?: string;
  message?: string;
}

/** @public */
export interface OperationMetric {
  name: string;
  value?: string;
  condition?: string;
  phase: string;
}

/** Live progress reported by the driver. @public */
export interface OperationProgress {
  phase: string;
  message?: string;
  revision?: string;
  step?: { index: number; total: number; description?: string };
  canaryWeight?: number;
  metrics?: OperationMetric[];
}

/** The gates an operation was allowed under. @public */
export interface GateSnapshot {
  /** sha256 of the canonical evaluation. */
  hash: string;
  evaluatedAt: string;
  gates: Array<{ id: string; status: string }>;
  signoffs: Array<{ role: string; signer: string }>;
}

/** @public */
export interface OperationResponse {
  id: string;
  entityRef: string;
  environment: string;
  type: OperationType;
  driver: string;
  simulated: boolean;
  release: { version?: string; digest?: string };
  /** rollback: the revision asked for. */
  targetRevision?: string;
  state: OperationState;
  steps: OperationStep[];
  progress?: OperationProgress;
  reasons: string[];
  requestedBy: string;
  confirmedBy?: string;
  /** What the operation waits for next: 'plan', an irreversible step id, or 'promote'. */
  awaiting?: string;
  gateSnapshot?: GateSnapshot;
  overrideId?: string;
  baselineRevision?: string;
  resultRevision?: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
}

/** @public */
export interface OperationListResponse {
  items: OperationResponse[];
}

/** An environment as the Release tab shows it. @public */
export interface EnvironmentView {
  name: string;
  driver: string;
  driverLabel: string;
  simulated: boolean;
  namespace: string;
  requiredSignoffs: Array<'po' | 'dpo' | 'security'>;
  currentRevision?: {
    revision: string;
    status: string;
    updatedAt?: string;
    image?: string;
    description?: string;
  };
  revisions: Array<{
    revision: string;
    status: string;
    updatedAt?: string;
    image?: string;
    description?: string;
    current: boolean;
  }>;
  /** Set when the driver could not be asked. */
  error?: string;
  activeOperationId?: string;
}

/** @public */
export interface EnvironmentListResponse {
  items: EnvironmentView[];
}

/** A break-glass override: lets one release deploy to one environment despite failing gates. @public */
export interface OverrideResponse {
  id: string;
  entityRef: string;
  environment: string;
  release: { version?: string; digest?: string };
  justification: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt?: string;
}

/** @public */
export interface OverrideListResponse {
  items: OverrideResponse[];
}
