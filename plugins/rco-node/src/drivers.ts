import { LoggerService } from '@backstage/backend-plugin-api';

/**
 * A cluster as the Kubernetes plugin's `kubernetes.clusterLocatorMethods[type=config]` declares
 * it. The token is a secret: drivers pass it in files or headers, never on a command line.
 *
 * @public
 */
export interface DeployCluster {
  name: string;
  url: string;
  serviceAccountToken?: string;
  caData?: string;
  skipTLSVerify?: boolean;
}

/**
 * Where and how a service is deployed in one environment (config plus the entity's annotations).
 *
 * @public
 */
export interface DeployTarget {
  entityRef: string;
  environment: string;
  /** The driver id, e.g. `helm`, `argo-rollouts`, `simulated`. */
  driver: string;
  cluster?: DeployCluster;
  namespace: string;
  helm?: {
    release: string;
    chart: string;
    chartVersion?: string;
    /** Values written to a temporary file; never put on the command line. */
    values?: Record<string, unknown>;
  };
  rollout?: {
    name: string;
    /** Container whose image is replaced; the first one when absent. */
    container?: string;
  };
  /** Longest time a deploy may take, in milliseconds. */
  timeoutMs: number;
}

/**
 * The release being deployed.
 *
 * @public
 */
export interface DeployRelease {
  version?: string;
  digest?: string;
  /** Full image reference (`repo@sha256:…` or `repo:tag`), when the driver sets an image. */
  image?: string;
}

/**
 * Where a driver's change stands.
 * - `progressing`: still moving, observe again later.
 * - `paused`: a canary pause waits for a human promote.
 * - `succeeded`: the new revision is live and healthy.
 * - `failed`: it failed and nothing rolled it back (a human must look).
 * - `rolled-back`: it failed and the previous revision is serving again (Helm `--atomic`,
 *   Rollouts abort after a failed analysis).
 * - `aborted`: a human aborted it.
 * - `unknown`: the driver cannot tell (for example, the release is gone).
 *
 * @public
 */
export type DriverPhase =
  | 'progressing'
  | 'paused'
  | 'succeeded'
  | 'failed'
  | 'rolled-back'
  | 'aborted'
  | 'unknown';

/**
 * One analysis measurement against its condition, e.g.
 * `success-rate 0.91, successCondition result[0] >= 0.99, Failed`.
 *
 * @public
 */
export interface DriverMetric {
  name: string;
  value?: string;
  /** The condition it was judged against, as the analysis states it. */
  condition?: string;
  phase: string;
}

/**
 * What a driver reports about a change.
 *
 * @public
 */
export interface DriverProgress {
  phase: DriverPhase;
  /**
   * A short human-readable line: "Step 2 of 4: paused, waiting for Promote" (step counters in the
   * words of `canaryStepWords` from rco-common).
   */
  message?: string;
  /** The revision the change created or returned to. */
  revision?: string;
  /**
   * Where a canary stands, as Argo Rollouts counts: `index` is the 0-based step in progress
   * (`status.currentStepIndex`), below 0 before the first step and equal to `total` once every
   * step is done; every entry of the steps counts (setWeight, pause, analysis, …).
   */
  step?: { index: number; total: number; description?: string };
  canaryWeight?: number;
  metrics?: DriverMetric[];
  /** Why it failed, rolled back or aborted, in words (failing metric and threshold included). */
  reasons?: string[];
  /** True when a failed canary analysis caused the failure: the control plane then rolls back. */
  analysisFailed?: boolean;
}

/**
 * One revision of the service in an environment (Helm history entry, Rollout revision).
 *
 * @public
 */
export interface DriverRevision {
  revision: string;
  status: string;
  updatedAt?: string;
  description?: string;
  chart?: string;
  appVersion?: string;
  image?: string;
  /** The revision serving now. */
  current: boolean;
}

/**
 * Given to every driver call.
 *
 * @public
 */
