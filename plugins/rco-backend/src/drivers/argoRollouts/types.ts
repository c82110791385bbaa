/**
 * The parts of the Argo Rollouts and apps/v1 objects the driver reads, as they travel on the
 * wire (`argoproj.io/v1alpha1` has no typed model in `@kubernetes/client-node`, so the driver
 * works on plain JSON and names only the fields it relies on).
 */

/** The group, version and plurals of the Argo Rollouts custom resources. */
export const ROLLOUTS_GROUP = 'argoproj.io';
/** @see ROLLOUTS_GROUP */
export const ROLLOUTS_VERSION = 'v1alpha1';
/** @see ROLLOUTS_GROUP */
export const ROLLOUTS_PLURAL = 'rollouts';
/** @see ROLLOUTS_GROUP */
export const ANALYSISRUNS_PLURAL = 'analysisruns';

/** Annotation the controller writes on the Rollout and on each of its ReplicaSets. */
export const REVISION_ANNOTATION = 'rollout.argoproj.io/revision';
/** Label the controller adds to each ReplicaSet's pod template (`DefaultRolloutUniqueLabelKey`). */
export const POD_TEMPLATE_HASH_LABEL = 'rollouts-pod-template-hash';

/** Object metadata, as far as the driver reads it. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string | Date | null;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{
    apiVersion?: string;
    kind?: string;
    name?: string;
    uid?: string;
    controller?: boolean;
  }>;
}

/** A container of a pod template. */
export interface Container {
  name: string;
  image?: string;
  [key: string]: unknown;
}

/** A pod template (`spec.template` of a Rollout or a ReplicaSet). */
export interface PodTemplate {
  metadata?: ObjectMeta & Record<string, unknown>;
  spec?: {
    containers?: Container[];
    initContainers?: Container[];
    ephemeralContainers?: Container[];
    [key: string]: unknown;
  };
}

/** One step of `spec.strategy.canary.steps`. */
export interface CanaryStep {
  setWeight?: number;
  pause?: { duration?: string | number };
  analysis?: { templates?: Array<{ templateName?: string }> };
  experiment?: unknown;
  [key: string]: unknown;
}

/** Status of an AnalysisRun as the Rollout records it. */
export interface RolloutAnalysisRunStatus {
  name: string;
  status: string;
  message?: string;
}

/** An `argoproj.io/v1alpha1` Rollout. */
export interface Rollout {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: {
    replicas?: number;
    paused?: boolean;
    selector?: {
      matchLabels?: Record<string, string>;
      matchExpressions?: Array<{
        key: string;
        operator: string;
        values?: string[];
      }>;
    };
    template?: PodTemplate;
    workloadRef?: { kind?: string; name?: string };
    strategy?: {
      canary?: { steps?: CanaryStep[]; [key: string]: unknown };
      blueGreen?: Record<string, unknown>;
    };
  };
  status?: {
    phase?: string;
    message?: string;
    abort?: boolean;
    abortedAt?: string;
    /** A string in the Rollouts API (`ObservedGeneration string`), a number in older releases. */
    observedGeneration?: number | string;
    currentPodHash?: string;
    stableRS?: string;
    currentStepIndex?: number;
    pauseConditions?: Array<{ reason: string; startTime?: string }> | null;
    controllerPause?: boolean;
    canary?: {
      weights?: {
        canary?: { weight?: number; podTemplateHash?: string };
        stable?: { weight?: number; podTemplateHash?: string };
      };
      currentStepAnalysisRunStatus?: RolloutAnalysisRunStatus;
      currentBackgroundAnalysisRunStatus?: RolloutAnalysisRunStatus;
    };
    conditions?: Array<{
      type: string;
      status: string;
      reason?: string;
      message?: string;
    }>;
  };
}

/** One metric of an AnalysisRun's spec. */
export interface AnalysisMetric {
  name: string;
  successCondition?: string;
  failureCondition?: string;
  failureLimit?: number | string;
  inconclusiveLimit?: number | string;
  [key: string]: unknown;
}

/** One metric's results in an AnalysisRun's status. */
export interface AnalysisMetricResult {
  name: string;
  phase: string;
  message?: string;
  count?: number;
  successful?: number;
  failed?: number;
  inconclusive?: number;
  error?: number;
  measurements?: Array<{
    phase: string;
    value?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
  }>;
}

/** An `argoproj.io/v1alpha1` AnalysisRun. */
export interface AnalysisRun {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: { metrics?: AnalysisMetric[] };
  status?: {
    phase?: string;
    message?: string;
    metricResults?: AnalysisMetricResult[];
  };
}

/** An apps/v1 ReplicaSet, on the wire. */
export interface ReplicaSet {
  metadata: ObjectMeta;
  spec?: { replicas?: number; template?: PodTemplate };
  status?: { replicas?: number; readyReplicas?: number };
}
