import { EvidenceKind, GateId } from '@helix-portal/plugin-rco-common';
import { EvidenceRecord, EvidenceSource } from '../database/EvidenceStore';
import { matchesRelease } from './helpers';
import { GateConfig, GateContext } from './types';

/**
 * What the source policy reads of a context: the sources configured, the release judged and its
 * evidence (newest first). The metrics apply it to analysis runs alone (MetricsReader).
 */
export type SourcePolicyContext = Pick<GateContext, 'release' | 'evidence'> & {
  config: Pick<GateConfig, 'sources'>;
};

export const EVIDENCE_SOURCES: readonly EvidenceSource[] = [
  'ci',
  'cluster',
  'monitoring',
  'system',
  'human',
];

/** Machines attest: CI, the cluster and the console itself. People sign off, which is not evidence. */
const MACHINES: EvidenceSource[] = ['ci', 'cluster', 'monitoring', 'system'];

export const DEFAULT_SOURCES: Record<GateId, EvidenceSource[]> = {
  'acronym-clarity': MACHINES,
  'secret-hygiene': MACHINES,
  'migration-controls': MACHINES,
  'image-scanning': MACHINES,
  'progressive-delivery': MACHINES,
  'policy-enforcement': MACHINES,
  'monitoring-alerting': MACHINES,
  'documentation-completeness': MACHINES,
  'rto-rpo-verification': MACHINES,
  'dpo-signoff': ['human'],
};

/**
 * The evidence each gate reads, so that what it ignores can be named in its reasons (and the
 * replay of one gate loads only these: its baseline proves the list complete).
 */
export const GATE_KINDS: Record<GateId, EvidenceKind[]> = {
  'acronym-clarity': ['naming-report', 'workload'],
  'secret-hygiene': ['gitleaks', 'trufflehog', 'trivy', 'vault-attestation'],
  'migration-controls': ['rollback-dry-run'],
  'image-scanning': [
    'trivy',
    'grype',
    'cosign',
    'sigstore-bundle',
    'cyclonedx',
    'spdx',
  ],
  'progressive-delivery': [
    'argo-rollout',
    'argo-analysis-template',
    'argo-analysis-run',
  ],
  'policy-enforcement': ['policy-report', 'gatekeeper-constraint'],
  'monitoring-alerting': ['prometheus-rule', 'alerting-state'],
  'documentation-completeness': [],
  'rto-rpo-verification': ['velero-backup', 'velero-restore'],
  'dpo-signoff': [],
};

const WHO: Record<EvidenceSource, string> = {
  ci: 'CI',
  cluster: 'the cluster',
  monitoring: 'the monitoring stack',
  system: 'the console',
  human: 'a person',
};

export function acceptedSources(
  ctx: Pick<SourcePolicyContext, 'config'>,
  gate: GateId,
): EvidenceSource[] {
  return ctx.config.sources?.[gate] ?? DEFAULT_SOURCES[gate];
}

/**
 * The context one gate judges: only evidence from the sources it accepts; what the console
 * collected first, then the machines' uploads, then a person's (rules read newest first, so a
 * person only fills a gap the machines left and never replaces a CI or cluster result). Where
 * the console reads a kind itself in an environment (current collected evidence of that kind
 * there), uploads of that kind for that environment are set aside: CI's or a person's copy of a
 * report must not stand in for the cluster's own state. Only uploads that name no release, or
 * the release the cluster runs there, are set aside (R3 M2): the cluster's policy reports are
 * about what it runs, so CI's failing `kyverno apply` report for the next release still counts
 * when that release is judged. `notes` name what was ignored and why.
 */
