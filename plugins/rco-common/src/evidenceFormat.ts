import { parseAllDocuments } from 'yaml';
import { EvidenceKind } from './evidence';

type Obj = Record<string, unknown>;

const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `group/version` and kind of a Kubernetes object, as the backend's readers compare them. */
function isKind(
  doc: unknown,
  group: string,
  versions: readonly string[],
  kinds: readonly string[],
): boolean {
  if (!isObject(doc)) return false;
  const { apiVersion, kind } = doc;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return false;
  const slash = apiVersion.lastIndexOf('/');
  const docGroup = slash === -1 ? '' : apiVersion.slice(0, slash);
  const docVersion = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  return (
    docGroup === group && versions.includes(docVersion) && kinds.includes(kind)
  );
}

const isGitleaksFinding = (item: unknown) =>
  isObject(item) &&
  typeof item.RuleID === 'string' &&
  'File' in item &&
  'StartLine' in item;

const isTrufflehogFinding = (item: unknown) =>
  isObject(item) &&
  typeof item.DetectorName === 'string' &&
  'SourceMetadata' in item;

const isTrufflehogLog = (item: unknown) =>
  isObject(item) &&
  !('DetectorName' in item) &&
  typeof item.msg === 'string' &&
  'level' in item;

const isHelmHistoryEntry = (entry: unknown) =>
  isObject(entry) &&
  typeof entry.revision === 'number' &&
  typeof entry.status === 'string' &&
  typeof entry.chart === 'string';

/**
 * How a document of each evidence kind is recognised from the document alone (no query
 * parameter). The one home of detection: the rco CLI checks files with it before uploading, and
 * each backend reader's `detect` is the detector of its kind, so both always agree.
 *
 * @public
 */
export const evidenceDetectors: Readonly<
  Record<EvidenceKind, (doc: unknown) => boolean>
> = Object.freeze({
  trivy: d =>
    isObject(d) &&
    d.SchemaVersion === 2 &&
    ('Results' in d || typeof d.ArtifactName === 'string'),
  grype: d =>
    isObject(d) &&
    'matches' in d &&
    ((isObject(d.descriptor) && d.descriptor.name === 'grype') ||
      (isObject(d.source) &&
        'target' in d.source &&
        typeof d.source.type === 'string')),
  cyclonedx: d => isObject(d) && d.bomFormat === 'CycloneDX',
  spdx: d =>
    isObject(d) &&
    typeof d.spdxVersion === 'string' &&
    d.spdxVersion.startsWith('SPDX-') &&
    (d.SPDXID === 'SPDXRef-DOCUMENT' || 'dataLicense' in d || 'packages' in d),
  cosign: d =>
    Array.isArray(d) &&
    d.length > 0 &&
    isObject(d[0]) &&
    isObject(d[0].critical) &&
    typeof d[0].critical.type === 'string' &&
    d[0].critical.type.toLowerCase() === 'cosign container image signature',
  'sigstore-bundle': d =>
    isObject(d) &&
    typeof d.mediaType === 'string' &&
    d.mediaType.startsWith('application/vnd.dev.sigstore.bundle'),
  gitleaks: d => Array.isArray(d) && d.length > 0 && isGitleaksFinding(d[0]),
  trufflehog: d => {
    const items = Array.isArray(d) ? d : [d];
    return (
      items.some(isTrufflehogFinding) &&
      items.every(i => isTrufflehogFinding(i) || isTrufflehogLog(i))
    );
  },
  'policy-report': d =>
    isKind(
      d,
      'wgpolicyk8s.io',
      ['v1alpha1', 'v1alpha2', 'v1beta1'],
      ['PolicyReport', 'ClusterPolicyReport'],
    ) || isKind(d, 'openreports.io', ['v1alpha1'], ['Report', 'ClusterReport']),
  'gatekeeper-constraint': d => {
    if (!isObject(d) || typeof d.kind !== 'string' || d.kind === '') {
      return false;
    }
    if (typeof d.apiVersion !== 'string') return false;
    const [group, version] = d.apiVersion.split('/');
    return (
      group === 'constraints.gatekeeper.sh' &&
      ['v1alpha1', 'v1beta1', 'v1'].includes(version)
    );
  },
  'velero-backup': d => isKind(d, 'velero.io', ['v1'], ['Backup']),
  'velero-restore': d => isKind(d, 'velero.io', ['v1'], ['Restore']),
  'prometheus-rule': d =>
    isKind(d, 'monitoring.coreos.com', ['v1'], ['PrometheusRule']),
  'argo-rollout': d => isKind(d, 'argoproj.io', ['v1alpha1'], ['Rollout']),
  'argo-analysis-template': d =>
    isKind(
      d,
      'argoproj.io',
      ['v1alpha1'],
      ['AnalysisTemplate', 'ClusterAnalysisTemplate'],
    ),
  'argo-analysis-run': d =>
    isKind(d, 'argoproj.io', ['v1alpha1'], ['AnalysisRun']),
  'helm-history': d =>
    Array.isArray(d) && d.length > 0 && d.every(isHelmHistoryEntry),
  'helm-status': d =>
    isObject(d) &&
    !('apiVersion' in d) &&
    typeof d.name === 'string' &&
    isObject(d.info) &&
    typeof d.info.status === 'string',
  workload: d =>
    isKind(
      d,
      'apps',
      ['v1'],
      ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'],
    ) ||
    isKind(d, '', ['v1'], ['Pod']) ||
    isKind(d, 'batch', ['v1'], ['Job', 'CronJob']),
  'network-policy': d =>
    isKind(d, 'networking.k8s.io', ['v1'], ['NetworkPolicy']),
  'vault-attestation': d =>
    isKind(d, 'rco.helix.dev', ['v1'], ['VaultPolicyAttestation']),
  'rollback-dry-run': d =>
    isKind(d, 'rco.helix.dev', ['v1'], ['RollbackDryRun']),
  'naming-report': d => isKind(d, 'rco.helix.dev', ['v1'], ['NamingReport']),
  'alerting-state': d => isKind(d, 'rco.helix.dev', ['v1'], ['AlertingState']),
});

