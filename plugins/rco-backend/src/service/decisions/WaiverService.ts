import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { GATE_IDS, GateId } from '@helix-portal/plugin-rco-common';
import { RcoConfig } from '../../config';
import { DecisionStore } from '../../database/DecisionStore';
import { isSignoffGate } from '../../gates/fourEyes';
import { WaiverRecord } from '../../gates/types';
import { Access } from '../access';
import { ReleaseService } from '../ReleaseService';
import { withoutSecrets } from './freeText';
import { NotifyWaiverProposal } from './waiverProposalNotice';
import { Ledger } from '../../database/Ledger';
import { proposalOf, proposalStates, ProposalState } from './waiverProposals';
import { EvidenceStore } from '../../database/EvidenceStore';
import { Knex } from 'knex';

/** Open proposals one person may have for one entity at a time. */
const MAX_OPEN_PROPOSALS = 5;

/** A waiver as asked for: the grant and the proposal routes take the same body. */
export interface WaiverInput {
  gate: string;
  justification: string;
  expiresAt: string;
  environment?: string;
  releaseVersion?: string;
}

/** Why a waiver cannot be granted for the gate, or undefined when it can. */
export function waiverRefusal(
  gate: string,
  expiresAt: Date,
  now: Date,
  maxMillis: number,
  maxIso: string,
): string | undefined {
  if (!(GATE_IDS as readonly string[]).includes(gate)) {
    return `Unknown gate "${gate}". Gates: ${GATE_IDS.join(', ')}`;
  }
  if (isSignoffGate(gate)) {
    return `${gate} cannot be waived: people pass it by signing the release off, and only a break-glass override (recorded by someone other than the release's requester) lets a deploy past it`;
  }
  if (!(expiresAt.getTime() > now.getTime()))
    return 'expiresAt must be in the future';
  if (expiresAt.getTime() - now.getTime() > maxMillis)
    return `A waiver may last at most ${maxIso}`;
  return undefined;
}

/**
 * Waivers of a gate: the waiver group grants and revokes them, within the maximum duration; those
 * who may request a release propose them (a ledger entry and a notification, nothing granted).
 */
export class WaiverService {
  constructor(
    private readonly o: {
      decisions: DecisionStore;
      ledger: Ledger;
      evidenceStore: Pick<EvidenceStore, 'releases'>;
      access: Access;
      releases: ReleaseService;
      config: RcoConfig;
      /** Tells the waiver group of a proposal; absent when rco.waivers.group is not set. */
      notifyWaiverProposal?: NotifyWaiverProposal;
    },
  ) {}

  private refuse(input: WaiverInput) {
    const refusal = waiverRefusal(
      input.gate,
      new Date(input.expiresAt),
      this.o.releases.clock.now(),
      this.o.config.waiverMaxDuration.toMillis(),
      this.o.config.waiverMaxDuration.toISO()!,
    );
    if (refusal) throw new InputError(refusal);
  }

  async get(id: string) {
    const waiver = await this.o.decisions.getWaiver(id);
    if (!waiver) throw new NotFoundError(`No waiver ${id}`);
    return waiver;
  }

  async grant(
    entity: Entity,
    credentials: BackstageCredentials,
    input: WaiverInput,
  ) {
    const entityRef = stringifyEntityRef(entity);
    const grantedBy = await this.o.access.assertCanWaive(credentials);
    this.refuse(input);
    const record = await this.o.decisions.addWaiver(entityRef, {
      gate: input.gate as GateId,
      justification: await withoutSecrets(input.justification),
      expiresAt: new Date(input.expiresAt),
      environment: input.environment,
      releaseVersion: input.releaseVersion,
      grantedBy,
    });
    this.o.releases.invalidate(entityRef, 'waiver');
    return record;
  }

