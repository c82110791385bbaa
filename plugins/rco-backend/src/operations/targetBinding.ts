import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { DeployTarget } from '@internal/plugin-rco-node';
import { TargetClaimRow, TargetClaimStore } from '../database/TargetClaimStore';

/**
 * A deploy target belongs to one entity (issue 10, point 1; ADR 0007). This file is the one home
 * of that rule: which entity kinds may operate at all, what a target's key is, and who holds a
 * target (configuration first, then the recorded first claim).
 */

/** The parts of a target that say what it changes. */
export interface TargetParts {
  environment: string;
  cluster?: string;
  namespace: string;
  driver: string;
  /** The Helm release or Rollout name. */
  name: string;
}

/** The Helm release or Rollout a target changes (module drivers name theirs like a Rollout). */
export function targetName(target: DeployTarget): string {
  return (
    (target.driver === 'helm' ? target.helm?.release : target.rollout?.name) ??
    ''
  );
}

export function targetParts(target: DeployTarget): TargetParts {
  return {
    environment: target.environment,
    cluster: target.cluster?.name,
    namespace: target.namespace,
    driver: target.driver,
    name: targetName(target),
  };
}

/**
 * The normalised target key: the operation lock key and the binding key are this one string, so
 * "one operation at a time" and "one entity" speak of the same thing. Lowercase, because
 * Kubernetes names are, and an entity ref differing only in case is the same entity. The
 * simulated cluster keeps one service per entity, so its key names the entity.
 */
export function targetKey(
  parts: TargetParts,
  simulated: boolean,
  entityRef: string,
): string {
  if (simulated)
    return `${parts.environment}|entity|${entityRef}`.toLowerCase();
  return [
    parts.environment,
    parts.cluster ?? '',
    parts.namespace,
    parts.driver,
    parts.name,
  ]
    .join('|')
    .toLowerCase();
}

/** Who holds a target, as the asking entity may know it. */
export type BindingDecision =
  /** Configuration binds it to the asking entity. */
  | 'configured'
  /** The asking entity claimed it first. */
  | 'claimed'
  /** The entity's own by construction: the simulated cluster keeps one service per entity. */
  | 'own'
  /** Nobody: the asking entity's first operation would claim it. */
  | 'unclaimed'
  /** Another entity, by configuration or by claim (never said which). */
  | 'elsewhere';

/**
 * The binding rule. A configured binding wins over any claim (a claim recorded before the
 * binding was configured does not take the target from the configured entity).
 */
export function decideBinding(input: {
  entityRef: string;
  configured?: string;
  claim?: Pick<TargetClaimRow, 'entityRef'>;
}): BindingDecision {
  const me = input.entityRef.toLowerCase();
  if (input.configured !== undefined) {
    return input.configured.toLowerCase() === me ? 'configured' : 'elsewhere';
  }
  if (!input.claim) return 'unclaimed';
  return input.claim.entityRef.toLowerCase() === me ? 'claimed' : 'elsewhere';
}

/** Entity kinds compared as Backstage compares them: case-insensitively. */
export function kindAllowed(entity: Entity, kinds: string[]): boolean {
  const kind = entity.kind.toLowerCase();
  return kinds.some(k => k.toLowerCase() === kind);
}

/**
 * What the environments list says about a target this entity does not hold. The same words
 * whether nobody or somebody else holds it: the list must not tell a stranger that a release of
 * that name is in use.
 */
export const NOT_BOUND_MESSAGE =
  'This target is not bound to this entity, so its revisions are not shown. A binding in ' +
  'rco.environments[].bindings, or this entity’s first deploy or rollback dry-run on a target ' +
  'no entity holds, binds it.';

/** Enforces the binding rule over the configured bindings and the recorded claims. */
export class TargetBindings {
  constructor(
    private readonly o: {
      /** `rco.operations.entityKinds`. */
      entityKinds: string[];
      /** Configured bindings: target key → entity ref. */
      configured: Map<string, string>;
      store: TargetClaimStore;
    },
  ) {}

  /** 403 for kinds that may not operate; says nothing about any target. */
  assertKind(entity: Entity) {
    if (!kindAllowed(entity, this.o.entityKinds)) {
      throw new NotAllowedError(
        `Entities of kind ${
          entity.kind
        } do not deploy through the console (rco.operations.entityKinds: ${this.o.entityKinds.join(
          ', ',
        )})`,
      );
    }
  }

  /** Who holds the target with this key, from the asking entity's point of view. */
  async decide(
    entityRef: string,
    key: string,
    simulated = false,
  ): Promise<BindingDecision> {
    // Its key names the entity (targetKey), so no other entity can ever ask for it.
    if (simulated) return 'own';
    const configured = this.o.configured.get(key);
    return decideBinding({
      entityRef,
      configured,
      claim: configured === undefined ? await this.o.store.get(key) : undefined,
    });
  }

  /**
   * Before an operation is created: the entity holds the target, or claims it now (audited,
   * exactly one of concurrent first claims wins), or gets 403 without learning who holds it.
   * The caller has checked the deploy or rollback permission on the entity already.
   */
  async holdOrClaim(
    entity: Entity,
    target: DeployTarget,
    key: string,
    actor: string,
    simulated = false,
  ): Promise<BindingDecision> {
    const entityRef = stringifyEntityRef(entity);
    let decision = await this.decide(entityRef, key, simulated);
    if (decision === 'unclaimed') {
      const parts = targetParts(target);
      const { claim } = await this.o.store.claim({
        ...parts,
        targetKey: key,
        entityRef: entityRef.toLowerCase(),
        claimedBy: actor,
      });
      decision = decideBinding({ entityRef, claim });
    }
    if (decision === 'elsewhere') {
      const parts = targetParts(target);
      throw new NotAllowedError(
        `${target.environment}: ${parts.driver} target "${parts.name}" in namespace ${parts.namespace} is bound to another entity; ${entityRef} may not operate on it`,
      );
    }
    return decision;
  }
}
