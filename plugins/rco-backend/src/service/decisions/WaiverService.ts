import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { GATE_IDS, GateId } from '@helix-portal/plugin-rco-common';
import { RcoConfig } from '../../config';
import { DecisionStore } from '../../database/DecisionStore';
import { isSignoffGate } from '../../gates/fourEyes';
import { WaiverRecord } from '../../gates/types';
import { Access } from '../access';
import { ReleaseService } from '../ReleaseService';
import { withoutSecrets } from './freeText';

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

/** Waivers of a gate: the waiver group grants and revokes them, within the maximum duration. */
export class WaiverService {
  constructor(
    private readonly o: {
      decisions: DecisionStore;
      access: Access;
      releases: ReleaseService;
      config: RcoConfig;
    },
  ) {}

  async get(id: string) {
    const waiver = await this.o.decisions.getWaiver(id);
    if (!waiver) throw new NotFoundError(`No waiver ${id}`);
    return waiver;
  }

  async grant(
    entity: Entity,
    credentials: BackstageCredentials,
    input: {
      gate: string;
      justification: string;
      expiresAt: string;
      environment?: string;
      releaseVersion?: string;
    },
  ) {
    const entityRef = stringifyEntityRef(entity);
    const grantedBy = await this.o.access.assertCanWaive(credentials);
    const expiry = new Date(input.expiresAt);
    const refusal = waiverRefusal(
      input.gate,
      expiry,
      this.o.releases.clock.now(),
      this.o.config.waiverMaxDuration.toMillis(),
      this.o.config.waiverMaxDuration.toISO()!,
    );
    if (refusal) throw new InputError(refusal);
    const record = await this.o.decisions.addWaiver(entityRef, {
      gate: input.gate as GateId,
      justification: await withoutSecrets(input.justification),
      expiresAt: expiry,
      environment: input.environment,
      releaseVersion: input.releaseVersion,
      grantedBy,
    });
    this.o.releases.invalidate(entityRef, 'waiver');
    return record;
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