export function applySourcePolicy<C extends SourcePolicyContext>(
  ctx: C,
  gate: GateId,
): { ctx: C; notes: string[] } {
  const accepted = acceptedSources(ctx, gate);
  const kinds = GATE_KINDS[gate];
  const relevant = (r: EvidenceRecord) =>
    kinds.includes(r.kind) && matchesRelease(r, ctx.release);
  const readByConsole = collectedKinds(ctx, kinds);
  const ignored = ctx.evidence.filter(
    r => !accepted.includes(r.source) && relevant(r),
  );
  const kept = ctx.evidence.filter(r => accepted.includes(r.source));
  const superseded = kept.filter(
    r => !r.provenance && supersededBy(readByConsole, r, ctx) !== undefined,
  );
  const usable = kept.filter(r => !superseded.includes(r));
  const evidence = [
    ...usable.filter(r => r.provenance),
    ...usable.filter(r => !r.provenance && r.source !== 'human'),
    ...usable.filter(r => !r.provenance && r.source === 'human'),
  ];
  const notes = ignored
    .slice(0, 3)
    .map(
      r =>
        `ignored: uploaded by ${WHO[r.source]} (${
          r.submitter
        }); ${gate} accepts ${accepted.join(', ')} — ${
          r.kind
        } of ${r.collectedAt.toISOString()}`,
    );
  if (ignored.length > 3)
    notes.push(
      `ignored: ${
        ignored.length - 3
      } more from sources ${gate} does not accept`,
    );
  const shown = superseded.filter(relevant);
  for (const r of shown.slice(0, 3)) {
    const by = supersededBy(readByConsole, r, ctx)!;
    notes.push(
      `ignored: ${r.kind} uploaded by ${WHO[r.source]} (${r.submitter}) — ${
        WHO[by.source]
      }'s own state is read for this in ${by.environment}`,
    );
  }
  if (shown.length > 3)
    notes.push(
      `ignored: ${
        shown.length - 3
      } more uploads of kinds the console collects itself there`,
    );
  return { ctx: { ...ctx, evidence }, notes };
}

type ReadByConsole = Map<
  string,
  Map<string, { source: EvidenceSource; environment: string }>
> & {
  /** Per environment, the releases collected objects there name (a workload's image digest). */
  running?: Map<string, EvidenceRecord['subject'][]>;
};

const namesRelease = (s: EvidenceRecord['subject']) =>
  !!(s.digest || s.version || s.commit);

/**
 * Whether two subjects name the same release: the same digest when both name one (labels do not
 * split an image), else every label both name the same, and at least one named by both.
 */
function sameRelease(
  a: EvidenceRecord['subject'],
  b: EvidenceRecord['subject'],
) {
  if (a.digest && b.digest) return a.digest === b.digest;
  const shared = (['version', 'commit'] as const).filter(k => a[k] && b[k]);
  return shared.length > 0 && shared.every(k => a[k] === b[k]);
}

/** Per kind, the environments where the console holds current collected evidence of it. */
function collectedKinds(ctx: SourcePolicyContext, kinds: EvidenceKind[]) {
  const read: ReadByConsole = new Map();
  // What the cluster runs is known only from collected objects naming a release (a Rollout's or
  // Deployment's image digest), of any kind: a policy report names none.
  read.running = new Map();
  for (const r of ctx.evidence) {
    const environment = r.subject.environment;
    if (r.provenance && environment && namesRelease(r.subject))
      read.running.set(environment, [
        ...(read.running.get(environment) ?? []),
        r.subject,
      ]);
  }
  for (const r of ctx.evidence) {
    const environment = r.subject.environment;
    if (!r.provenance || !environment || !kinds.includes(r.kind)) continue;
    if (!matchesRelease(r, ctx.release)) continue;
    const envs = read.get(r.kind) ?? new Map();
    if (!envs.has(environment))
      envs.set(environment, { source: r.source, environment });
    read.set(r.kind, envs);
  }
  return read;
}

/**
 * What the console collects in place of this upload: the release's environment (or, judged
 * without one, the upload's own; an upload naming none is set aside wherever the console
 * reads its kind). An upload naming a release is set aside only where a collected object shows
 * the cluster runs that release; where nothing collected names what runs, it counts.
 */
function supersededBy(
  read: ReadByConsole,
  upload: EvidenceRecord,
  ctx: SourcePolicyContext,
) {
  const envs = read.get(upload.kind);
  if (!envs) return undefined;
  const environment = ctx.release.environment ?? upload.subject.environment;
  const found = environment
    ? envs.get(environment)
    : envs.values().next().value;
  if (!found || !namesRelease(upload.subject)) return found;
  const running = read.running?.get(found.environment) ?? [];
  return running.some(s => sameRelease(s, upload.subject)) ? found : undefined;
}
