import { InputError } from '@backstage/errors';
import {
  GATES,
  GateId,
  GateStatus,
  ReplayChange,
  Severity,
} from '@helix-portal/plugin-rco-common';
import { parseDuration } from '../config';
import { decideGate } from '../gates/evaluate';
import { underSigningPolicy } from '../evidence/sigstore';
import { isSignoffGate } from '../gates/fourEyes';
import { GATE_KINDS } from '../gates/sourcePolicy';
import { GateConfig, GateContext, WaiverRecord } from '../gates/types';
import { blocking } from './effectiveness';
import { EvidenceRecord } from '../database/EvidenceStore';
import {
  JudgementInputs,
  LoadedRecords,
  missingInput,
  ReplayReads,
  restoreContext,
  restoreEvidence,
} from './inputs';

const SEVERITIES: Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

/**
 * The policy a judgement is replayed under: the gate configuration, the groups, and the signing
 * policy's digest per entity (a bundle verified under an earlier one no longer counts, as
 * ReleaseService.readInputs applies it).
 */
export type Policy = Pick<GateContext, 'config' | 'groups'> & {
  signing?: (entityRef: string) => string | undefined;
};

/** A change as asked for, checked: a known gate with a threshold, and values that parse. */
export function parseChange(
  body: unknown,
  o: { entityScope: boolean; waiverMaxMs: number },
): ReplayChange {
  const change = (body as { change?: unknown })?.change as
    | Record<string, unknown>
    | undefined;
  if (!change || typeof change !== 'object')
    throw new InputError(
      'change is required: {gate, maxAge | blockingSeverities | waiver}',
    );
  const gate = change.gate as GateId;
  if (!GATES.some(g => g.id === gate))
    throw new InputError(
      `change.gate must be one of ${GATES.map(g => g.id).join(', ')}`,
    );
  if (
    isSignoffGate(gate) &&
    (change.maxAge || change.blockingSeverities || change.waiver)
  )
    throw new InputError(
      `${gate} is passed by people signing: it has no threshold and no waiver`,
    );
  const parsed: ReplayChange = { gate };
  if (change.maxAge !== undefined) {
    const ms =
      typeof change.maxAge === 'string'
        ? parseDuration(change.maxAge)?.toMillis()
        : NaN;
    if (!ms || !Number.isFinite(ms) || ms <= 0)
      throw new InputError(
        'change.maxAge must be a positive ISO 8601 duration such as P7D',
      );
    parsed.maxAge = change.maxAge as string;
  }
  if (change.blockingSeverities !== undefined) {
    const list = change.blockingSeverities;
    if (gate !== 'image-scanning')
      throw new InputError(
        'change.blockingSeverities applies to image-scanning only',
      );
    if (!Array.isArray(list) || list.some(s => !SEVERITIES.includes(s)))
      throw new InputError(
        `change.blockingSeverities must list severities of ${SEVERITIES.join(
          ', ',
        )}`,
      );
    parsed.blockingSeverities = [...new Set(list as string[])];
  }
  if (change.waiver !== undefined) {
    if (!o.entityScope)
      throw new InputError(
        'A waiver is replayed for one entity: POST …/entities/:kind/:namespace/:name/replay',
      );
    const w = change.waiver as Record<string, unknown>;
    if (!w || typeof w !== 'object')
      throw new InputError('change.waiver must be an object');
    const duration = w.duration === undefined ? 'P7D' : w.duration;
    const ms =
      typeof duration === 'string' ? parseDuration(duration)?.toMillis() : NaN;
    if (!ms || !Number.isFinite(ms) || ms <= 0 || ms > o.waiverMaxMs)
      throw new InputError(
        'change.waiver.duration must be a positive ISO 8601 duration within rco.waivers.maxDuration',
      );
    for (const key of ['environment', 'releaseVersion'] as const)
      if (w[key] !== undefined && (typeof w[key] !== 'string' || !w[key]))
        throw new InputError(`change.waiver.${key} must be a non-empty string`);
    parsed.waiver = {
      ...(w.environment ? { environment: w.environment as string } : {}),
      ...(w.releaseVersion
        ? { releaseVersion: w.releaseVersion as string }
        : {}),
      duration: duration as string,
    };
  }
  return parsed;
}

/** Whether the change changes anything (none: the replay is the baseline alone). */
export const changes = (c: ReplayChange) =>
  !!(c.maxAge || c.blockingSeverities || c.waiver);

/** The configuration with the change applied (what app-config would say after it). */
export function changedConfig(
  config: GateConfig,
  change: ReplayChange,
): GateConfig {
  return {
    ...config,
    maxAge: change.maxAge
      ? { ...config.maxAge, [change.gate]: change.maxAge }
      : config.maxAge,
    blockingSeverities: change.blockingSeverities ?? config.blockingSeverities,
  };
}

/** What a replay must load: what the changed gate reads, or everything for the full baseline. */
export const readsOf = (change: ReplayChange): ReplayReads =>
  changes(change)
    ? { gate: change.gate, kinds: new Set(GATE_KINDS[change.gate]) }
    : {};

