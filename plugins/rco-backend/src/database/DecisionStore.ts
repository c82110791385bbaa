import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { toDate } from '../lib/canonicalJson';
import { SignoffRecord, WaiverRecord } from '../gates/types';
import { Ledger } from './Ledger';
import { Clock, systemClock } from '../lib/clock';
import { SignoffRow, WaiverRow } from './tables';

/** A proposed waiver, as its ledger entry records it (see DecisionStore.proposeWaiver). */
export interface WaiverProposalRecord {
  id: string;
  ledgerSeq: number;
  gate: string;
  environment?: string;
  releaseVersion?: string;
  justification: string;
  expiresAt: Date;
  proposedBy: string;
  proposedAt: Date;
}

/**
 * Human decisions: sign-offs bound to a release and waivers of a gate. Nothing is updated in
 * place except a waiver's revocation time; every decision is also a ledger entry written in the
 * same transaction.
 */
export class DecisionStore {
  constructor(
    private readonly db: Knex,
    private readonly ledger: Ledger,
    /** Dates decisions (the local portal's demo clock can be ahead of the system's). */
    private readonly clock: Clock = systemClock,
  ) {}

  async addSignoff(
    entityRef: string,
    signoff: Omit<SignoffRecord, 'id' | 'createdAt'>,
  ): Promise<SignoffRecord> {
    const record: SignoffRecord = {
      ...signoff,
      id: randomUUID(),
      createdAt: this.clock.now(),
    };
    await this.db.transaction(async tx => {
      await this.ledger.lock(tx, entityRef);
      await tx('rco_signoffs').insert({
        id: record.id,
        entity_ref: entityRef,
        role: record.role,
        decision: record.decision,
        release_version: record.release.version,
        release_digest: record.release.digest,
        signer: record.signer,
        comment: record.comment ?? null,
        revokes: record.revokes ?? null,
        created_at: record.createdAt,
      });
      await this.ledger.append(tx, {
        entryType: record.decision === 'revoked' ? 'signoff-revoke' : 'signoff',
        entityRef,
        actor: record.signer,
        payload: {
          id: record.id,
          role: record.role,
          decision: record.decision,
          release: record.release,
          signer: record.signer,
          revokes: record.revokes ?? null,
          comment: record.comment ?? null,
          createdAt: record.createdAt.toISOString(),
        },
      });
    });
    return record;
  }

  async listSignoffs(
    entityRef: string,
    release?: { version?: string; digest?: string },
  ): Promise<SignoffRecord[]> {
    const query = this.db('rco_signoffs')
      .where({ entity_ref: entityRef })
      .orderBy('created_at', 'asc');
    if (release?.version) query.andWhere({ release_version: release.version });
    if (release?.digest) query.andWhere({ release_digest: release.digest });
    return (await query).map(signoffOf);
  }

  async getSignoff(
    id: string,
  ): Promise<(SignoffRecord & { entityRef: string }) | undefined> {
    const row = await this.db('rco_signoffs').where({ id }).first('entity_ref');
    if (!row) return undefined;
    const match = (await this.listSignoffs(row.entity_ref)).find(
      s => s.id === id,
    );
    return match && { ...match, entityRef: row.entity_ref };
  }

  /** Records who asks for a release; the first request of a release stands. */
  async requestRelease(
    entityRef: string,
    release: { version: string; digest: string },
    requester: string,
  ) {
    return this.db.transaction(async tx => {
      await this.ledger.lock(tx, entityRef);
      const existing = await tx('rco_release_requests')
        .where({
          entity_ref: entityRef,
          release_version: release.version,
          release_digest: release.digest,
        })
        .first();
      if (existing)
        return {
          requester: existing.requester,
          createdAt: toDate(existing.created_at),
          created: false,
        };
      const createdAt = this.clock.now();
      await tx('rco_release_requests').insert({
        id: randomUUID(),
        entity_ref: entityRef,
        release_version: release.version,
        release_digest: release.digest,
        requester,
        created_at: createdAt,
      });
      await this.ledger.append(tx, {
        entryType: 'release-request',
        entityRef,
        actor: requester,
        payload: { release, requester, createdAt: createdAt.toISOString() },
      });
      return { requester, createdAt, created: true };
    });
  }

  async getRequester(
    entityRef: string,
    release: { version?: string; digest?: string },
  ): Promise<string | undefined> {
    if (!release.version || !release.digest) return undefined;
    const row = await this.db('rco_release_requests')
      .where({
        entity_ref: entityRef,
        release_version: release.version,
        release_digest: release.digest,
      })
      .first('requester');
    return row?.requester;
  }

  /**
   * Who asked for the releases a version and/or digest names (an override may name only one):
   * everyone who could be the requester of what it overrides.
   */
  async requestersOf(
    entityRef: string,
    release: { version?: string; digest?: string },
  ): Promise<string[]> {
    if (!release.version && !release.digest) return [];
    const query = this.db('rco_release_requests').where({
      entity_ref: entityRef,
    });
    if (release.version) query.andWhere({ release_version: release.version });
    if (release.digest) query.andWhere({ release_digest: release.digest });
    return (await query.select('requester')).map(r => r.requester);
  }

