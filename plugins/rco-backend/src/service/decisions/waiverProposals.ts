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
 * Whether a waiver gives what the proposal asked for: the same gate, granted at or after the
 * proposal, not revoked, and at least as wide: a waiver for every environment (or every release)
 * covers a proposal for one, never the reverse. A waiver that covers something else, or that was
 * revoked, leaves the proposal waiting for the group.
 */
const answers = (w: WaiverRecord, p: WaiverProposalRecord) =>
  w.gate === p.gate &&
  !w.revokedAt &&
  (!w.environment || w.environment === p.environment) &&
  (!w.releaseVersion || w.releaseVersion === p.releaseVersion) &&
  w.createdAt.getTime() >= p.proposedAt.getTime();

/**
 * What became of each proposal. Proposals are ledger entries and never change, so their state is
 * derived: granted when a waiver that answers it was recorded (by whoever of the waiver group,
 * with whatever expiry: the group decides), expired when the expiry it asked for has passed
 * without one, open otherwise. Newest first.
 */
export function proposalStates(
  proposals: WaiverProposalRecord[],
  waivers: WaiverRecord[],
  now: Date,
): ProposalState[] {
  return proposals
    .map(p => {
      const answer = waivers
        .filter(w => answers(w, p))
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0];
      if (answer)
        return { ...p, state: 'granted' as const, waiverId: answer.id };
      if (p.expiresAt.getTime() <= now.getTime())
        return { ...p, state: 'expired' as const };
      return { ...p, state: 'open' as const };
    })
    .sort((a, b) => b.ledgerSeq - a.ledgerSeq);
}
