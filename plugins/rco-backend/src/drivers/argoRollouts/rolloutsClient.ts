import {
  AppsV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
// The typed AppsV1Api hands back model objects (Dates instead of strings, model-only field
// names); the package's own serializer turns them back into wire JSON so that a ReplicaSet's pod
// template can be sent back to the API server unchanged, as `undo` needs. It is not re-exported
// from the package root, hence the deep import of the same pinned version.
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import type {
  DeployCluster,
  DeployTarget,
} from '@helix-portal/plugin-rco-node';
import {
  ANALYSISRUNS_PLURAL,
  AnalysisRun,
  ReplicaSet,
  Rollout,
  ROLLOUTS_GROUP,
  ROLLOUTS_PLURAL,
  ROLLOUTS_VERSION,
} from './types';
import { describeKubeError } from '../../lib/kubeErrors';
import { redactError } from '../../collectors/redact';

/**
 * Builds a `KubeConfig` from a cluster as the Kubernetes plugin's config locator declares it:
 * the service account token becomes a bearer token held in memory, never written anywhere.
 */
export function kubeConfigFromCluster(cluster: DeployCluster): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: cluster.name,
        server: cluster.url,
        caData: cluster.caData,
        skipTLSVerify: cluster.skipTLSVerify ?? false,
      },
    ],
    users: [{ name: 'rco-backend', token: cluster.serviceAccountToken }],
    contexts: [
      { name: cluster.name, cluster: cluster.name, user: 'rco-backend' },
    ],
    currentContext: cluster.name,
  });
  return kc;
}

/**
 * The default client configuration of a target: its `cluster` entry, which must be there.
 */
export function defaultKubeConfigFor(target: DeployTarget): KubeConfig {
  if (!target.cluster) {
    throw new Error(
      `environment "${target.environment}" has no Kubernetes cluster for the argo-rollouts driver`,
    );
  }
  return kubeConfigFromCluster(target.cluster);
}

/** A Kubernetes API call that failed, described without any credential. */
export class RolloutsApiError extends Error {
  /** The HTTP status the API server answered, when it answered. */
  readonly statusCode?: number;

  constructor(message: string, statusCode?: number) {
    super(message);
    this.name = 'RolloutsApiError';
    this.statusCode = statusCode;
  }
}

/** True when `e` is a failed API call the server answered with HTTP `code`. */
export function hasStatus(e: unknown, code: number): boolean {
  return e instanceof RolloutsApiError && e.statusCode === code;
}

/**
 * Calls the Kubernetes API for one Rollout target. Every failure is rethrown as a
 * `RolloutsApiError` that says what was being done on which cluster; the client library's own
 * message is not reused because it dumps bodies and headers verbatim.
 */
export class RolloutsClient {
  private readonly custom: CustomObjectsApi;
  private readonly apps: AppsV1Api;
  private readonly clusterName: string;
  private readonly server: string;
  private readonly secret?: string;

