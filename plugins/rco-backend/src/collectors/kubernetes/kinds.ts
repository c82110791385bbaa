/**
 * What the Kubernetes collector reads, and the evidence kind each API resource becomes. The
 * evidence kinds are the parsers' own (src/evidence/parsers): each object is handed to the same
 * parser as an upload of that kind. Gatekeeper constraints have one kind per ConstraintTemplate,
 * so that group is read whole, whatever resources discovery finds in it.
 */

/** One API resource (or, with `wholeGroup`, every resource of a group). */
export interface ResourceSpec {
  group: string;
  /** The plural resource name; absent when `wholeGroup`. */
  resource?: string;
  /** The API kind, for people (health is shown per kind). */
  kind: string;
  /** Every resource the group serves (Gatekeeper's constraint kinds). */
  wholeGroup?: boolean;
}

export interface CollectedKind {
  evidenceKind: string;
  resources: ResourceSpec[];
  /** Where its objects live when the configuration does not say (default: the place's namespace). */
  defaultNamespace?: string;
}

export const COLLECTED_KINDS: CollectedKind[] = [
  {
    evidenceKind: 'policy-report',
    resources: [
      {
        group: 'wgpolicyk8s.io',
        resource: 'policyreports',
        kind: 'PolicyReport',
      },
      {
        group: 'wgpolicyk8s.io',
        resource: 'clusterpolicyreports',
        kind: 'ClusterPolicyReport',
      },
      { group: 'openreports.io', resource: 'reports', kind: 'Report' },
      {
        group: 'openreports.io',
        resource: 'clusterreports',
        kind: 'ClusterReport',
      },
    ],
  },
  {
    evidenceKind: 'gatekeeper-constraint',
    resources: [
      {
        group: 'constraints.gatekeeper.sh',
        wholeGroup: true,
        kind: 'Gatekeeper constraints',
      },
    ],
  },
  {
    evidenceKind: 'velero-backup',
    resources: [{ group: 'velero.io', resource: 'backups', kind: 'Backup' }],
    defaultNamespace: 'velero',
  },
  {
    evidenceKind: 'velero-restore',
    resources: [{ group: 'velero.io', resource: 'restores', kind: 'Restore' }],
    defaultNamespace: 'velero',
  },
  {
    evidenceKind: 'workload',
    resources: [
      { group: 'apps', resource: 'deployments', kind: 'Deployment' },
      { group: 'apps', resource: 'statefulsets', kind: 'StatefulSet' },
      { group: 'apps', resource: 'daemonsets', kind: 'DaemonSet' },
    ],
  },
  {
    evidenceKind: 'network-policy',
    resources: [
      {
        group: 'networking.k8s.io',
        resource: 'networkpolicies',
        kind: 'NetworkPolicy',
      },
    ],
  },
  {
    evidenceKind: 'argo-rollout',
    resources: [
      { group: 'argoproj.io', resource: 'rollouts', kind: 'Rollout' },
    ],
  },
  {
    evidenceKind: 'argo-analysis-run',
    resources: [
      { group: 'argoproj.io', resource: 'analysisruns', kind: 'AnalysisRun' },
    ],
  },
  {
    evidenceKind: 'argo-analysis-template',
    resources: [
      {
        group: 'argoproj.io',
        resource: 'analysistemplates',
        kind: 'AnalysisTemplate',
      },
    ],
  },
  {
    evidenceKind: 'prometheus-rule',
    resources: [
      {
        group: 'monitoring.coreos.com',
        resource: 'prometheusrules',
        kind: 'PrometheusRule',
      },
    ],
  },
];

export const COLLECTED_EVIDENCE_KINDS = COLLECTED_KINDS.map(
  k => k.evidenceKind,
);

/** The default label selector: the recommended `app.kubernetes.io/name` label. */
export const DEFAULT_LABEL_SELECTOR = 'app.kubernetes.io/name={name}';

/**
 * Orders API versions as Kubernetes does (`v1` > `v1beta2` > `v1beta1` > `v1alpha1`; GA, then
 * beta, then alpha, higher numbers first), newest first.
 */
export function compareVersionsNewestFirst(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [-1, 0, 0];
    const LEVELS: Record<string, number> = { alpha: 0, beta: 1 };
    const level = m[2] ? LEVELS[m[2]] : 2;
    return [level, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [la, ma, na] = rank(a);
  const [lb, mb, nb] = rank(b);
  return lb - la || mb - ma || nb - na || a.localeCompare(b);
}