  /**
   * A person who may request a release of the entity asks the waiver group for a waiver: checked
   * as a grant would be, recorded in the ledger, the group notified. No waiver row is written and
   * nothing is invalidated: every gate reads as it did (an agent can propose through MCP, never
   * grant).
   */
  async propose(
    entity: Entity,
    credentials: BackstageCredentials,
    asked: Omit<WaiverInput, 'expiresAt'> & { expiresAt?: string },
  ) {
    const entityRef = stringifyEntityRef(entity);
    if ((credentials.principal as { type?: string }).type !== 'user')
      throw new NotAllowedError(
        'Waivers are proposed by people: service principals cannot propose one',
      );
    const proposedBy = await this.o.access
      .assertOwner(entity, credentials)
      .catch(error => {
        throw error instanceof NotAllowedError
          ? new NotAllowedError(
              `Only those who may request a release of ${entityRef} may propose a waiver of its gates`,
            )
          : error;
      });
    // Without an expiry, the longest a waiver may last, on the console's clock (the demo clock
    // can be days ahead of the caller's).
    const input: WaiverInput = {
      ...asked,
      expiresAt:
        asked.expiresAt ??
        new Date(
          this.o.releases.clock.now().getTime() +
            this.o.config.waiverMaxDuration.toMillis(),
        ).toISOString(),
    };
    this.refuse(input);
    await this.refuseScope(entityRef, input);
    // Under the ledger lock: the same person asking again for the same waiver while theirs is
    // open (an assistant in a loop, calls sent at once) gets the open one back, and nobody keeps
    // more than MAX_OPEN_PROPOSALS open: the group is not flooded.
    const { record, created } = await this.o.decisions.proposeWaiver(
      entityRef,
      {
        gate: input.gate,
        justification: await withoutSecrets(input.justification),
        expiresAt: new Date(input.expiresAt),
        environment: input.environment,
        releaseVersion: input.releaseVersion,
        proposedBy,
      },
      async db => {
        const mine = (await this.proposalsOf(entityRef, db)).filter(
          p => p.state === 'open' && p.proposedBy === proposedBy,
        );
        const same = mine.find(
          p =>
            p.gate === input.gate &&
            (p.environment ?? null) === (input.environment ?? null) &&
            (p.releaseVersion ?? null) === (input.releaseVersion ?? null),
        );
        if (same) return same;
        if (mine.length >= MAX_OPEN_PROPOSALS)
          throw new ConflictError(
            `${proposedBy} has ${mine.length} open waiver proposals for ${entityRef}: wait for the waiver group to answer them, or for them to expire, before proposing another`,
          );
        return undefined;
      },
    );
    const { state: _s, waiverId: _w, ...fields } = record as ProposalState;
    const proposal = { ...fields, entityRef };
    if (!created)
      return {
        proposal,
        grantableBy: this.o.config.waiverGroup ?? null,
        created,
      };
    await this.o.notifyWaiverProposal?.(proposal, entity);
    return {
      proposal,
      grantableBy: this.o.config.waiverGroup ?? null,
      created: true,
    };
  }

  /**
   * A proposal names only what exists: a configured environment and a release the entity has (by
   * its version label). Otherwise every invented name would be one more proposal, and one more
   * notification, that nobody could ever grant.
   */
  private async refuseScope(entityRef: string, input: WaiverInput) {
    const { environment, releaseVersion } = input;
    if (
      environment &&
      !this.o.config.environments.some(e => e.name === environment)
    )
      throw new InputError(
        `Unknown environment ${JSON.stringify(
          environment,
        )}: name one of rco.environments, or none for every environment`,
      );
    if (releaseVersion) {
      const { items } = await this.o.evidenceStore.releases(entityRef);
      if (!items.some(r => r.version === releaseVersion))
        throw new InputError(
          `${entityRef} has no release ${JSON.stringify(
            releaseVersion,
          )}: name a version its evidence names, or none for every release`,
        );
    }
  }

  /** The entity's proposals with what became of each (waiverProposals.ts), newest first. */
  async proposals(entity: Entity) {
    return this.proposalsOf(stringifyEntityRef(entity));
  }

  private async proposalsOf(entityRef: string, db?: Knex) {
    const [entries, waivers] = await Promise.all([
      this.o.ledger.list({ entityRef, entryType: 'waiver-proposed' }, db),
      this.o.decisions.listWaivers(entityRef, db),
    ]);
    return proposalStates(
      entries.map(proposalOf),
      waivers,
      this.o.releases.clock.now(),
    );
  }

  async revoke(
    waiver: WaiverRecord & { entityRef: string },
    credentials: BackstageCredentials,
  ) {
    const actor = await this.o.access.assertCanWaive(credentials);
    const record = await this.o.decisions.revokeWaiver(waiver.id, actor);
    if (!record) throw new NotFoundError(`No waiver ${waiver.id}`);
    this.o.releases.invalidate(waiver.entityRef, 'waiver');
    return record;
  }
}
