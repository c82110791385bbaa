import {
  EnvironmentVerdict,
  GATES,
  GateId,
  GateResult,
  PILLARS,
  PillarResult,
  ReleaseStatusResponse,
} from '@helix-portal/plugin-rco-common';
import {
  duration,
  evidenceOf,
  humanAge,
  observationSlack,
  summaryOf,
} from './helpers';
import {
  consoleVerified,
  signatureState,
} from '../evidence/sigstore/signatureState';
import { RULES } from './rules';
import { applySourcePolicy } from './sourcePolicy';
import { fourEyes, isSignoffGate } from './fourEyes';
import { GateContext } from './types';

/** Facts about the portal, not the evidence, that some pillar requirements rest on. */
export interface Extras {
  ledgerVerified?: boolean;
  hasApiDefinition?: boolean;
  /** How many environments deploy through the console (rco.environments). */
  deployEnvironments?: number;
}

/** The maximum evidence age in force: app-config's, tightened by the runbook's checklist. */
function maxAgeOf(ctx: GateContext, gate: GateId): string | undefined {
  const configured =
    ctx.config.maxAge[gate] ?? GATES.find(g => g.id === gate)?.maxAge;
  const fromRunbook =
    gate === 'migration-controls'
      ? ctx.runbook?.targets.rollbackDryRunMaxAge
      : ctx.runbook?.gateChecklist.find(i => i.gate === gate)?.maxAge;
  if (!configured) return fromRunbook;
  if (!fromRunbook) return configured;
  return duration(fromRunbook).toMillis() < duration(configured).toMillis()
    ? fromRunbook
    : configured;
}

/** Kinds that are about an image: a document naming none only has its uploader's word for it. */
const IMAGE_KINDS: string[] = [
  'trivy',
  'grype',
  'cyclonedx',
  'spdx',
  'cosign',
  'sigstore-bundle',
];

const imageNamed = (r: GateContext['evidence'][number]) =>
  'image' in r.summary && !!r.summary.image;

/**
 * The waiver of a gate in force for the release judged: the first that covers it (the metrics
 * attribute a waived gate to this one too).
 */
export function activeWaiver(ctx: GateContext, gate: GateId) {
  return ctx.waivers.find(
    w =>
      w.gate === gate &&
      !isSignoffGate(gate) &&
      !w.revokedAt &&
      w.expiresAt > ctx.now &&
      (!w.environment || w.environment === ctx.release.environment) &&
      (!w.releaseVersion || w.releaseVersion === ctx.release.version),
  );
}

/**
 * What one gate decides, before any of it is put in words for a person: the rule's outcome under
 * the gate's source policy and maximum age, staleness, and the waiver in force. The one home of
 * the gate's status: evaluateGate presents it, and the replay (issue 17), which judges tens of
 * thousands of past decisions and needs only the status, calls it alone.
 */
export function decideGate(ctx: GateContext, gate: GateId) {
  // Each gate judges only the evidence of the sources it accepts (issue 10, point 4).
  const policy = applySourcePolicy(ctx, gate);
  const maxAge = maxAgeOf(ctx, gate);
  const outcome = RULES[gate]({ ...policy.ctx, maxAge });
  let status: GateResult['status'] = outcome.status;
  let expiresAt: Date | undefined;
  let stale: { what: string; at: Date } | undefined;
  if (maxAge && outcome.freshness?.length) {
    const limit = duration(maxAge).toMillis();
    // Collected evidence ages with the observation granularity as slack (helpers.ts, R3 M3).
    const expiry = (f: { at: Date; collected?: boolean }) =>
      f.at.getTime() + limit + observationSlack(ctx.config, f);
    const oldest = outcome.freshness.reduce((a, b) =>
      expiry(a) <= expiry(b) ? a : b,
    );
    const candidate = new Date(expiry(oldest));
    expiresAt = Number.isFinite(candidate.getTime()) ? candidate : undefined;
    if (status !== 'missing' && expiresAt && expiresAt <= ctx.now) {
      status = 'stale';
      stale = oldest;
    }
  }
  // A sign-off gate is passed by people signing: a waiver of it (one written to the table
  // directly, say; the API refuses them) is ignored.
  const found = activeWaiver(ctx, gate);
  // A waiver counts only while rco.waivers.group names who may grant one.
  const waiverCounts = !ctx.groups || ctx.groups.waiverGroup;
  const waiver = waiverCounts ? found : undefined;
  const ruled = status;
  if (waiver && status !== 'pass') status = 'waived';
  return {
    status,
    ruled,
    policy,
    maxAge,
    outcome,
    expiresAt,
    stale,
    found,
    waiverCounts,
    waiver,
  };
}

