import {
  EvidenceKind,
  GateId,
  GateNextStep,
  GateResult,
  PersonView,
  evidenceScope,
} from '@helix-portal/plugin-rco-common';
import { EvidenceRecord } from '../database/EvidenceStore';
import { duration, shortDigest, summaryOf } from './helpers';
import { SignoffRole, isSignoffGate, sameActor } from './fourEyes';
import { PRODUCERS, UploadTarget, uploadCommand } from './uploadCommands';
import {
  EARLIER_POLICY_REASON,
  signatureState,
} from '../evidence/sigstore/signatureState';
import { monitoringSteps } from './monitoringSteps';

/** What the next steps of a release's gates are worked out from. */
export interface NextStepContext extends UploadTarget {
  release: UploadTarget['release'] & { environment?: string };
  /** The configured environments (rco.environments order). */
  environments: string[];
  /** Who asked for the release (none: nobody yet). */
  requester?: string;
  signoffGroups: Record<SignoffRole, string | undefined>;
  waiverGroup?: string;
  /** A group's members as the caller may see them; undefined when not resolved (not visible). */
  people: (group: string) => PersonView[] | undefined;
  /** The evidence the gates were judged on, by id (the steps read the summaries). */
  records: Map<string, EvidenceRecord>;
  /** The runbook's targets, when a valid runbook is current. */
  targets?: { rto: string; rpo: string };
  now: Date;
}

/** The parts of a gate that evidence fills; the first kind of each is the one asked for. */
const SLOTS: Record<GateId, EvidenceKind[][]> = {
  'acronym-clarity': [['naming-report', 'workload']],
  'secret-hygiene': [
    ['gitleaks', 'trufflehog', 'trivy'],
    ['vault-attestation'],
  ],
  'migration-controls': [],
  // The signature slot is filled by a Sigstore bundle: a cosign report is only CI's claim.
  'image-scanning': [
    ['trivy', 'grype'],
    ['sigstore-bundle'],
    ['cyclonedx', 'spdx'],
  ],
  'progressive-delivery': [['argo-rollout'], ['argo-analysis-template']],
  'policy-enforcement': [['policy-report', 'gatekeeper-constraint']],
  'monitoring-alerting': [['prometheus-rule', 'alerting-state']],
  'documentation-completeness': [],
  'rto-rpo-verification': [['velero-backup'], ['velero-restore']],
  'dpo-signoff': [],
};

/** What to change when a gate fails on its evidence, before uploading it again. */
const FIX: Partial<Record<GateId, string>> = {
  'acronym-clarity':
    'Label every workload, dashboard and log with the canonical name (not a name the glossary keeps distinct)',
  'progressive-delivery':
    'Make the Rollout a canary whose AnalysisTemplates measure latency and error rate with success or failure conditions, and fix what failed its analysis',
  'policy-enforcement':
    'Fix the resources the policy reports and Gatekeeper constraints name',
  'monitoring-alerting':
    'Add availability, latency and error-rate alerts, each with a severity and a runbook_url, one of them critical or page',
  'documentation-completeness':
    'Complete the runbook: fill every empty section, keep a glossary, and link the artefacts to the Helix Core repository, then refresh the runbook',
  'migration-controls':
    'Find out why the rollback dry-run failed (its record says), fix the chart or migration',
};

const ROLE_TITLE: Record<SignoffRole, string> = {
  po: 'PO',
  dpo: 'DPO',
  security: 'Security',
};

const names = (people?: PersonView[]) =>
  people?.length ? `: ${people.map(p => p.name).join(', ')}` : '';

/** Environments a per-environment step is for: the one judged, or every configured one. */
function environmentsFor(ctx: NextStepContext): Array<string | undefined> {
  if (ctx.release.environment) return [ctx.release.environment];
  return ctx.environments.length ? ctx.environments : [undefined];
}

function upload(
  ctx: NextStepContext,
  kind: EvidenceKind,
  why: string,
  action: 'upload' | 'fix' = 'upload',
  prefix = '',
): GateNextStep[] {
  const producer = PRODUCERS[kind];
  const perEnvironment = evidenceScope(kind) === 'environment';
  return (perEnvironment ? environmentsFor(ctx) : [undefined]).map(env => {
    const { command, cliCommand, scope } = uploadCommand(kind, ctx, env);
    return {
      action,
      kind,
      scope,
      ...(env ? { environment: env } : {}),
      text: `${prefix}${why} ${producer.what}${env ? ` of ${env}` : ''}: ${
        producer.tool
      }, then upload it${
        perEnvironment ? ' (cluster state counts per environment)' : ''
      }`,
      command,
      cliCommand,
    };
  });
}

