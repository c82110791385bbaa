import type { EvidenceScope, SignatureVerificationView } from './api';

/**
 * Evidence kinds the backend accepts and the normalised summaries it stores beside each raw
 * document: what the gates need, small enough to evaluate many releases quickly.
 */

/** @public */
export const EVIDENCE_KINDS = [
  'trivy',
  'grype',
  'cyclonedx',
  'spdx',
  'cosign',
  'sigstore-bundle',
  'gitleaks',
  'trufflehog',
  'policy-report',
  'gatekeeper-constraint',
  'velero-backup',
  'velero-restore',
  'prometheus-rule',
  'argo-rollout',
  'argo-analysis-template',
  'argo-analysis-run',
  'helm-history',
  'helm-status',
  'workload',
  'network-policy',
  'vault-attestation',
  'rollback-dry-run',
  'naming-report',
  'alerting-state',
] as const;

/** @public */
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/**
 * How an image digest is written everywhere in the console (uploads, the API, the CLI, MCP
 * actions): `sha256:` and 64 lower-case hex digits.
 *
 * @public
 */
export const IMAGE_DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** @public */
export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';

/**
 * What a document says it is about; the upload's query parameters take precedence.
 *
 * @public
 */
export interface EvidenceSubject {
  /** Image digest `sha256:…` the document is about. */
  digest?: string;
  /** Release (chart or app) version. */
  version?: string;
  /** Source commit. */
  commit?: string;
  environment?: string;
}

/**
 * The image a document itself names (Trivy RepoDigests/RepoTags, Grype's source, an SBOM's root
 * package URL, cosign's critical.image, in-toto subjects): repositories normalised
 * (docker.io/library/alpine), tags as full references. @public
 */
export interface NamedImage {
  /** The repository, when the document names exactly one. */
  repository?: string;
  repositories: string[];
  digests: string[];
  tags: string[];
}

/**
 * A finding from a secret scan: never the secret itself.
 *
 * @public
 */
export interface SecretFinding {
  rule: string;
  file?: string;
  line?: number;
  fingerprint?: string;
  /** trufflehog: the detector verified the credential is live. */
  verified?: boolean;
}

/**
 * Vulnerability scans (Trivy, Grype).
 *
 * @public
 */
export interface VulnerabilityScanSummary {
  type: 'vulnerability-scan';
  tool: 'trivy' | 'grype';
  artifact?: string;
  counts: Record<Severity, number>;
  /** The CRITICAL and HIGH findings (at most 50), newest tool order. */
  findings: Array<{
    id: string;
    severity: Severity;
    package: string;
    installedVersion?: string;
    fixedVersion?: string;
  }>;
  /** Trivy secret results, masked. */
  secrets: SecretFinding[];
  /** Trivy misconfiguration failures by severity. */
  misconfigurations: Record<Severity, number>;
  /** The image the document names; absent when it names none (asserted by the uploader). */
  image?: NamedImage;
}

/**
 * SBOMs (CycloneDX, SPDX).
 *
 * @public
 */
export interface SbomSummary {
  type: 'sbom';
  format: 'cyclonedx' | 'spdx';
  specVersion: string;
  components: number;
  name?: string;
  /** The image the document names; absent when it names none (asserted by the uploader). */
  image?: NamedImage;
}

/**
 * Signature verification (cosign verify output, Sigstore bundle).
 *
 * @public
 */
export interface SignatureSummary {
  type: 'signature';
  tool: 'cosign' | 'sigstore-bundle';
  /** The console verified it and it holds (verification.verifiedBy 'console', ok). */
  verified: boolean;
  /**
   * How it was judged (issue 13): a Sigstore bundle verified by the console, with the reason when
   * it failed; a cosign CLI report is CI's claim. Absent on records stored before issue 13.
   */
  verification?: SignatureVerificationView;
  /**
   * Sigstore bundles: the digest of the signing policy the console verified it under (trusted
   * root, the entity's signer identities and keys, the predicate types that sign). Under another
   * policy the verification no longer counts (R2 M1).
   */
  signingPolicy?: string;
  signatures: number;
  /** Digests the signatures cover. */
  digests: string[];
  /** Keyless identity, when present. */
  identities: Array<{ issuer?: string; subject?: string }>;
  /** The image the document names; absent when it names none (asserted by the uploader). */
  image?: NamedImage;
}

