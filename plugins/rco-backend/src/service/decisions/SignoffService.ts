import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { DecisionStore } from '../../database/DecisionStore';
import { sameActor, SignoffRole } from '../../gates/fourEyes';
import { SignoffRecord } from '../../gates/types';
import { Access } from '../access';
import { ReleaseService } from '../ReleaseService';
import { withoutSecrets } from './freeText';

type StoredSignoff = SignoffRecord & { entityRef: string };

/**
 * Sign-offs and their revocation. A decision belongs to its maker: only the signer revokes it,
 * or a holder of rco.signoff.revoke (audited with whose decision it was). What a revocation
 * means for the gates (the signer then has no standing decision) is the four-eyes rule's.
 */
export class SignoffService {
  constructor(
    private readonly o: {
      decisions: DecisionStore;
      access: Access;
      releases: ReleaseService;
    },
  ) {}

  async get(id: string): Promise<StoredSignoff> {
    const signoff = await this.o.decisions.getSignoff(id);
    if (!signoff) throw new NotFoundError(`No sign-off ${id}`);
    return signoff;
  }

  async sign(
    entity: Entity,
    credentials: BackstageCredentials,
    input: {
      role: SignoffRole;
      decision?: 'approved' | 'rejected';
      release: { version: string; digest: string };
      comment?: string;
    },
  ) {
    const entityRef = stringifyEntityRef(entity);
    const { role, release, comment } = input;
    const signer = await this.o.access.assertRoleMember(role, credentials);
    const requester = await this.o.decisions.getRequester(entityRef, release);
    if (sameActor(requester, signer)) {
      throw new NotAllowedError(
        `${signer} requested ${release.version} and cannot sign it off too (four eyes)`,
      );
    }
    const record = await this.o.decisions.addSignoff(entityRef, {
      role,
      decision: input.decision ?? 'approved',
      release,
      signer,
      comment: await withoutSecrets(comment),
    });
    this.o.releases.invalidate(entityRef, 'signoff');
    return record;
  }

  /**
   * Revokes a decision. The caller has already been shown the sign-off's entity (404 otherwise);
   * here: a revocation is not itself revocable, a decision is revoked once, and only by its
   * signer or a holder of the revoke permission.
   */
  async revoke(original: StoredSignoff, credentials: BackstageCredentials) {
    if (original.decision === 'revoked') {
      throw new InputError(
        `Sign-off ${original.id} is a revocation: sign again instead of revoking it`,
      );
    }
    const actor = await this.o.access.assertCanRevokeSignoff(
      original,
      credentials,
    );
    const all = await this.o.decisions.listSignoffs(
      original.entityRef,
      original.release,
    );
    if (all.some(s => s.decision === 'revoked' && s.revokes === original.id)) {
      throw new ConflictError(`Sign-off ${original.id} is already revoked`);
    }
    const record = await this.o.decisions.addSignoff(original.entityRef, {
      role: original.role,
      decision: 'revoked',
      release: original.release,
      signer: actor,
      revokes: original.id,
    });
    this.o.releases.invalidate(original.entityRef, 'signoff');
    return { record, original, actor };
  }
}
