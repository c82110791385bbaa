import { EvidenceKind, GateId, Runbook } from '@helix-portal/plugin-rco-common';
import { EvidenceRecord } from '../database/EvidenceStore';
import { isSignoffGate } from '../gates/fourEyes';
import { GateContext, SignoffRecord, WaiverRecord } from '../gates/types';

/**
 * What a judgement read, by reference: enough to judge it again exactly (issue 17's replay)
 * without copying the evidence. Evidence rows never change but for a collected object's last
 * observation, which moves, so that time is kept beside its id; waivers change only by being
 * revoked, which the replay undoes for a judgement made before the revocation.
 */
export interface JudgementInputs {
  /**
   * Evidence ids in the order the gates read them, with a collected object's observedAt and the
   * kind (a replay of one gate loads only the kinds that gate reads).
   */
  evidence: Array<[id: string, observedAt: string | null, kind: EvidenceKind]>;
  signoffs: string[];
  waivers: string[];
  requester?: string;
  /** content_hash of the runbook version current then (rco_runbook_versions). */
  runbookHash?: string;
}

/** What ReleaseService.judge returns, as far as the inputs go. */
export interface JudgedInputs {
  evidence: EvidenceRecord[];
  signoffs: Array<Pick<SignoffRecord, 'id'>>;
  waivers: Array<{ id: string; expiresAt: Date; revokedAt?: Date | null }>;
  requester?: string;
  runbookHash?: string;
}

/**
 * The inputs of one judgement at `at`, by reference. Only waivers in force then are kept: one
 * revoked or expired before cannot waive anything at `at` (nor when replayed at a later time),
 * and a service's whole waiver history in every record made the replay's reads grow with it.
 */
export function captureInputs(judged: JudgedInputs, at: Date): JudgementInputs {
  return {
    evidence: judged.evidence.map(r => [
      r.id,
      r.provenance ? r.provenance.observedAt.toISOString() : null,
      r.kind,
    ]),
    signoffs: judged.signoffs.map(s => s.id),
    waivers: judged.waivers
      .filter(w => w.expiresAt > at && (!w.revokedAt || w.revokedAt > at))
      .map(w => w.id),
    ...(judged.requester ? { requester: judged.requester } : {}),
    ...(judged.runbookHash ? { runbookHash: judged.runbookHash } : {}),
  };
}

/**
 * What a replay reads of each judgement's inputs: everything for the full baseline ({}), or what
 * can change one gate's status for a replay of that gate's change: the evidence of its kinds and
 * collected objects (readsInput), its own waivers, and sign-offs only for a sign-off gate.
 */
export interface ReplayReads {
  gate?: GateId;
  kinds?: ReadonlySet<EvidenceKind>;
}

/**
 * Whether a replay reads this input: one of its kinds, or any collected object (observedAt set),
 * since a gate's source policy reads collected objects of every kind (what the cluster runs sets
 * a CI upload aside) and the replay must see what the gate saw.
 */
export const readsInput =
  ({ kinds }: ReplayReads) =>
  ([, observedAt, kind]: JudgementInputs['evidence'][number]) =>
    !kinds || kinds.has(kind) || observedAt !== null;

/** Whether a replay reads the sign-offs: only a sign-off gate's status rests on them. */
export const readsSignoffs = ({ gate }: ReplayReads) =>
  !gate || isSignoffGate(gate);

/** The stored records a set of judgements refers to, loaded once for all of them. */
export interface LoadedRecords {
  evidence: Map<string, EvidenceRecord>;
  signoffs: Map<string, SignoffRecord>;
  /** The waivers of the replayed gate (of every gate for the full baseline). */
  waivers: Map<string, WaiverRecord>;
  /** Ids of stored waivers of other gates: present, but nothing the replayed gate reads. */
  otherWaivers: Set<string>;
  /** By `${entityRef} ${contentHash}`. */
  runbooks: Map<string, Runbook | undefined>;
}

/** Nothing loaded yet: ReplayReader.records adds to it slice by slice. */
export const emptyRecords = (): LoadedRecords => ({
  evidence: new Map(),
  signoffs: new Map(),
  waivers: new Map(),
  otherWaivers: new Set(),
  runbooks: new Map(),
});

/** Why a judgement cannot be replayed, or undefined. */
export function missingInput(
  entityRef: string,
  inputs: JudgementInputs,
  loaded: LoadedRecords,
  reads: ReplayReads = {},
): string | undefined {
  const read = readsInput(reads);
  const gone = inputs.evidence.find(
    input => read(input) && !loaded.evidence.has(input[0]),
  );
  if (gone) return `evidence ${gone[0]} is no longer stored`;
  const signoff =
    readsSignoffs(reads) &&
    inputs.signoffs.find(id => !loaded.signoffs.has(id));
  if (signoff) return `sign-off ${signoff} is no longer stored`;
  const waiver = inputs.waivers.find(
    id => !loaded.waivers.has(id) && !loaded.otherWaivers.has(id),
  );
  if (waiver) return `waiver ${waiver} is no longer stored`;
  if (
    inputs.runbookHash &&
    !loaded.runbooks.has(`${entityRef} ${inputs.runbookHash}`)
  )
    return `runbook ${inputs.runbookHash.slice(0, 12)} is no longer stored`;
  return undefined;
}

/**
 * The evidence a judgement read, in the same order, a collected object as last observed then:
 * what the replay reads of it (readsInput).
 */
export function restoreEvidence(
  inputs: JudgementInputs,
  loaded: LoadedRecords,
  reads: ReplayReads = {},
): EvidenceRecord[] {
  return inputs.evidence.filter(readsInput(reads)).map(([id, observedAt]) => {
    const record = loaded.evidence.get(id)!;
    return record.provenance && observedAt
      ? {
          ...record,
          provenance: {
            ...record.provenance,
            observedAt: new Date(observedAt),
          },
        }
      : record;
  });
}

/**
 * The context a judgement made at `at` read, rebuilt from its inputs: the same evidence in the
 * same order (restoreEvidence, or `evidence` when the caller restored it already), the sign-offs,
 * and the waivers as they stood then (one revoked later was in force). `config` and `groups` are
 * the caller's: the policy being replayed.
 */
export function restoreContext(
  judgement: {
    entityRef: string;
    release: GateContext['release'];
    at: Date;
    inputs: JudgementInputs;
  },
  loaded: LoadedRecords,
  policy: Pick<GateContext, 'config' | 'groups'>,
  /** What the replay reads: all when absent. */
  reads: ReplayReads = {},
  evidence: EvidenceRecord[] = restoreEvidence(judgement.inputs, loaded, reads),
): GateContext {
  const { inputs, at } = judgement;
  const waivers: WaiverRecord[] = [];
  for (const id of inputs.waivers) {
    // Another gate's waiver (not loaded: otherWaivers) waives nothing this replay judges.
    const w = loaded.waivers.get(id);
    if (w)
      waivers.push(
        w.revokedAt && w.revokedAt > at ? { ...w, revokedAt: undefined } : w,
      );
  }
  return {
    entityRef: judgement.entityRef,
    runbook: inputs.runbookHash
      ? loaded.runbooks.get(`${judgement.entityRef} ${inputs.runbookHash}`)
      : undefined,
    release: judgement.release,
    evidence,
    signoffs: readsSignoffs(reads)
      ? inputs.signoffs.map(id => loaded.signoffs.get(id)!)
      : [],
    waivers,
    requester: inputs.requester,
    groups: policy.groups,
    now: at,
    config: policy.config,
  };
}