/** The gates a replay judges: the changed one, or every gate for the full baseline. */
export const gatesOf = (change: ReplayChange): GateId[] =>
  changes(change) ? [change.gate] : GATES.map(g => g.id);

/** The proposed waiver as if granted at `at`. */
function proposedWaiver(
  change: ReplayChange,
  at: Date,
): WaiverRecord | undefined {
  if (!change.waiver) return undefined;
  const ms = parseDuration(change.waiver.duration ?? 'P7D')!.toMillis();
  return {
    id: 'what-if',
    gate: change.gate,
    environment: change.waiver.environment,
    releaseVersion: change.waiver.releaseVersion,
    justification: 'what-if replay',
    grantedBy: 'what-if',
    createdAt: at,
    expiresAt: new Date(at.getTime() + ms),
  };
}

interface Restored {
  entityRef: string;
  missing?: string;
  evidence?: EvidenceRecord[];
}

/**
 * What one replay computes once instead of per judgement: each entity's signing policy digest
 * (a canonical JSON hash), and per distinct inputs (a deploy's preflight and confirmation share
 * theirs: JudgementStore.listWithInputs parses each once) whether they can be replayed and their
 * evidence restored under the signing policy. Lives for one replay: the records it was built from.
 */
export class ReplayMemo {
  private readonly signing = new Map<string, string | undefined>();
  private readonly restored = new WeakMap<JudgementInputs, Restored>();
  readonly reads: ReplayReads;

  constructor(
    private readonly loaded: LoadedRecords,
    private readonly policy: Policy,
    change: ReplayChange,
  ) {
    this.reads = readsOf(change);
  }

  private entry(entityRef: string, inputs: JudgementInputs): Restored {
    const kept = this.restored.get(inputs);
    // The same inputs of another entity (none read anything) are judged on their own.
    if (kept?.entityRef === entityRef) return kept;
    const entry: Restored = {
      entityRef,
      missing: missingInput(entityRef, inputs, this.loaded, this.reads),
    };
    this.restored.set(inputs, entry);
    return entry;
  }

  /** Why these inputs cannot be replayed, or undefined. */
  missing(entityRef: string, inputs: JudgementInputs): string | undefined {
    return this.entry(entityRef, inputs).missing;
  }

  /** The evidence these inputs read, as the signing policy in force now counts it. */
  evidence(entityRef: string, inputs: JudgementInputs): EvidenceRecord[] {
    const entry = this.entry(entityRef, inputs);
    if (!entry.evidence) {
      if (!this.signing.has(entityRef))
        this.signing.set(entityRef, this.policy.signing?.(entityRef));
      entry.evidence = underSigningPolicy(
        restoreEvidence(inputs, this.loaded, this.reads),
        this.signing.get(entityRef),
      );
    }
    return entry.evidence;
  }
}

/** One judgement replayed: each gate under the policy as it is, and the changed gate after. */
export function replayOne(
  judgement: {
    entityRef: string;
    environment: string;
    release: { version?: string; digest?: string };
    at: Date;
    inputs: JudgementInputs;
  },
  loaded: LoadedRecords,
  policy: { base: Policy; changed: Policy; change: ReplayChange },
  memo = new ReplayMemo(loaded, policy.base, policy.change),
): { before: Map<GateId, GateStatus>; after?: GateStatus } {
  const ref = {
    ...judgement,
    release: {
      ...judgement.release,
      environment: judgement.environment || undefined,
    },
  };
  const ctx = restoreContext(
    ref,
    loaded,
    policy.base,
    memo.reads,
    memo.evidence(judgement.entityRef, judgement.inputs),
  );
  const before = new Map(
    gatesOf(policy.change).map(g => [g, decideGate(ctx, g).status]),
  );
  if (!changes(policy.change)) return { before };
  const waiver = proposedWaiver(policy.change, judgement.at);
  const changedCtx = {
    ...ctx,
    config: policy.changed.config,
    waivers: waiver ? [...ctx.waivers, waiver] : ctx.waivers,
  };
  return { before, after: decideGate(changedCtx, policy.change.gate).status };
}

/** Whether a deploy would have gone ahead with the gate's new status. */
export function decisionAfter(
  j: {
    allowed: boolean;
    heldOtherwise: boolean;
    overrideId?: string;
    overrideAvailable?: boolean;
    gates: Array<{ id: GateId; status: GateStatus }>;
  },
  gate: GateId,
  before: GateStatus,
  after: GateStatus,
): 'allowed' | 'blocked' {
  // The gate holds as it held: the deploy went as it went (sign-offs re-judged with the
  // confirmer, the road, an override all stay as recorded).
  if (blocking(before) === blocking(after))
    return j.allowed ? 'allowed' : 'blocked';
  const others = j.gates.filter(g => g.id !== gate && blocking(g.status));
  const gatesHold = others.length > 0 || blocking(after);
  // An override active then (used or not) lifts gates; nothing lifts what held it otherwise.
  return !j.heldOtherwise &&
    (!gatesHold || !!j.overrideId || !!j.overrideAvailable)
    ? 'allowed'
    : 'blocked';
}
