import { Entity } from '@backstage/catalog-model';
import { ConflictError } from '@backstage/errors';
import { DeployTarget } from '@helix-portal/plugin-rco-node';
import { Environments } from './environments';
import { TargetBindings } from './targetBinding';

/**
 * An operation acts only on the target it was created, checked, bound and locked for (issue 10,
 * point 1; ADR 0007). Later steps (confirm, promote, abort, the runner and an adopting backend)
 * work the target out again from the entity as the catalog has it now, because the target
 * carries the cluster's credentials, which must not be stored with the operation. Whoever can
 * edit the entity's catalog file may have changed its annotations meanwhile, so the recomputed
 * target counts only when its key is the operation's lock key, and the entity still holds it.
 */

/** 409: the entity's target is no longer the one the operation was checked for. */
export class TargetMovedError extends ConflictError {}

/**
 * The rule itself: the key worked out now is the recorded lock key. Compared in lowercase,
 * because keys recorded before keys were lowercased are still held by their operations.
 * No recorded key (the operation has ended and let go of its lock) pins nothing.
 */
export function isPinnedKey(
  recorded: string | undefined,
  current: string,
): boolean {
  return (
    recorded !== undefined && recorded.toLowerCase() === current.toLowerCase()
  );
}

/** What an operation that is past its creation tells about itself. */
export interface PinnedOperation {
  id: string;
  entityRef: string;
  environment: string;
  /** The lock key recorded at creation; absent once the operation ended. */
  lockKey?: string;
}

/**
 * The target the operation was created for, from the entity as it is now; TargetMovedError
 * (in words, naming neither target) when it is another one or no longer the entity's.
 */
export async function pinnedTarget(
  deps: { environments: Environments; bindings: TargetBindings },
  entity: Entity,
  op: PinnedOperation,
  simulated: boolean,
): Promise<DeployTarget> {
  const refuse = (why: string) =>
    new TargetMovedError(
      `Operation ${op.id} acts only on the ${op.environment} target it was checked and locked for, and ${why}. Put the entity's deploy annotations back, or request a new operation.`,
    );
  let target: DeployTarget;
  try {
    target = deps.environments.target(entity, op.environment);
  } catch (error) {
    throw refuse(
      `the entity's deploy annotations no longer name a valid target (${
        (error as Error).message
      })`,
    );
  }
  const key = deps.environments.lockKey(target, simulated);
  // An operation active during the upgrade to keys by cluster URL holds the older key.
  const pinned =
    isPinnedKey(op.lockKey, key) ||
    (!simulated &&
      isPinnedKey(op.lockKey, deps.environments.legacyLockKey(target)));
  if (!pinned) {
    throw refuse(
      op.lockKey === undefined
        ? 'it no longer holds that target'
        : "the entity's deploy annotations now name another target",
    );
  }
  // The same target, but an operator may have bound it to another entity, or released the
  // claim, since the operation was created.
  const decision = await deps.bindings.decide(op.entityRef, key, simulated);
  if (decision === 'elsewhere' || decision === 'unclaimed') {
    throw refuse('that target is no longer bound to this entity');
  }
  return target;
}