/** The slots the gate has no record for, or (stale) whose records aged out. */
function slotsToUpload(gate: GateResult, ctx: NextStepContext) {
  const used = gate.evidence.map(e => e.kind);
  const missing = SLOTS[gate.id as GateId].filter(
    kinds => !kinds.some(k => used.includes(k as string)),
  );
  if (gate.status !== 'stale') return missing;
  const limit = gate.maxAge ? duration(gate.maxAge).toMillis() : Infinity;
  const old = SLOTS[gate.id as GateId].filter(kinds =>
    gate.evidence.some(
      e =>
        kinds.includes(e.kind as EvidenceKind) &&
        ctx.now.getTime() -
          Date.parse(e.provenance?.observedAt ?? e.collectedAt) >=
          limit,
    ),
  );
  // A document's own time (a backup's completion) can age out before its upload: then all.
  const stale = old.length
    ? old
    : SLOTS[gate.id as GateId].filter(kinds =>
        gate.evidence.some(e => kinds.includes(e.kind as EvidenceKind)),
      );
  return [...missing, ...stale.filter(s => !missing.includes(s))];
}

/** Fix steps for evidence that says something is wrong (then upload again). */
function fixes(gate: GateResult, ctx: NextStepContext): GateNextStep[] {
  const records = gate.evidence
    .map(e => ctx.records.get(e.id))
    .filter((r): r is EvidenceRecord => !!r);
  const steps: GateNextStep[] = [];
  if (gate.id === 'image-scanning') {
    const found = records.flatMap(
      r => summaryOf(r, 'vulnerability-scan')?.findings ?? [],
    );
    if (found.length) {
      const fixable = [
        ...new Set(
          found
            .filter(f => f.fixedVersion)
            .map(
              f =>
                `${f.package} ${f.installedVersion ?? ''} → ${
                  f.fixedVersion
                } (${f.id})`,
            ),
        ),
      ].slice(0, 5);
      // A rebuilt image is a new digest, so a new release: no command for this digest here.
      steps.push({
        action: 'fix',
        kind: 'trivy',
        scope: 'image',
        text: `Rebuild the image without the blocking findings${
          fixable.length ? ` (${fixable.join('; ')})` : ''
        }; the new image is a new release with its own digest, whose scans CI uploads`,
      });
    }
    return steps;
  }
  if (gate.id === 'secret-hygiene') {
    if (
      records.some(
        r =>
          (summaryOf(r, 'secret-scan')?.findings.length ?? 0) > 0 ||
          (summaryOf(r, 'vulnerability-scan')?.secrets.length ?? 0) > 0,
      )
    )
      steps.push(
        ...upload(
          ctx,
          'gitleaks',
          'Revoke and rotate the secrets found, remove them from the code and its history, then upload',
          'fix',
        ),
      );
    if (
      records.some(
        r =>
          summaryOf(r, 'attestation')?.succeeded === false &&
          r.kind === 'vault-attestation',
      )
    )
      steps.push(
        ...upload(
          ctx,
          'vault-attestation',
          "Cut the service's Vault policy down to least privilege, then upload",
          'fix',
        ),
      );
    return steps;
  }
  if (gate.id === 'rto-rpo-verification') {
    if (gate.reasons.some(r => /beyond RPO/.test(r)))
      steps.push(
        ...upload(
          ctx,
          'velero-backup',
          `Back up at least every ${
            ctx.targets?.rpo ?? 'RPO'
          } (velero schedule), then upload`,
        ),
      );
    if (records.some(r => r.kind === 'velero-restore'))
      if (
        gate.reasons.some(r => /^Restore drill .* (ended|beyond RTO)/.test(r))
      )
        steps.push(
          ...upload(
            ctx,
            'velero-restore',
            `Run a restore drill that completes within ${
              ctx.targets?.rto ?? 'RTO'
            }, then upload`,
            'fix',
          ),
        );
    return steps;
  }
  const fix = FIX[gate.id as GateId];
  if (!fix) return steps;
  if (gate.id === 'documentation-completeness')
    return [{ action: 'fix', text: fix }];
  if (gate.id === 'migration-controls')
    return [{ action: 'fix', text: `${fix}, then run the dry-run again` }];
  const [kinds] = SLOTS[gate.id as GateId];
  const kind = (records[0]?.kind as EvidenceKind | undefined) ?? kinds[0];
  return upload(ctx, kind, `${fix}, then upload`, 'fix');
}