  async addWaiver(
    entityRef: string,
    waiver: Omit<WaiverRecord, 'id' | 'createdAt'>,
  ): Promise<WaiverRecord> {
    const record: WaiverRecord = {
      ...waiver,
      id: randomUUID(),
      createdAt: this.clock.now(),
    };
    await this.db.transaction(async tx => {
      await this.ledger.lock(tx, entityRef);
      await tx('rco_waivers').insert({
        id: record.id,
        entity_ref: entityRef,
        gate: record.gate,
        environment: record.environment ?? null,
        release_version: record.releaseVersion ?? null,
        justification: record.justification,
        granted_by: record.grantedBy,
        created_at: record.createdAt,
        expires_at: record.expiresAt,
      });
      await this.ledger.append(tx, {
        entryType: 'waiver',
        entityRef,
        actor: record.grantedBy,
        payload: {
          id: record.id,
          gate: record.gate,
          environment: record.environment ?? null,
          releaseVersion: record.releaseVersion ?? null,
          justification: record.justification,
          grantedBy: record.grantedBy,
          createdAt: record.createdAt.toISOString(),
          expiresAt: record.expiresAt.toISOString(),
        },
      });
    });
    return record;
  }

  /**
   * A waiver someone asks the waiver group for. Only a ledger entry, like the deploy side's
   * operation-state entries: no table row, so no gate reads it (it lifts nothing) and the
   * reconciler has no row to compare it with.
   */
  async proposeWaiver(
    entityRef: string,
    proposal: Omit<WaiverProposalRecord, 'id' | 'ledgerSeq' | 'proposedAt'>,
    /**
     * Asked under the entity's ledger lock, before anything is written: an open proposal that
     * already answers this one (returned instead), or a throw when it must not be recorded.
     * Under the lock, so that proposals sent at once are judged one after the other.
     */
    answeredBy?: (db: Knex) => Promise<WaiverProposalRecord | undefined>,
  ): Promise<{ record: WaiverProposalRecord; created: boolean }> {
    const id = randomUUID();
    const proposedAt = this.clock.now();
    return this.db.transaction(async tx => {
      await this.ledger.lock(tx, entityRef);
      const existing = await answeredBy?.(tx);
      if (existing) return { record: existing, created: false };
      const entry = await this.ledger.append(tx, {
        entryType: 'waiver-proposed',
        entityRef,
        actor: proposal.proposedBy,
        payload: {
          id,
          gate: proposal.gate,
          environment: proposal.environment ?? null,
          releaseVersion: proposal.releaseVersion ?? null,
          justification: proposal.justification,
          expiresAt: proposal.expiresAt.toISOString(),
          proposedBy: proposal.proposedBy,
          proposedAt: proposedAt.toISOString(),
        },
      });
      return {
        record: { ...proposal, id, ledgerSeq: entry.seq, proposedAt },
        created: true,
      };
    });
  }

  async getWaiver(
    id: string,
  ): Promise<(WaiverRecord & { entityRef: string }) | undefined> {
    const row = await this.db('rco_waivers').where({ id }).first();
    return row
      ? { ...this.toWaiver(row), entityRef: row.entity_ref }
      : undefined;
  }

  async revokeWaiver(
    id: string,
    actor: string,
  ): Promise<WaiverRecord | undefined> {
    // A waiver's entity never changes: read it first to lock that entity's ledger chain.
    const owner = await this.db('rco_waivers')
      .where({ id })
      .first('entity_ref');
    return this.db.transaction(async tx => {
      await this.ledger.lock(tx, owner?.entity_ref);
      const row = await tx('rco_waivers').where({ id }).first();
      if (!row) return undefined;
      if (row.revoked_at) {
        throw new ConflictError(`Waiver ${id} is already revoked`);
      }
      const revokedAt = this.clock.now();
      await tx('rco_waivers').where({ id }).update({ revoked_at: revokedAt });
      await this.ledger.append(tx, {
        entryType: 'waiver-revoke',
        entityRef: row.entity_ref,
        actor,
        payload: { id, revokedAt: revokedAt.toISOString() },
      });
      return { ...this.toWaiver(row), revokedAt };
    });
  }

  async listWaivers(
    entityRef: string,
    db: Knex = this.db,
  ): Promise<WaiverRecord[]> {
    const rows = await db('rco_waivers')
      .where({ entity_ref: entityRef })
      .orderBy('created_at', 'desc');
    return rows.map(row => this.toWaiver(row));
  }

  private toWaiver(row: WaiverRow): WaiverRecord {
    return waiverOf(row);
  }
}

/** A sign-off row as the gates read it. */
export function signoffOf(row: SignoffRow): SignoffRecord {
  return {
    id: row.id,
    role: row.role,
    decision: row.decision,
    release: { version: row.release_version, digest: row.release_digest },
    signer: row.signer,
    comment: row.comment ?? undefined,
    revokes: row.revokes ?? undefined,
    createdAt: toDate(row.created_at),
  };
}

/** A waiver row as the gates read it. */
export function waiverOf(row: WaiverRow): WaiverRecord {
  return {
    id: row.id,
    gate: row.gate,
    environment: row.environment ?? undefined,
    releaseVersion: row.release_version ?? undefined,
    justification: row.justification,
    grantedBy: row.granted_by,
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
    revokedAt: row.revoked_at ? toDate(row.revoked_at) : undefined,
  };
}