/**
 * Secret scans (gitleaks, trufflehog).
 *
 * @public
 */
export interface SecretScanSummary {
  type: 'secret-scan';
  tool: 'gitleaks' | 'trufflehog';
  findings: SecretFinding[];
}

/**
 * Kyverno / wg-policy PolicyReport and ClusterPolicyReport, OpenReports Report.
 *
 * @public
 */
export interface PolicyReportSummary {
  type: 'policy-report';
  name: string;
  namespace?: string;
  counts: {
    pass: number;
    fail: number;
    warn: number;
    error: number;
    skip: number;
  };
  /** Results with fail or error. */
  failures: Array<{
    policy: string;
    rule?: string;
    result: string;
    message?: string;
    resource?: string;
  }>;
  /** The object the report is about (`namespace/kind/name`), from its `scope`. */
  scope?: string;
  /** Failures left out of `failures` to keep the summary small; `counts` stay exact. */
  failuresOmitted?: number;
  /**
   * A cluster-wide report narrowed to the service's namespace: fails and errors its generator
   * counted but did not list, so whose they are is unknown.
   */
  unlistedFailures?: number;
}

/**
 * Gatekeeper constraint status.
 *
 * @public
 */
export interface GatekeeperConstraintSummary {
  type: 'gatekeeper-constraint';
  constraintKind: string;
  name: string;
  enforcementAction?: string;
  totalViolations: number;
  violations: Array<{
    kind?: string;
    name?: string;
    namespace?: string;
    message?: string;
  }>;
  auditTimestamp?: string;
  /**
   * For a cluster-scoped constraint the console collected: the place's namespace its violations
   * were narrowed to (others' namespaces and object names are never kept).
   */
  namespace?: string;
  /**
   * Violations the audit counted but did not list (its --constraint-violations-limit): with a
   * narrowed constraint, nobody can tell whether they are in `namespace`.
   */
  unlistedViolations?: number;
}

/**
 * Velero Backup or Restore.
 *
 * @public
 */
export interface VeleroSummary {
  type: 'velero';
  object: 'Backup' | 'Restore';
  name: string;
  phase?: string;
  startTimestamp?: string;
  completionTimestamp?: string;
  backupName?: string;
  errors?: number;
  warnings?: number;
  /** Backup: `spec.includedNamespaces` (absent or empty: every namespace, as Velero reads it); Restore: the same of the backup. */
  includedNamespaces?: string[];
  /** `spec.excludedNamespaces`. */
  excludedNamespaces?: string[];
  /** Whether `spec.labelSelector` (or `orLabelSelectors`) narrows what it covers. */
  labelSelector?: boolean;
  /** Backup: `spec.includeClusterResources`. */
  includeClusterResources?: boolean;
  /** Backup: `status.progress`. */
  itemsBackedUp?: number;
  totalItems?: number;
  /** Restore: `status.progress.itemsRestored`. */
  itemsRestored?: number;
  /** Backup: its schedule (label `velero.io/schedule-name`); Restore: `spec.scheduleName`. */
  schedule?: string;
  /** Restore: `spec.namespaceMapping` (from → to). */
  namespaceMapping?: Record<string, string>;
}

/**
 * PrometheusRule alerts.
 *
 * @public
 */
export interface PrometheusRuleSummary {
  type: 'prometheus-rule';
  name: string;
  alerts: Array<{
    alert: string;
    expr: string;
    for?: string;
    severity?: string;
    runbookUrl?: string;
  }>;
}

/**
 * What the monitoring stack itself runs for a service in one environment (issue 13): the alerting
 * rules Prometheus has loaded for it (selected by its labels), their health, whether they fire,
 * and the receivers Alertmanager's routing tree sends each to. Only the console's prometheus
 * collector produces it (an upload of this kind is refused).
 *
 * @public
 */