/**
 * The order in which kinds are tried when a document names none: the first detector that
 * claims it wins. The backend's readers (rco-backend evidence/parsers/index.ts) are listed in
 * this order; a test there proves it.
 *
 * @public
 */
export const EVIDENCE_DETECTION_ORDER: readonly EvidenceKind[] = Object.freeze([
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
]);

/**
 * The evidence kind the backend would read a document as when no kind is given, or undefined
 * when it would refuse it as unrecognised.
 *
 * @public
 */
export function detectEvidenceKind(doc: unknown): EvidenceKind | undefined {
  return EVIDENCE_DETECTION_ORDER.find(kind => evidenceDetectors[kind](doc));
}

/** Kubernetes `List`s (and `kubectl get -o json` lists) stand for their items. */
function splitList(doc: unknown): unknown[] {
  return isObject(doc) &&
    typeof doc.apiVersion === 'string' &&
    typeof doc.kind === 'string' &&
    /List$/.test(doc.kind) &&
    Array.isArray(doc.items)
    ? doc.items
    : [doc];
}

/**
 * The documents of an evidence file as the upload route splits them: one JSON value, NDJSON
 * (one object a line, handed over as one array), or YAML with several `---` documents, with
 * Kubernetes Lists split into their items. Throws an Error whose message says what is wrong
 * (never quoting the file, which may hold secrets). The backend's decoder adds size and depth
 * limits; this is what a client needs to know what it is about to send.
 *
 * @public
 */
export function splitEvidenceDocuments(text: string): unknown[] {
  const body = text.replace(/^\uFEFF/, '');
  const trimmed = body.trimStart();
  if (!trimmed) throw new Error('is empty');
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return splitList(JSON.parse(body));
    } catch {
      const lines = body.split('\n').filter(line => line.trim());
      if (lines.length > 1 && lines.every(l => l.trim().startsWith('{'))) {
        try {
          return [lines.map(line => JSON.parse(line))];
        } catch {
          throw new Error('is not valid NDJSON');
        }
      }
      throw new Error('is not valid JSON');
    }
  }
  const docs = parseAllDocuments(body, { schema: 'core' });
  const all = Array.isArray(docs) ? docs : [docs];
  const values: unknown[] = [];
  for (const [index, doc] of all.entries()) {
    const error = doc.errors[0];
    if (error) {
      const where = error.linePos?.[0]
        ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}`
        : '';
      throw new Error(
        `is not valid YAML${where} (document ${index + 1}): ${error.code
          .toLowerCase()
          .replace(/_/g, ' ')}`,
      );
    }
    const value = doc.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) values.push(...splitList(value));
  }
  if (values.length === 0) throw new Error('holds no document');
  return values;
}
