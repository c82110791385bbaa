import { LedgerEntry } from '../../database/Ledger';
import { WaiverProposalRecord } from '../../database/DecisionStore';
import { WaiverRecord } from '../../gates/types';

/** A `waiver-proposed` ledger entry as the proposal it records (DecisionStore.proposeWaiver). */
export function proposalOf(entry: LedgerEntry): WaiverProposalRecord {
  const p = entry.payload as Record<string, string | null>;
  return {
    id: String(p.id),
    ledgerSeq: entry.seq,
    gate: String(p.gate),
    environment: p.environment ?? undefined,
    releaseVersion: p.releaseVersion ?? undefined,
    justification: String(p.justification),
    expiresAt: new Date(String(p.expiresAt)),
    proposedBy: String(p.proposedBy),
    proposedAt: new Date(String(p.proposedAt)),
  };
}

export type ProposalState = WaiverProposalRecord & {
  state: 'open' | 'granted' | 'expired';
  waiverId?: string;
};

/**
 * What became of each proposal. Proposals are ledger entries and never change, so their state is
 * derived: granted when a waiver of the same gate and environment was recorded at or after the
 * proposal (by whoever of the waiver group, with whatever expiry: the group decides), expired
 * when the expiry it asked for has passed without one, open otherwise. Newest first.
 */
export function proposalStates(
  proposals: WaiverProposalRecord[],
  waivers: WaiverRecord[],
  now: Date,
): ProposalState[] {
  return proposals
    .map(p => {
      const answer = waivers
        .filter(
          w =>
            w.gate === p.gate &&
            (w.environment ?? null) === (p.environment ?? null) &&
            w.createdAt.getTime() >= p.proposedAt.getTime(),
        )
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0];
      if (answer)
        return { ...p, state: 'granted' as const, waiverId: answer.id };
      if (p.expiresAt.getTime() <= now.getTime())
        return { ...p, state: 'expired' as const };
      return { ...p, state: 'open' as const };
    })
    .sort((a, b) => b.ledgerSeq - a.ledgerSeq);
}