export interface AlertingStateSummary {
  type: 'alerting-state';
  /** The configured name of the Prometheus/Alertmanager pair read. */
  endpoint: string;
  /** The rule labels that selected the service's alerts (templating applied). */
  selector: Record<string, string>;
  /**
   * How many Alertmanagers Prometheus sends its alerts to (`/api/v1/alertmanagers`), and whether
   * the one the console reads is among them. Absent from states collected before it was read.
   */
  alertmanagers?: { active: number; readIsActive: boolean };
  /** Prometheus relabels alerts before sending them (not evaluated by the console). */
  alertRelabeling?: boolean;
  /**
   * Alerts that carry the service's labels but come from rule files that are not the service's
   * (another tenant's PrometheusRule): not counted for it.
   */
  notCounted?: string[];
  alerts: Array<{
    alert: string;
    /** The rule group it is loaded in. */
    group: string;
    /** The runbook's SLOs it covers (by its name or expression); empty for other alerts. */
    slos: Array<'availability' | 'latency' | 'error rate'>;
    severity?: string;
    runbookUrl?: string;
    /** Prometheus's own verdict on the rule's last evaluation. */
    health: 'ok' | 'err' | 'unknown';
    lastError?: string;
    /** Firing at collection time (informational). */
    firing: boolean;
    /** Where Alertmanager routes it; `needsAck`: a paging integration a human acknowledges. */
    receivers: Array<{
      name: string;
      needsAck: boolean;
      integrations: string[];
    }>;
    /** Active Alertmanager silences matching its labels (ids): it pages no one meanwhile. */
    silencedBy?: string[];
    /** Alerts firing now that inhibit it through inhibit_rules (names). */
    inhibitedBy?: string[];
    /** Time intervals on its routes (mute/active; not evaluated by the console). */
    timeIntervals?: string[];
  }>;
}

/**
 * Argo Rollouts Rollout.
 *
 * @public
 */
export interface RolloutSummary {
  type: 'argo-rollout';
  name: string;
  strategy: 'canary' | 'blueGreen' | 'unknown';
  /** `other` names any other step type (experiment, setCanaryScale, …) so indices match `currentStepIndex`. */
  steps: Array<{
    setWeight?: number;
    pause?: { duration?: string | number };
    analysis?: string[];
    other?: string;
  }>;
  analysisTemplates: string[];
  phase?: string;
  aborted: boolean;
  message?: string;
  currentStepIndex?: number;
}

/**
 * Argo Rollouts AnalysisTemplate.
 *
 * @public
 */
export interface AnalysisTemplateSummary {
  type: 'argo-analysis-template';
  name: string;
  metrics: Array<{
    name: string;
    successCondition?: string;
    failureCondition?: string;
    provider?: string;
    query?: string;
  }>;
}

/**
 * Argo Rollouts AnalysisRun.
 *
 * @public
 */
export interface AnalysisRunSummary {
  type: 'argo-analysis-run';
  name: string;
  phase?: string;
  message?: string;
  /** `message` is the metric result's own message (why it errored). */
  metrics: Array<{
    name: string;
    phase?: string;
    successCondition?: string;
    failureCondition?: string;
    lastValue?: string;
    failed?: number;
    successful?: number;
    message?: string;
  }>;
}

/**
 * Helm `history -o json` or `status -o json`.
 *
 * @public
 */
export interface HelmSummary {
  type: 'helm';
  source: 'history' | 'status';
  release?: string;
  namespace?: string;
  /** `rollbackRevision`: the revision a rollback restored (newer Helm history output). */
  revisions: Array<{
    revision: number;
    status: string;
    chart?: string;
    appVersion?: string;
    updated?: string;
    description?: string;
    rollbackRevision?: number;
  }>;
  /** `helm status`: when the release was first installed. */
  firstDeployed?: string;
}

/**
 * Kubernetes workloads (Deployment, StatefulSet, DaemonSet, Pod, Rollout pod template).
 *
 * @public
 */
