/**
 * The resource a policy report is about, for attribution. Kyverno names each report after the
 * resource's uid and labels it only `app.kubernetes.io/managed-by: kyverno`; its `scope` (and
 * first owner reference) names the resource. A report no entity's selector matches by its own
 * labels is judged by that resource's workload: a Deployment, StatefulSet, DaemonSet or Rollout
 * listed in the same run (or read), or, for a Pod or ReplicaSet, the workload up its chain of
 * controllers. Lookups read metadata only, are cached for the run and bounded in number.
 * An Argo AnalysisRun (labelled by Argo only) is judged by its Rollout the same way.
 */
import type {
  ClusterClient,
  KubeObject,
  ObjectMetadata,
} from './clusterClient';
import { ClusterReadError } from './clusterClient';

interface Ref {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

interface OwnerRef extends Ref {
  uid?: string;
  controller?: boolean;
}

interface Api {
  group: string;
  version: string;
  resource: string;
}

/** Workloads: their labels are what an entity's selector is matched against. */
export const WORKLOADS: Record<string, Api> = {
  Deployment: { group: 'apps', version: 'v1', resource: 'deployments' },
  StatefulSet: { group: 'apps', version: 'v1', resource: 'statefulsets' },
  DaemonSet: { group: 'apps', version: 'v1', resource: 'daemonsets' },
  Rollout: { group: 'argoproj.io', version: 'v1alpha1', resource: 'rollouts' },
};

/** Objects a workload controls: followed up to their controller. */
const CONTROLLED: Record<string, Api> = {
  Pod: { group: '', version: 'v1', resource: 'pods' },
  ReplicaSet: { group: 'apps', version: 'v1', resource: 'replicasets' },
};

/** How many owner hops a report's resource may be from its workload (Pod → ReplicaSet → Deployment). */
const MAX_DEPTH = 3;

export type Resolution =
  | { labels: Record<string, string> }
  | { skipped: string }
  | undefined;

const groupOf = (apiVersion?: string) =>
  apiVersion?.includes('/') ? apiVersion.split('/')[0] : '';

const POLICY_REPORT = 'policy-report';
const ANALYSIS_RUN = 'argo-analysis-run';

/**
 * Evidence kinds whose objects usually carry no entity's labels and are attributed through what
 * they are about: policy reports (their resource) and Argo AnalysisRuns (their Rollout: Argo
 * labels a run only `rollout-type` and `rollouts-pod-template-hash`). Such kinds are listed whole
 * per namespace, not through the entity's selector, so the unlabelled ones are seen at all.
 */
export const followsOwner = (evidenceKind: string) =>
  evidenceKind === POLICY_REPORT || evidenceKind === ANALYSIS_RUN;

export class OwnerResolver {
  private readonly listed = new Map<string, ObjectMetadata>();
  private readonly cache = new Map<
    string,
    Promise<ObjectMetadata | undefined>
  >();
  private lookups = 0;

  constructor(
    private readonly client: Pick<ClusterClient, 'getMetadata'>,
    private readonly maxLookups: number,
  ) {}

  /** A workload this run listed: reports about it need no lookup. */
  remember(kind: string, object: KubeObject) {
    const m = object.metadata;
    if (!WORKLOADS[kind] || !m?.name || !m.namespace) return;
    this.listed.set(`${kind}/${m.namespace}/${m.name}`, m);
  }

  private async read(
    kind: string,
    api: Api,
    namespace: string,
    name: string,
  ): Promise<ObjectMetadata | undefined | 'limit'> {
    const key = `${kind}/${namespace}/${name}`;
    const known = this.listed.get(key);
    if (known) return known;
    let pending = this.cache.get(key);
    if (!pending) {
      if (this.lookups >= this.maxLookups) return 'limit';
      this.lookups++;
      pending = this.client.getMetadata(api, namespace, name);
      this.cache.set(key, pending);
    }
    return pending;
  }

  /** The labels an object of a followsOwner kind is judged by (its own matched nobody). */
  labelsFor(evidenceKind: string, object: KubeObject): Promise<Resolution> {
    if (evidenceKind === ANALYSIS_RUN) return this.rolloutLabelsOf(object);
    if (evidenceKind === POLICY_REPORT) return this.labelsOf(object);
    return Promise.resolve(undefined);
  }

  /**
   * An AnalysisRun's Rollout: its controller reference, a Rollout of its own namespace (listed
   * in this run, or read), and only that Rollout (the same uid): a run does not take the labels
   * of a Rollout recreated under the name, nor of anything further up.
   */
  async rolloutLabelsOf(analysisRun: KubeObject): Promise<Resolution> {
    const namespace = analysisRun.metadata?.namespace;
    const owners =
      (analysisRun.metadata as { ownerReferences?: OwnerRef[] } | undefined)
        ?.ownerReferences ?? [];
    const rollout = owners.find(
      o =>
        o.kind === 'Rollout' &&
        groupOf(o.apiVersion) === WORKLOADS.Rollout.group &&
        (o.controller || owners.length === 1),
    );
    if (!namespace || !rollout?.name) return undefined;
    try {
      const meta = await this.read(
        'Rollout',
        WORKLOADS.Rollout,
        namespace,
        rollout.name,
      );
      if (meta === 'limit') {
        return {
          skipped: `the limit of ${this.maxLookups} owner lookups per run was reached`,
        };
      }
      if (!meta) return undefined;
      if (rollout.uid && meta.uid && rollout.uid !== meta.uid) return undefined;
      return { labels: meta.labels ?? {} };
    } catch (e) {
      if (e instanceof ClusterReadError && e.scope === 'resource') {
        return { skipped: e.message };
      }
      throw e;
    }
  }

  /** The labels of the workload a report is about, or why it could not be told. */
  async labelsOf(report: KubeObject): Promise<Resolution> {
    const namespace = report.metadata?.namespace;
    const scope = (report as { scope?: Ref }).scope;
    const owners = (report.metadata as { ownerReferences?: Ref[] } | undefined)
      ?.ownerReferences;
    let ref: Ref | undefined = scope?.kind ? scope : owners?.[0];
    if (!namespace) return undefined;
    try {
      for (let depth = 0; depth <= MAX_DEPTH && ref; depth++) {
        // A report only speaks for resources of its own namespace.
        if (!ref.kind || !ref.name) return undefined;
        if (ref.namespace && ref.namespace !== namespace) return undefined;
        const workload = WORKLOADS[ref.kind];
        const controlled = CONTROLLED[ref.kind];
        const api = workload ?? controlled;
        if (!api || (ref.apiVersion && groupOf(ref.apiVersion) !== api.group)) {
          return undefined;
        }
        const meta = await this.read(ref.kind, api, namespace, ref.name);
        if (meta === 'limit') {
          return {
            skipped: `the limit of ${this.maxLookups} owner lookups per run was reached`,
          };
        }
        if (!meta) return undefined;
        if (workload) return { labels: meta.labels ?? {} };
        const next =
          meta.ownerReferences?.find(o => o.controller) ??
          meta.ownerReferences?.[0];
        ref = next && { ...next, namespace };
      }
      return undefined;
    } catch (e) {
      // A lookup refused (no get on pods, say) leaves the report unattributed, not the kind failed.
      if (e instanceof ClusterReadError && e.scope === 'resource') {
        return { skipped: e.message };
      }
      throw e;
    }
  }
}