/** Judges one gate and says why, for the page. */
export function evaluateGate(ctx: GateContext, gate: GateId): GateResult {
  const definition = GATES.find(g => g.id === gate)!;
  const checklist = ctx.runbook?.gateChecklist.find(i => i.gate === gate);
  const decided = decideGate(ctx, gate);
  const { policy, maxAge, outcome, expiresAt, stale, found, waiver, status } =
    decided;
  const reasons = [
    ...outcome.reasons,
    ...outcome.used
      .filter(r => IMAGE_KINDS.includes(r.kind) && !imageNamed(r))
      .map(r => `${r.kind}: image asserted by ${r.submitter}`),
    ...policy.notes,
  ];
  if (stale) {
    reasons.unshift(
      `Evidence is stale: ${stale.what} is ${humanAge(
        ctx.now.getTime() - stale.at.getTime(),
      )} old (max ${maxAge})`,
    );
  }
  if (found && !decided.waiverCounts && decided.ruled !== 'pass') {
    reasons.push(
      `Waiver ${found.id} by ${found.grantedBy} does not count: rco.waivers.group is not configured, so nobody may waive a gate`,
    );
  }
  if (waiver && decided.ruled !== 'pass') {
    reasons.unshift(
      `Waived by ${waiver.grantedBy} until ${waiver.expiresAt.toISOString()}: ${
        waiver.justification
      }`,
    );
  }
  return {
    id: gate,
    title: checklist?.item ?? definition.title,
    verification: checklist?.verification ?? definition.verification,
    section: checklist?.section,
    status,
    reasons,
    evidence: outcome.used.map(r => ({
      id: r.id,
      kind: r.kind,
      sha256: r.sha256,
      collectedAt: r.collectedAt.toISOString(),
      subject: r.subject,
      // Collected evidence: where it was read, and when last seen unchanged (issue 13).
      ...(r.provenance
        ? {
            provenance: {
              ...r.provenance,
              firstObservedAt: r.provenance.firstObservedAt.toISOString(),
              observedAt: r.provenance.observedAt.toISOString(),
            },
          }
        : {}),
      // Signatures: verified by the console, or CI's claim (issue 13).
      ...(r.summary.type === 'signature'
        ? { signature: signatureState(r.summary) }
        : {}),
      source: r.source,
      submitter: r.submitter,
      ...(IMAGE_KINDS.includes(r.kind) && !imageNamed(r)
        ? { imageAssertedBy: r.submitter }
        : {}),
    })),
    evaluatedAt: ctx.now.toISOString(),
    expiresAt: expiresAt?.toISOString(),
    changesAt: outcome.changesAt?.toISOString(),
    maxAge,
    waiver:
      waiver && status === 'waived'
        ? {
            id: waiver.id,
            justification: waiver.justification,
            grantedBy: waiver.grantedBy,
            expiresAt: waiver.expiresAt.toISOString(),
          }
        : undefined,
  };
}

/** "PO and Security" */
const andList = (words: string[]) =>
  words.length > 1
    ? `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`
    : words[0] ?? '';

/**
 * The human-first basis in words a person reads: "PO, DPO and Security approved", "DPO and
 * Security approved; missing: PO", "Missing: PO, DPO and Security".
 */