export interface DriverContext {
  operationId: string;
  logger: LoggerService;
  /** Aborted when the backend is stopping: long calls should give up (and not roll back). */
  signal: AbortSignal;
  /** Reports intermediate progress (also keeps the operation's lease alive). */
  report(progress: DriverProgress): Promise<void>;
  /**
   * The revision that was current before this operation started, when there was one. Used by
   * `observe` to tell a new revision from the old one after a restart.
   */
  baselineRevision?: string;
}

/**
 * How a driver's work is put in words on the page and in an operation's reasons. The driver knows
 * its tool; the control plane never branches on a driver's id for wording. Every field is
 * optional: {@link driverWording} fills in wording built from the driver's label.
 *
 * @public
 */
export interface DriverWording {
  /** Title of a deploy's step, e.g. `helm upgrade --install --atomic --wait`. */
  deployStep?: string;
  /**
   * Why a running operation cannot be aborted through this driver, when it has no `abort` or
   * cannot abort that kind of operation, e.g. `--atomic rolls it back itself if it fails`.
   */
  cannotAbortReason?: string;
  /**
   * What a person should look at when a change stalls or needs attention, e.g.
   * `the Helm history (helm history <release>)`, `the Rollout`.
   */
  whereToLook?: string;
}

/**
 * A driver's wording with the defaults filled in, for drivers that say nothing.
 *
 * @public
 */
export function driverWording(
  driver: Pick<DeployDriver, 'label' | 'describe'>,
): Required<Omit<DriverWording, 'cannotAbortReason'>> &
  Pick<DriverWording, 'cannotAbortReason'> {
  return {
    deployStep: driver.describe?.deployStep ?? `Deploy with ${driver.label}`,
    cannotAbortReason: driver.describe?.cannotAbortReason,
    whereToLook: driver.describe?.whereToLook ?? `what ${driver.label} shows`,
  };
}

/**
 * A way of deploying and rolling back a service. The control plane persists the operation and
 * its state; the driver only talks to the cluster and tells the truth about what it sees.
 *
 * @public
 */
export interface DeployDriver {
  /** The id environments use in `rco.environments[].driver`. */
  readonly id: string;
  /** Shown on the page ("Helm", "Argo Rollouts", "Simulated cluster"). */
  readonly label: string;
  /** True for stand-ins: the page labels the environment "Simulated cluster". */
  readonly simulated?: boolean;
  /** The driver's own wording of steps and refusals (defaults: see {@link driverWording}). */
  readonly describe?: DriverWording;

  /** Revisions of the service in the environment, newest first. */
  history(target: DeployTarget, ctx: DriverContext): Promise<DriverRevision[]>;

  /**
   * Starts (or, for blocking tools like Helm, runs to the end) a deploy of the release. Returns
   * the state it reached; the control plane calls `observe` while it is progressing or paused.
   */
  deploy(
    target: DeployTarget,
    release: DeployRelease,
    ctx: DriverContext,
  ): Promise<DriverProgress>;

  /**
   * Where the change this operation made stands now, read from the cluster: used to follow a
   * running change and to reconcile after a restart (never re-running anything). An adopted
   * rollback is followed with it too: `progressing` (Helm's `pending-rollback`, a Rollout still
   * rolling back) makes the control plane wait instead of judging the rollback.
   */
  observe(target: DeployTarget, ctx: DriverContext): Promise<DriverProgress>;

  /** Continues a paused canary (absent when the driver has no pauses). */
  promote?(target: DeployTarget, ctx: DriverContext): Promise<void>;

  /** Stops a running change and returns traffic to the stable revision. */
  abort?(target: DeployTarget, ctx: DriverContext): Promise<void>;

  /** Rolls back to a revision (the previous one when absent) and waits for it. */
  rollback(
    target: DeployTarget,
    revision: string | undefined,
    ctx: DriverContext,
  ): Promise<DriverProgress>;

  /** Checks a rollback without changing anything; `succeeded` or `failed` with reasons. */
  rollbackDryRun(
    target: DeployTarget,
    revision: string | undefined,
    ctx: DriverContext,
  ): Promise<DriverProgress>;
}
