import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { DecisionStore } from '../../database/DecisionStore';
import { Access } from '../access';
import { ReleaseService } from '../ReleaseService';

/**
 * Who asks for a release. The first request of a release stands: the four-eyes rule keeps the
 * requester from approving it, so nobody may later take the requester's place.
 */
export class ReleaseRequestService {
  constructor(
    private readonly o: {
      decisions: DecisionStore;
      access: Access;
      releases: ReleaseService;
    },
  ) {}

  async request(
    entity: Entity,
    credentials: BackstageCredentials,
    release: { version: string; digest: string },
  ) {
    const entityRef = stringifyEntityRef(entity);
    const requester = await this.o.access.assertOwner(entity, credentials);
    const result = await this.o.decisions.requestRelease(
      entityRef,
      release,
      requester,
    );
    // The requester changes what the sign-off gate and the four-eyes verdict say.
    this.o.releases.invalidate(entityRef, 'request');
    return result;
  }
}