function signedInWords(signed: (role: 'po' | 'dpo' | 'security') => boolean) {
  const roles = [
    ['po', 'PO'],
    ['dpo', 'DPO'],
    ['security', 'Security'],
  ] as const;
  const approved = roles.filter(([r]) => signed(r)).map(([, t]) => t);
  const missing = roles.filter(([r]) => !signed(r)).map(([, t]) => t);
  if (!missing.length) return `${andList(approved)} approved`;
  if (!approved.length) return `Missing: ${andList(missing)}`;
  return `${andList(approved)} approved; missing: ${andList(missing)}`;
}

function pillarsOf(
  ctx: GateContext,
  gates: GateResult[],
  extras: Extras,
): PillarResult[] {
  const gate = (id: GateId) => gates.find(g => g.id === id)!;
  const gateReq = (id: GateId) => ({
    requirement: `${gate(id).title} gate passes`,
    met: gate(id).status === 'pass' || gate(id).status === 'waived',
    gates: [id],
    basis: `${id}: ${gate(id).status}`,
  });
  // Pillar rows read evidence under the same source policy as the gates they stand beside: a
  // person's upload signs no image and hardens no workload.
  const imageEvidence = applySourcePolicy(ctx, 'image-scanning').ctx;
  const clusterEvidence = applySourcePolicy(ctx, 'policy-enforcement').ctx;
  const workloads = evidenceOf(clusterEvidence, ['workload']).map(
    r => summaryOf(r, 'workload')!,
  );
  const containers = workloads.flatMap(w => w.containers);
  const baseline = (
    label: string,
    test: (c: (typeof containers)[number]) => boolean,
  ) => ({
    requirement: label,
    met: containers.length > 0 && containers.every(test),
    gates: [],
    basis: containers.length
      ? `${containers.filter(test).length} of ${containers.length} containers`
      : 'no workload uploaded',
  });
  // The same four-eyes rule as the gate, preflight and the page: approved means a counting
  // approval (not the requester's) and no standing rejection.
  const verdict = fourEyes({
    signoffs: ctx.signoffs,
    release: ctx.release,
    requester: ctx.requester,
    groups: ctx.groups,
  });
  const signed = (role: 'po' | 'dpo' | 'security') =>
    verdict.roles[role].status === 'approved';
  const requirements: Record<string, PillarResult['requirements']> = {
    'trust-by-design': [
      gateReq('image-scanning'),
      gateReq('secret-hygiene'),
      gateReq('policy-enforcement'),
      {
        requirement: 'Release image signed (Sigstore, verified by the console)',
        // CI's cosign report is a claim; only a bundle the console verified signs (issue 13).
        met: evidenceOf(
          imageEvidence,
          ['sigstore-bundle'],
          r => r.subject.digest === ctx.release.digest,
        ).some(r => consoleVerified(summaryOf(r, 'signature')!)),
        gates: ['image-scanning'],
        basis:
          'a Sigstore bundle for the release digest, verified against the trusted root and the signer identities configured',
      },
    ],
    'human-first': [
      {
        requirement: 'PO, DPO and Security signed this release',
        met: signed('po') && signed('dpo') && signed('security'),
        gates: ['dpo-signoff'],
        basis: signedInWords(signed),
      },
      gateReq('monitoring-alerting'),
      {
        requirement: 'Irreversible steps wait for human confirmation',
        // Met when deploys go through the console, which holds every deploy and rollback until
        // its requester confirms and asks again before an irreversible step.
        met: (extras.deployEnvironments ?? 0) > 0,
        gates: [],
        basis:
          (extras.deployEnvironments ?? 0) > 0
            ? `deploys run through the release console (${
                extras.deployEnvironments
              } environment${
                extras.deployEnvironments === 1 ? '' : 's'
              }): each waits for its requester to type the service name, an irreversible step for a second confirmation`
            : 'no environment is configured: deploys do not go through the release console',
      },
    ],
    'verifiable-memory': [
      {
        requirement: 'Ledger verifies',
        met: extras.ledgerVerified ?? false,
        gates: [],
        basis:
          extras.ledgerVerified === undefined
            ? 'not checked'
            : `ledger chain ${extras.ledgerVerified ? 'intact' : 'broken'}`,
      },
      {
        requirement: 'Every piece of evidence is kept with its sha256',
        met: ctx.evidence.every(r => /^[0-9a-f]{64}$/.test(r.sha256)),
        gates: [],
        basis: `${ctx.evidence.length} records`,
      },
      gateReq('documentation-completeness'),
    ],
    'open-interfaces': [
      {
        requirement: 'An API entity with a definition',
        met: extras.hasApiDefinition ?? false,
        gates: [],
        basis: 'providesApis of the entity',
      },
      gateReq('acronym-clarity'),
    ],
    'responsible-power': [
      gateReq('policy-enforcement'),
      baseline('runAsNonRoot', c => c.runAsNonRoot),
      baseline('readOnlyRootFilesystem', c => c.readOnlyRootFilesystem),
      baseline(
        'No privilege escalation',
        c => !c.allowPrivilegeEscalation && !c.privileged,
      ),
      baseline('Resources and probes', c => c.resources && c.probes),
      {
        requirement: 'NetworkPolicy in place',
        met: evidenceOf(clusterEvidence, ['network-policy']).length > 0,
        gates: [],
        basis: `${
          evidenceOf(clusterEvidence, ['network-policy']).length
        } NetworkPolicies`,
      },
    ],
    'reliability-over-hype': [
      gateReq('progressive-delivery'),
      gateReq('monitoring-alerting'),
      gateReq('rto-rpo-verification'),
      gateReq('migration-controls'),
    ],
    'craft-and-care': [
      gateReq('documentation-completeness'),
      {
        requirement: 'SBOM for the release image',
        met:
          evidenceOf(
            imageEvidence,
            ['cyclonedx', 'spdx'],
            r => r.subject.digest === ctx.release.digest,
          ).length > 0,
        gates: ['image-scanning'],
        basis: 'CycloneDX or SPDX for the release digest',
      },
    ],
  };
  return PILLARS.map(p => {
    const reqs = requirements[p.id];
    const titled = ctx.runbook?.pillars.find(r => r.id === p.id);
    return {
      id: p.id,
      title: titled?.title ?? p.title,
      met: reqs.every(r => r.met),
      requirements: reqs,
    };
  });
}

