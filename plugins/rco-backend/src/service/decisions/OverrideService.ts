import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { Duration } from 'luxon';
import { RcoConfig } from '../../config';
import { DecisionStore } from '../../database/DecisionStore';
import { OverrideRecord, OverrideStore } from '../../database/OverrideStore';
import { Environments } from '../../operations/environments';
import { sameActor } from '../../gates/fourEyes';
import { Access } from '../access';
import { ReleaseService } from '../ReleaseService';
import { withoutSecrets } from './freeText';

/**
 * Break-glass overrides. Only the break-glass group records one, for one release in one
 * environment, until an expiry within rco.breakGlass.maxDuration; never the requester of the
 * release it overrides (break-glass is the one way past a sign-off gate, so it must still take
 * a second person).
 */
export class OverrideService {
  constructor(
    private readonly o: {
      overrides: OverrideStore;
      decisions: DecisionStore;
      access: Access;
      releases: ReleaseService;
      environments: Environments;
      config: RcoConfig;
      /** Tells the owners; a failure to notify does not undo the override. */
      notify?: (override: OverrideRecord, entity: Entity) => Promise<unknown>;
    },
  ) {}

  async get(id: string) {
    const override = await this.o.overrides.byId(id);
    if (!override) throw new NotFoundError(`No override ${id}`);
    return override;
  }

  async record(
    entity: Entity,
    credentials: BackstageCredentials,
    input: {
      environment: string;
      release: { version?: string; digest?: string };
      justification: string;
      expiresAt: string;
    },
  ) {
    const actor = await this.o.access.assertCanBreakGlass(credentials);
    const { environment, release, justification } = input;
    this.o.environments.get(environment);
    const until = new Date(input.expiresAt);
    const maxMs = this.o.config.breakGlassMaxDuration.toMillis();
    const now = this.o.releases.clock.now().getTime();
    if (!(until.getTime() > now) || until.getTime() > now + maxMs) {
      throw new InputError(
        `expiresAt must be in the future and at most ${this.o.config.breakGlassMaxDuration.toISO()} (${Duration.fromMillis(
          maxMs,
        )
          .shiftTo('hours')
          .toHuman()}) away (rco.breakGlass.maxDuration)`,
      );
    }
    if (!release.digest && !release.version) {
      throw new InputError(
        'An override names the release: its version and digest',
      );
    }
    const entityRef = stringifyEntityRef(entity);
    const requesters = await this.o.decisions.requestersOf(entityRef, release);
    if (requesters.some(r => sameActor(r, actor))) {
      throw new NotAllowedError(
        `${actor} requested this release and cannot record a break-glass override for it too (four eyes)`,
      );
    }
    const record = await this.o.overrides.add({
      entityRef,
      environment,
      release,
      justification: await withoutSecrets(justification),
      createdBy: actor,
      expiresAt: until,
    });
    this.o.releases.invalidate(entityRef, 'override');
    await this.o.notify?.(record, entity).catch(() => undefined);
    return record;
  }

  async revoke(override: OverrideRecord, credentials: BackstageCredentials) {
    const actor = await this.o.access.assertCanBreakGlass(credentials);
    const record = await this.o.overrides.revoke(
      override.id,
      override.entityRef,
      actor,
    );
    this.o.releases.invalidate(override.entityRef, 'override');
    return record;
  }
}