export interface WorkloadSummary {
  type: 'workload';
  kind: string;
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  containers: Array<{
    name: string;
    image?: string;
    runAsNonRoot: boolean;
    readOnlyRootFilesystem: boolean;
    allowPrivilegeEscalation: boolean;
    privileged: boolean;
    resources: boolean;
    probes: boolean;
    /** An init container (they run with the same privileges, so gates check them too). */
    init?: boolean;
  }>;
}

/**
 * Kubernetes NetworkPolicy.
 *
 * @public
 */
export interface NetworkPolicySummary {
  type: 'network-policy';
  name: string;
  namespace?: string;
  podSelector: Record<string, string>;
  policyTypes: string[];
  /** `podSelector.matchExpressions`: with them an empty `podSelector` map does not mean "all pods". */
  podSelectorExpressions?: Array<{
    key: string;
    operator: string;
    values?: string[];
  }>;
  /** Number of ingress / egress rules (`[{}]` is one rule allowing everything). */
  ingressRules?: number;
  egressRules?: number;
}

/**
 * Helix attestation documents (`apiVersion: rco.helix.dev/v1`): a Vault least-privilege
 * attestation, a rollback dry-run result, a naming report.
 *
 * @public
 */
export interface AttestationSummary {
  type: 'attestation';
  attestation: 'vault-attestation' | 'rollback-dry-run' | 'naming-report';
  succeeded: boolean;
  /** When the attested thing happened (dry-run time, scan time). */
  performedAt?: string;
  details: Record<string, string | number | boolean | string[]>;
}

/** @public */
export type EvidenceSummary =
  | VulnerabilityScanSummary
  | SbomSummary
  | SignatureSummary
  | SecretScanSummary
  | PolicyReportSummary
  | GatekeeperConstraintSummary
  | VeleroSummary
  | PrometheusRuleSummary
  | AlertingStateSummary
  | RolloutSummary
  | AnalysisTemplateSummary
  | AnalysisRunSummary
  | HelmSummary
  | WorkloadSummary
  | NetworkPolicySummary
  | AttestationSummary;

/**
 * What each evidence kind is about (issue 12, point 4). An image does not change with where it
 * runs, so scans, SBOMs and signatures of a digest count in every environment; so do secret scans
 * of a commit and documents about the service as a whole. Cluster state (backups, policy
 * reports, rollouts, workloads, Helm history, rollback dry-runs) is one environment's and counts
 * only there.
 *
 * @public
 */
export const EVIDENCE_SCOPES: Record<EvidenceKind, EvidenceScope> = {
  trivy: 'image',
  grype: 'image',
  cyclonedx: 'image',
  spdx: 'image',
  cosign: 'image',
  'sigstore-bundle': 'image',
  gitleaks: 'commit',
  trufflehog: 'commit',
  'policy-report': 'environment',
  'gatekeeper-constraint': 'environment',
  'velero-backup': 'environment',
  'velero-restore': 'environment',
  // Alert rules are the service's (one PrometheusRule names its SLO alerts wherever it runs).
  'prometheus-rule': 'service',
  'argo-rollout': 'environment',
  'argo-analysis-template': 'environment',
  'argo-analysis-run': 'environment',
  'helm-history': 'environment',
  'helm-status': 'environment',
  workload: 'environment',
  'network-policy': 'environment',
  'vault-attestation': 'service',
  'rollback-dry-run': 'environment',
  'naming-report': 'service',
  // What one environment's Prometheus and Alertmanager run, observed by the console.
  'alerting-state': 'environment',
};

/**
 * The scope of an evidence kind; a kind this table does not know stays per environment (the
 * narrower reading, so unknown evidence never counts where it was not uploaded).
 *
 * @public
 */
export function evidenceScope(kind: string): EvidenceScope {
  return (
    (EVIDENCE_SCOPES as Record<string, EvidenceScope>)[kind] ?? 'environment'
  );
}

/** Kinds whose evidence counts in one environment only (the cluster's state there). @public */
export const ENVIRONMENT_SCOPED_KINDS: EvidenceKind[] = EVIDENCE_KINDS.filter(
  k => EVIDENCE_SCOPES[k] === 'environment',
);
