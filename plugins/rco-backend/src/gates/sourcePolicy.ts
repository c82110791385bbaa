import { EvidenceKind, GateId } from '@helix-portal/plugin-rco-common';
import { EvidenceSource } from '../database/EvidenceStore';
import { matchesRelease } from './helpers';
import { GateContext } from './types';

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

/** The evidence each gate reads, so that what it ignores can be named in its reasons. */
const GATE_KINDS: Record<GateId, EvidenceKind[]> = {
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
  ctx: GateContext,
  gate: GateId,
): EvidenceSource[] {
  return ctx.config.sources?.[gate] ?? DEFAULT_SOURCES[gate];
}

/**
 * The context one gate judges: only evidence from the sources it accepts, and a person's upload
 * after every machine record (rules read newest first, so a person only fills a gap the machines
 * left and never replaces a CI or cluster result). `notes` name what was ignored and why.
 */
export function applySourcePolicy(
  ctx: GateContext,
  gate: GateId,
): { ctx: GateContext; notes: string[] } {
  const accepted = acceptedSources(ctx, gate);
  const kinds = GATE_KINDS[gate];
  const ignored = ctx.evidence.filter(
    r =>
      !accepted.includes(r.source) &&
      kinds.includes(r.kind) &&
      matchesRelease(r, ctx.release),
  );
  const kept = ctx.evidence.filter(r => accepted.includes(r.source));
  const evidence = [
    ...kept.filter(r => r.source !== 'human'),
    ...kept.filter(r => r.source === 'human'),
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
  return { ctx: { ...ctx, evidence }, notes };
}