  constructor(kc: KubeConfig, target: DeployTarget) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.apps = kc.makeApiClient(AppsV1Api);
    const cluster = kc.getCurrentCluster();
    this.clusterName = target.cluster?.name ?? cluster?.name ?? 'unknown';
    this.server = cluster?.server ?? target.cluster?.url ?? 'unknown';
    this.secret =
      kc.getCurrentUser()?.token ?? target.cluster?.serviceAccountToken;
  }

  private async call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.describe(action, e);
    }
  }

  private describe(action: string, e: unknown): RolloutsApiError {
    const where = `cluster "${this.clusterName}" (${this.server})`;
    const failure = describeKubeError(e);
    let message: string;
    let code: number | undefined;
    if (failure.kind === 'answered') {
      code = failure.code;
      const detail = failure.detail;
      if (code === 401) {
        message = `${action} failed: ${where} answered 401 Unauthorized — the service account token was refused (check serviceAccountToken of the cluster in the kubernetes config)`;
      } else if (code === 403) {
        message = `${action} failed: ${where} answered 403 Forbidden — the service account lacks the RBAC permission${
          detail ? ` (${detail})` : ''
        }`;
      } else {
        message = `${action} failed: ${where} answered HTTP ${code}${
          detail ? `: ${detail}` : ''
        }`;
      }
    } else {
      // No signal is handed to this client's calls, so a failure without an answer is transport.
      message = `${action} failed: ${where} could not be reached: ${
        failure.kind === 'unreachable' ? failure.message : 'cancelled'
      }`;
    }
    // Belt and braces: no code path above prints the token, but a transport error message could
    // quote a request; the token never leaves this class.
    return new RolloutsApiError(
      redactError(message, this.secret ? [this.secret] : []),
      code,
    );
  }

  private ref(plural: string, namespace: string, name: string) {
    return {
      group: ROLLOUTS_GROUP,
      version: ROLLOUTS_VERSION,
      plural,
      namespace,
      name,
    };
  }

  /** GET the Rollout. */
  getRollout(namespace: string, name: string): Promise<Rollout> {
    return this.call(`reading Rollout ${namespace}/${name}`, () =>
      this.custom.getNamespacedCustomObject(
        this.ref(ROLLOUTS_PLURAL, namespace, name),
      ),
    );
  }

  /** PUT the whole Rollout (optimistic concurrency on `metadata.resourceVersion`). */
  replaceRollout(rollout: Rollout): Promise<Rollout> {
    const { namespace = '', name = '' } = rollout.metadata;
    return this.call(`updating Rollout ${namespace}/${name}`, () =>
      this.custom.replaceNamespacedCustomObject({
        ...this.ref(ROLLOUTS_PLURAL, namespace, name),
        body: rollout,
      }),
    );
  }

  /** PATCH the Rollout's main resource with the given patch type (optionally as a dry run). */
  patchRollout(
    namespace: string,
    name: string,
    body: object,
    strategy: PatchStrategy,
    opts: { dryRun?: boolean } = {},
  ): Promise<Rollout> {
    return this.call(
      `${
        opts.dryRun ? 'dry-run patching' : 'patching'
      } Rollout ${namespace}/${name}`,
      () =>
        this.custom.patchNamespacedCustomObject(
          {
            ...this.ref(ROLLOUTS_PLURAL, namespace, name),
            body,
            dryRun: opts.dryRun ? 'All' : undefined,
          },
          // The generated client defaults PATCH bodies to JSON patch; the header says which
          // kind of patch the body really is.
          setHeaderOptions('Content-Type', strategy),
        ),
    );
  }

  /** Merge-PATCH the Rollout's `status` subresource (how the plugin promotes and aborts). */
  patchRolloutStatus(
    namespace: string,
    name: string,
    body: object,
  ): Promise<Rollout> {
    return this.call(
      `patching the status of Rollout ${namespace}/${name}`,
      () =>
        this.custom.patchNamespacedCustomObjectStatus(
          { ...this.ref(ROLLOUTS_PLURAL, namespace, name), body },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
    );
  }

  /** GET an AnalysisRun. */
  getAnalysisRun(namespace: string, name: string): Promise<AnalysisRun> {
    return this.call(`reading AnalysisRun ${namespace}/${name}`, () =>
      this.custom.getNamespacedCustomObject(
        this.ref(ANALYSISRUNS_PLURAL, namespace, name),
      ),
    );
  }

  /** Lists ReplicaSets by label selector, returned as wire JSON. */
  async listReplicaSets(
    namespace: string,
    labelSelector: string,
  ): Promise<ReplicaSet[]> {
    const list = await this.call(
      `listing ReplicaSets in ${namespace} (${labelSelector})`,
      () => this.apps.listNamespacedReplicaSet({ namespace, labelSelector }),
    );
    return (list.items ?? []).map(
      rs => ObjectSerializer.serialize(rs, 'V1ReplicaSet') as ReplicaSet,
    );
  }
}
