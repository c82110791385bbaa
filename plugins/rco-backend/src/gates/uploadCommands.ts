import {
  EvidenceKind,
  EvidenceScope,
  evidenceScope,
} from '@helix-portal/plugin-rco-common';

/** How CI produces each kind of evidence, and the file the upload command sends. */
export const PRODUCERS: Record<
  EvidenceKind,
  { what: string; file: string; tool: string; forceKind?: boolean }
> = {
  trivy: {
    what: 'a Trivy report of the image',
    file: 'trivy.json',
    tool: 'trivy image --format json --output trivy.json "$IMAGE" (or Grype: grype "$IMAGE" -o json)',
  },
  grype: {
    what: 'a Grype report of the image',
    file: 'grype.json',
    tool: 'grype "$IMAGE" -o json > grype.json',
  },
  cyclonedx: {
    what: 'an SBOM of the image (CycloneDX or SPDX)',
    file: 'sbom.cdx.json',
    tool: 'trivy image --format cyclonedx --output sbom.cdx.json "$IMAGE" (or syft "$IMAGE" -o spdx-json)',
  },
  spdx: {
    what: 'an SPDX SBOM of the image',
    file: 'sbom.spdx.json',
    tool: 'syft "$IMAGE" -o spdx-json > sbom.spdx.json',
  },
  cosign: {
    what: "Cosign's verification of the image signature (CI's claim only: upload the Sigstore bundle to have the console verify it)",
    file: 'cosign-verify.json',
    tool: 'cosign verify --key cosign.pub "$IMAGE" > cosign-verify.json',
  },
  'sigstore-bundle': {
    what: 'the Sigstore bundle of the image signature, which the console verifies itself',
    file: 'bundle.sigstore.json',
    // cosign 3 signs images as Sigstore bundles (an in-toto statement naming the digest) stored
    // as OCI referrers; `cosign download` hands the bundle back. Only a signature predicate
    // (rco.sigstore.predicateTypes, default cosign's sign/v1) or a message signature signs the
    // image: a provenance attestation (actions/attest-build-provenance) is verified but does not.
    tool: 'cosign sign "$IMAGE@$DIGEST" (cosign 3 attaches a Sigstore bundle), then cosign download attestation "$IMAGE@$DIGEST" > bundle.sigstore.json',
  },
  gitleaks: {
    what: 'a gitleaks scan of the release commit',
    file: 'gitleaks.json',
    tool: 'gitleaks detect --report-format json --report-path gitleaks.json --exit-code 0',
    forceKind: true,
  },
  trufflehog: {
    what: 'a trufflehog scan of the release commit',
    file: 'trufflehog.ndjson',
    tool: 'trufflehog git file://. --json --no-update > trufflehog.ndjson',
    forceKind: true,
  },
  'policy-report': {
    what: "the namespace's policy reports (Kyverno/OpenReports)",
    file: 'policyreports.json',
    tool: 'kubectl get policyreports -n "$NAMESPACE" -o json > policyreports.json (or Gatekeeper: kubectl get constraints -o json)',
  },
  'gatekeeper-constraint': {
    what: 'the Gatekeeper constraints',
    file: 'constraints.json',
    tool: 'kubectl get constraints -o json > constraints.json',
  },
  'velero-backup': {
    what: 'the Velero backups',
    file: 'velero-backups.json',
    tool: 'kubectl get backups.velero.io -n velero -o json > velero-backups.json',
  },
  'velero-restore': {
    what: 'the Velero restore drill',
    file: 'velero-restores.json',
    tool: 'kubectl get restores.velero.io -n velero -o json > velero-restores.json',
  },
  'prometheus-rule': {
    what: "the service's PrometheusRule with its SLO alerts",
    file: 'prometheusrule.json',
    tool: 'kubectl get prometheusrule -n "$NAMESPACE" -o json > prometheusrule.json',
  },
  'argo-rollout': {
    what: 'the Argo Rollout with its AnalysisTemplates and AnalysisRuns',
    file: 'rollout.json',
    tool: 'kubectl get rollout,analysistemplate,analysisrun -n "$NAMESPACE" -o json > rollout.json',
  },
  'argo-analysis-template': {
    what: "the Rollout's AnalysisTemplates",
    file: 'analysistemplates.json',
    tool: 'kubectl get analysistemplate -n "$NAMESPACE" -o json > analysistemplates.json',
  },
  'argo-analysis-run': {
    what: 'the newest AnalysisRun',
    file: 'analysisruns.json',
    tool: 'kubectl get analysisrun -n "$NAMESPACE" -o json > analysisruns.json',
  },
  'helm-history': {
    what: 'the Helm release history',
    file: 'helm-history.json',
    tool: 'helm history "$RELEASE" -n "$NAMESPACE" -o json > helm-history.json',
  },
  'helm-status': {
    what: 'the Helm release status',
    file: 'helm-status.json',
    tool: 'helm status "$RELEASE" -n "$NAMESPACE" -o json > helm-status.json',
  },
  workload: {
    what: "the service's workloads",
    file: 'workloads.json',
    tool: 'kubectl get deploy -n "$NAMESPACE" -o json > workloads.json (or a NamingReport, rco.helix.dev/v1)',
  },
  'network-policy': {
    what: 'the NetworkPolicies',
    file: 'networkpolicies.json',
    tool: 'kubectl get networkpolicy -n "$NAMESPACE" -o json > networkpolicies.json',
  },
  'vault-attestation': {
    what: 'a Vault least-privilege attestation',
    file: 'vault-attestation.yaml',
    tool: 'a VaultPolicyAttestation document (rco.helix.dev/v1; see examples/rco/evidence/)',
  },
  'rollback-dry-run': {
    what: 'a rollback dry-run',
    file: 'rollback-dry-run.yaml',
    tool: 'a RollbackDryRun document (rco.helix.dev/v1)',
  },
  'naming-report': {
    what: 'a naming report',
    file: 'naming-report.yaml',
    tool: 'a NamingReport document (rco.helix.dev/v1; or upload the workloads: kubectl get deploy -o json)',
  },
  // Only the console's monitoring collector writes it (an upload is refused): the next steps
  // never ask for it; this entry only keeps the table whole.
  'alerting-state': {
    what: 'the alerting state of Prometheus and Alertmanager',
    file: 'alerting-state.json',
    tool: 'collected by the console itself from rco.collectors.prometheus (it cannot be uploaded)',
  },
};