/**
 * Judges one release of one service in one environment: the ten gates with reasons a person
 * can act on, the seven pillars, and a one-line summary.
 */
export function evaluateRelease(
  ctx: GateContext,
  extras: Extras = {},
): ReleaseStatusResponse {
  const gates = GATES.map(g => evaluateGate(ctx, g.id));
  const blockedBy = gates
    .filter(g => g.status !== 'pass' && g.status !== 'waived')
    .map(g => g.id);
  const waived = gates.filter(g => g.status === 'waived').map(g => g.id);
  const passing = gates.filter(g => g.status === 'pass').length;
  const text = [
    `${passing} of ${gates.length} gates pass`,
    ...(blockedBy.length ? [`blocked by ${blockedBy.join(', ')}`] : []),
    ...(waived.length
      ? [`${waived.length} waived (${waived.join(', ')})`]
      : []),
  ].join('; ');
  return {
    entityRef: ctx.entityRef,
    release: {
      version: ctx.release.version,
      digest: ctx.release.digest,
      environment: ctx.release.environment,
      requestedBy: ctx.requester,
    },
    runbookVersion: ctx.runbook?.metadata.version,
    gates,
    pillars: pillarsOf(ctx, gates, extras),
    summary: {
      passing,
      total: gates.length,
      blockedBy,
      waived,
      ready: blockedBy.length === 0,
      text,
    },
    evaluatedAt: ctx.now.toISOString(),
  };
}

/** One environment's verdict of a release: the summary only (the status route lists them). */
export function environmentVerdict(
  environment: string,
  status: ReleaseStatusResponse,
): EnvironmentVerdict {
  const { passing, total, blockedBy, waived, ready, text } = status.summary;
  return { environment, ready, passing, total, blockedBy, waived, text };
}
