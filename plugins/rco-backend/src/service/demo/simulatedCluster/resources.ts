/**
 * The API resources the simulated cluster serves: the kinds the Kubernetes collector reads, plus
 * any Gatekeeper constraint kind its objects use (Gatekeeper makes one cluster-scoped kind per
 * ConstraintTemplate, plural = the kind in lower case, in the `constraint(s)` categories).
 */

export interface SimulatedResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
}

const r = (
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced = true,
  shortNames?: string[],
): SimulatedResource => ({
  group,
  version,
  resource,
  kind,
  namespaced,
  ...(shortNames ? { shortNames } : {}),
});

/** Served whether or not the cluster holds objects of them (as with installed CRDs). */
export const BUILTIN_RESOURCES: SimulatedResource[] = [
  r('', 'v1', 'namespaces', 'Namespace', false, ['ns']),
  // Read one by one (metadata) to attribute a policy report through its Pod's owners.
  r('', 'v1', 'pods', 'Pod', true, ['po']),
  r('apps', 'v1', 'replicasets', 'ReplicaSet', true, ['rs']),
  r('apps', 'v1', 'deployments', 'Deployment', true, ['deploy']),
  r('apps', 'v1', 'statefulsets', 'StatefulSet', true, ['sts']),
  r('apps', 'v1', 'daemonsets', 'DaemonSet', true, ['ds']),
  r('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, [
    'netpol',
  ]),
  r('wgpolicyk8s.io', 'v1alpha2', 'policyreports', 'PolicyReport', true, [
    'polr',
  ]),
  r(
    'wgpolicyk8s.io',
    'v1alpha2',
    'clusterpolicyreports',
    'ClusterPolicyReport',
    false,
    ['cpolr'],
  ),
  r('openreports.io', 'v1alpha1', 'reports', 'Report', true),
  r('openreports.io', 'v1alpha1', 'clusterreports', 'ClusterReport', false),
  r('velero.io', 'v1', 'backups', 'Backup'),
  r('velero.io', 'v1', 'restores', 'Restore'),
  r('argoproj.io', 'v1alpha1', 'rollouts', 'Rollout', true, ['ro']),
  r('argoproj.io', 'v1alpha1', 'analysisruns', 'AnalysisRun'),
  r('argoproj.io', 'v1alpha1', 'analysistemplates', 'AnalysisTemplate'),
  r('monitoring.coreos.com', 'v1', 'prometheusrules', 'PrometheusRule'),
];

export const GATEKEEPER_GROUP = 'constraints.gatekeeper.sh';

/** The resource an object of this apiVersion and kind is stored under, if it can be served. */
export function resourceFor(
  resources: SimulatedResource[],
  apiVersion: string,
  kind: string,
): SimulatedResource | undefined {
  const [group, version] = apiVersion.includes('/')
    ? apiVersion.split('/')
    : ['', apiVersion];
  const known = resources.find(
    x => x.group === group && x.version === version && x.kind === kind,
  );
  if (known) return known;
  if (group === GATEKEEPER_GROUP) {
    return {
      group,
      version,
      resource: kind.toLowerCase(),
      kind,
      namespaced: false,
      categories: ['constraint', 'constraints'],
    };
  }
  return undefined;
}

/** `group/version`, or `version` for the core group. */
export const groupVersion = (x: { group: string; version: string }) =>
  x.group ? `${x.group}/${x.version}` : x.version;