/**
 * A bundle the console could not verify: the operators configure verification first (no trusted
 * root, no signer identity for the service), or CI signs again as a configured identity.
 */
function signatureSteps(
  gate: GateResult,
  ctx: NextStepContext,
): GateNextStep[] {
  const states = gate.evidence
    .map(e => ctx.records.get(e.id))
    .map(r => r && summaryOf(r, 'signature'))
    .filter(s => !!s)
    .map(s => signatureState(s!));
  if (states.some(s => s.verifiedBy === 'console' && s.ok)) return [];
  const failed = states.find(s => s.verifiedBy === 'console' && !s.ok);
  if (!failed) return [];
  // Verified under a signing policy no longer in force (R2 M1): the same bundle, uploaded again,
  // is verified under the current one.
  if (failed.reason === EARLIER_POLICY_REASON)
    return upload(
      ctx,
      'sigstore-bundle',
      `The bundle of ${shortDigest(
        ctx.release.digest,
      )} was verified under an earlier signing policy (rco.sigstore changed since): upload it again`,
    );
  if (/no Sigstore trusted root is configured/.test(failed.reason ?? ''))
    return [
      {
        action: 'configure',
        setting: 'rco.sigstore.trustedRootFile',
        text: 'Signatures cannot be verified yet: the portal operators configure the Sigstore trusted root (rco.sigstore.trustedRootFile) and who may sign (rco.sigstore.identities); then CI uploads the bundle again',
      },
    ];
  if (/no signer identity is configured/.test(failed.reason ?? ''))
    return [
      {
        action: 'configure',
        setting: 'rco.sigstore.identities',
        text: `Nobody may sign this service's images yet: the portal operators configure its signer identity (issuer and subject) in rco.sigstore.identities; then CI uploads the bundle again`,
      },
    ];
  return upload(
    ctx,
    'sigstore-bundle',
    `The bundle did not verify (${failed.reason}). Sign ${shortDigest(
      ctx.release.digest,
    )} again from the pipeline whose identity is configured for this service, then upload`,
    'fix',
  );
}

/** The dry-run steps: the page runs one per environment. */
function dryRuns(ctx: NextStepContext, why: string): GateNextStep[] {
  if (!ctx.environments.length)
    return [
      {
        action: 'configure',
        setting: 'rco.environments',
        text: 'Rollback dry-runs need an environment: the portal operators configure rco.environments',
      },
    ];
  return environmentsFor(ctx).map(env => ({
    action: 'rollback-dry-run' as const,
    environment: env,
    scope: 'environment' as const,
    kind: 'rollback-dry-run',
    text: `${why}: run a rollback dry-run in ${env}`,
  }));
}

/**
 * What a sign-off role needs: its group configured, a release request on record, then an
 * approval by a named member who is not the requester. The dpo-signoff gate and the four-eyes
 * roles an environment requires (the status route's fourEyes.roles) both read it.
 */
export function signoffSteps(
  role: SignoffRole,
  gate: Pick<GateResult, 'status'>,
  ctx: NextStepContext,
): GateNextStep[] {
  const group = ctx.signoffGroups[role];
  const title = ROLE_TITLE[role];
  if (!group)
    return [
      {
        action: 'configure',
        setting: `rco.signoffs.groups.${role}`,
        text: `Nobody may sign off as ${title}: the portal operators set rco.signoffs.groups.${role} to the catalog group of its signers`,
      },
    ];
  const { version, digest } = ctx.release;
  if (!version || !digest)
    return [
      {
        action: 'fix',
        text: 'Choose a release with a version and an image digest: sign-offs bind to both',
      },
    ];
  const steps: GateNextStep[] = [];
  if (!ctx.requester)
    steps.push({
      action: 'request-release',
      text: `Request release ${version} (${shortDigest(
        digest,
      )}): an owner asks, so the four-eyes rule knows whose approval cannot count`,
    });
  // The requester cannot approve their own release: they are not named as a signer.
  const people = ctx
    .people(group)
    ?.filter(p => !sameActor(p.ref, ctx.requester));
  const rejected = gate.status === 'fail';
  steps.push({
    action: 'signoff',
    role,
    group,
    ...(people ? { people } : {}),
    text: rejected
      ? `A ${title} rejected ${version}: address the rejection; it stands until its signer revokes it, then a member of ${group} approves${names(
          people,
        )}`
      : `A member of ${group} approves ${version} as ${title}${
          ctx.requester ? ' (not the requester)' : ''
        }${names(people)}`,
  });
  return steps;
}