/** One argument for a POSIX shell: single-quoted, so nothing in it expands or ends the command. */
export const shellQuote = (value: string) =>
  `'${value.replace(/'/g, `'\\''`)}'`;

/** A path segment: percent-encoded, quotes included (encodeURIComponent leaves ' alone). */
const segment = (value: string) =>
  encodeURIComponent(value).replace(/'/g, '%27');

export interface UploadTarget {
  /** The backend's external base URL (DiscoveryService.getExternalBaseUrl('rco')). */
  baseUrl: string;
  entity: { kind: string; namespace: string; name: string };
  release: { version?: string; digest?: string; commit?: string };
}

/**
 * The exact command CI runs to upload one kind of evidence, in the README's style. Every value
 * that comes from the entity or from evidence (names, versions, digests) is percent-encoded and
 * the URL single-quoted, so whatever an uploader chose as a version cannot run in the shell; the
 * token is the `$RCO_CI_TOKEN` variable, never a value. A commit the release does not know is
 * the pipeline's `$GIT_SHA`.
 */
export function uploadCommand(
  kind: EvidenceKind,
  target: UploadTarget,
  environment?: string,
): { command: string; cliCommand: string; scope: EvidenceScope } {
  const scope = evidenceScope(kind);
  const producer = PRODUCERS[kind];
  const { entity, release } = target;
  const params = new URLSearchParams();
  if (producer.forceKind) params.set('kind', kind);
  if (scope === 'image') {
    if (release.digest) params.set('digest', release.digest);
    if (release.version) params.set('version', release.version);
  }
  if (scope === 'commit') {
    if (release.version) params.set('version', release.version);
    if (release.commit) params.set('commit', release.commit);
  }
  if (scope === 'environment' && environment)
    params.set('environment', environment);
  const path = [
    'entities',
    entity.kind.toLocaleLowerCase('en-US'),
    entity.namespace,
    entity.name,
    'evidence',
  ]
    .map(segment)
    .join('/');
  const query = params.toString().replace(/'/g, '%27');
  const url = `${target.baseUrl.replace(/\/+$/, '')}/${path}${
    query ? `?${query}` : ''
  }`;
  const commitVar =
    scope === 'commit' && !release.commit
      ? `${query ? '&' : '?'}commit=`
      : undefined;
  const quotedUrl = commitVar
    ? `${shellQuote(url + commitVar)}"$GIT_SHA"`
    : shellQuote(url);
  return {
    scope,
    command: `curl -fsS -H "Authorization: Bearer $RCO_CI_TOKEN" --data-binary @${producer.file} ${quotedUrl}`,
    cliCommand: rcoPushCommand(kind, target, environment),
  };
}

/**
 * The same upload with the rco CLI (issue 16): every value shell-quoted, like the curl command's
 * URL, so no version an uploader chose can run in the shell; the CLI reads RCO_URL and RCO_TOKEN
 * from the pipeline's environment, so neither appears here.
 */
export function rcoPushCommand(
  kind: EvidenceKind,
  target: UploadTarget,
  environment?: string,
): string {
  const scope = evidenceScope(kind);
  const { entity, release } = target;
  const ref = `${entity.kind.toLocaleLowerCase('en-US')}:${entity.namespace}/${
    entity.name
  }`;
  // `--flag=value`: a value that starts with `--` (a version is any text) stays the flag's value.
  const flag = (name: string, value: string) => `--${name}=${value}`;
  const words = [
    'rco evidence push',
    PRODUCERS[kind].file,
    flag('entity', shellQuote(ref)),
  ];
  if (PRODUCERS[kind].forceKind) words.push(flag('kind', kind));
  if (scope === 'image' && release.digest)
    words.push(flag('digest', shellQuote(release.digest)));
  if ((scope === 'image' || scope === 'commit') && release.version)
    words.push(flag('version', shellQuote(release.version)));
  if (scope === 'commit')
    words.push(
      flag(
        'commit',
        release.commit ? shellQuote(release.commit) : '"$GIT_SHA"',
      ),
    );
  if (scope === 'environment' && environment)
    words.push(flag('environment', shellQuote(environment)));
  return words.join(' ');
}