/**
 * What would make a gate pass, as actions (issue 12, point 1): the evidence to upload with the
 * exact command, what to fix first, the dry-run or release request the page can start, and who
 * may sign or waive, by name. Empty for a passing or waived gate.
 */
export function nextSteps(
  gate: GateResult,
  ctx: NextStepContext,
): GateNextStep[] {
  if (gate.status === 'pass' || gate.status === 'waived') return [];
  const id = gate.id as GateId;
  if (isSignoffGate(id)) return signoffSteps('dpo', gate, ctx);
  const steps: GateNextStep[] = [];
  const noRunbook = gate.reasons.some(r => /^No valid runbook/.test(r));
  if (
    noRunbook &&
    (id === 'migration-controls' ||
      id === 'rto-rpo-verification' ||
      id === 'documentation-completeness')
  )
    steps.push({
      action: 'fix',
      text: "Publish a valid runbook (it declares RTO and RPO) where the entity's rco.helix.dev/runbook annotation points, then refresh it",
    });
  else if (monitoringSteps(gate, ctx.release.environment))
    // The monitoring stack is read by the console: the fix is there, nothing to upload.
    steps.push(...monitoringSteps(gate, ctx.release.environment)!);
  else if (id === 'image-scanning' && !ctx.release.digest)
    steps.push({
      action: 'fix',
      text: 'Choose a release with an image digest: scans are bound to a digest',
    });
  else if (id === 'migration-controls') {
    if (gate.status === 'fail') steps.push(...fixes(gate, ctx));
    steps.push(
      ...dryRuns(
        ctx,
        gate.status === 'stale'
          ? `The last dry-run is older than ${gate.maxAge ?? 'allowed'}`
          : 'A succeeded rollback dry-run is needed',
      ),
    );
  } else {
    if (gate.status === 'fail') steps.push(...fixes(gate, ctx));
    // A bundle the console could not verify fills the slot but signs nothing: why, what to do.
    if (id === 'image-scanning') steps.push(...signatureSteps(gate, ctx));
    const slots = slotsToUpload(gate, ctx).map(([kind]) => kind);
    // kubectl get rollout,analysistemplate,analysisrun sends the templates with the Rollout.
    const covered = slots.includes('argo-rollout')
      ? ['argo-analysis-template']
      : [];
    for (const kind of slots.filter(k => !covered.includes(k)))
      steps.push(
        ...upload(ctx, kind, gate.status === 'stale' ? 'Refresh' : 'Upload'),
      );
  }
  if (ctx.waiverGroup) {
    const people = ctx.people(ctx.waiverGroup);
    steps.push({
      action: 'waive',
      group: ctx.waiverGroup,
      ...(people ? { people } : {}),
      text: `Or a member of ${
        ctx.waiverGroup
      } waives the gate for a limited time, with a justification${names(
        people,
      )}`,
    });
  }
  return steps;
}

/** The catalog groups whose members the next steps name (resolve these, then call nextSteps). */
export function groupsNamed(
  gates: GateResult[],
  ctx: Pick<NextStepContext, 'signoffGroups' | 'waiverGroup'>,
  /** Roles whose four-eyes verdict is not approved (their groups are named too). */
  openRoles: SignoffRole[] = [],
): string[] {
  const open = gates.filter(g => g.status !== 'pass' && g.status !== 'waived');
  const groups = new Set<string>();
  for (const role of openRoles) {
    const group = ctx.signoffGroups[role];
    if (group) groups.add(group);
  }
  if (open.some(g => isSignoffGate(g.id)) && ctx.signoffGroups.dpo)
    groups.add(ctx.signoffGroups.dpo);
  if (open.some(g => !isSignoffGate(g.id)) && ctx.waiverGroup)
    groups.add(ctx.waiverGroup);
  return [...groups];
}
