import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { DeployDriver } from '@helix-portal/plugin-rco-node';
import { Knex } from 'knex';
import { TargetClaimStore } from '../database/TargetClaimStore';
import { TargetClaimBackfillRow } from '../database/tables';
import { Environments } from './environments';
import { TargetBindings, targetParts } from './targetBinding';

/**
 * Records the claims of entities that operated before targets were claimed (issue 10, point 1;
 * ADR 0007). The migration `20261129190000_target_claim_backfill` lists each entity's earliest
 * operation per environment; the target key needs configuration and the catalog, so the claims
 * are recorded here, at start: oldest operation first, so that of two entities that operated on
 * one release the first keeps it. Each claim gets its `target-claim` ledger entry (the store
 * writes both in one transaction). A row is removed once settled, so a claim an operator
 * deletes later is not recorded again at the next start; settling one twice (two instances
 * starting together) records nothing new, because the target is then held.
 */
export interface ClaimBackfillDeps {
  db: Knex;
  environments: Environments;
  drivers: Map<string, DeployDriver>;
  bindings: TargetBindings;
  store: TargetClaimStore;
  loadEntity(ref: string): Promise<Entity | undefined>;
  logger: LoggerService;
}

type PendingRow = TargetClaimBackfillRow;

/** The actor of a backfilled claim: nobody asked for it now; the operation it comes from did. */
export const backfillActor = (operationId: string) =>
  `rco-backfill:operation/${operationId}`;

/** The annotations that choose a target's namespace or name (environments.ts). */
const TARGET_ANNOTATIONS = ['namespace', 'helm-release', 'rollout'];

/**
 * Whether the entity's annotations choose its target in this environment. A past operation left
 * no record of the target it touched, and annotations can have changed since: a target an
 * annotation chooses now cannot be shown to be the one the operation changed, so it is not
 * carried over (bind it in configuration instead).
 */
const annotationChosen = (entity: Entity, environment: string) => {
  const annotations = entity.metadata.annotations ?? {};
  return TARGET_ANNOTATIONS.some(
    key =>
      annotations[`rco.helix.dev/${key}`] !== undefined ||
      annotations[`rco.helix.dev/${key}.${environment}`] !== undefined,
  );
};

type Settled =
  | { skipped: string }
  | {
      key: string;
      entityRef: string;
      parts: Omit<ReturnType<typeof targetParts>, 'clusterUrl'>;
    };

/** What one pending row comes to: the target it would claim, or why none (for the log). */
async function settle(o: ClaimBackfillDeps, row: PendingRow): Promise<Settled> {
  const env = o.environments.list.find(e => e.name === row.environment);
  if (!env) return { skipped: 'the environment is no longer configured' };
  const driver = o.drivers.get(env.driver);
  if (!driver || driver.simulated)
    return { skipped: 'the environment has no real driver' };
  // Errors reaching the catalog propagate: the row stays for the next attempt.
  const entity = await o.loadEntity(row.entity_ref);
  if (!entity) return { skipped: 'the entity is not in the catalog' };
  try {
    o.bindings.assertKind(entity);
  } catch {
    return { skipped: 'its kind may not operate' };
  }
  if (annotationChosen(entity, env.name)) {
    return {
      skipped:
        'its annotations choose the target now, which may not be what it operated on: bind it in rco.environments[].bindings',
    };
  }
  let target;
  try {
    target = o.environments.target(entity, env.name);
  } catch {
    return { skipped: 'its annotations name no valid target' };
  }
  const key = o.environments.lockKey(target, false);
  const { clusterUrl: _url, ...parts } = targetParts(target);
  return { key, entityRef: stringifyEntityRef(entity).toLowerCase(), parts };
}

/**
 * One pass over the pending rows; throws (leaving them all) when the catalog cannot answer. A
 * target that more than one entity operated on is not given to any of them (which one changed
 * the release cannot be told now): it stays unclaimed, and as it exists, only configuration can
 * bind it.
 */
export async function backfillClaims(o: ClaimBackfillDeps) {
  const pending: PendingRow[] = await o
    .db('rco_target_claim_backfill')
    .orderBy([
      { column: 'operated_at', order: 'asc' },
      { column: 'operation_id', order: 'asc' },
    ]);
  const settled: Array<[PendingRow, Settled]> = [];
  for (const row of pending) settled.push([row, await settle(o, row)]);
  const holders = new Map<string, Set<string>>();
  for (const [, s] of settled) {
    if ('key' in s)
      holders.set(s.key, (holders.get(s.key) ?? new Set()).add(s.entityRef));
  }
  let claimed = 0;
  for (const [row, s] of settled) {
    let skipped = 'skipped' in s ? s.skipped : undefined;
    if (!skipped && 'key' in s) {
      if (holders.get(s.key)!.size > 1) {
        skipped =
          'other entities operated on the same release: bind it in rco.environments[].bindings';
      } else if (
        (await o.bindings.decide(s.entityRef, s.key)) !== 'unclaimed'
      ) {
        skipped = 'the target is bound or held already';
      } else {
        await o.store.claim({
          ...s.parts,
          targetKey: s.key,
          entityRef: s.entityRef,
          claimedBy: backfillActor(row.operation_id),
        });
        claimed++;
      }
    }
    if (skipped) {
      o.logger.info(
        `Target claims: no claim carried over for ${row.entity_ref} in ${row.environment}: ${skipped}`,
      );
    }
    await o
      .db('rco_target_claim_backfill')
      .where({ entity_ref: row.entity_ref, environment: row.environment })
      .delete();
  }
  if (pending.length > 0) {
    o.logger.info(
      `Target claims: ${claimed} carried over from past operations (${pending.length} entity/environment pairs settled)`,
    );
  }
}

/**
 * Runs the backfill until it completes, retrying while the catalog cannot answer (it may start
 * after this plugin). Never rejects: after the last attempt the rest waits for the next start.
 */
export async function runClaimBackfill(
  o: ClaimBackfillDeps,
  attempts = 6,
  delayMs = 5_000,
) {
  for (let attempt = 1; ; attempt++) {
    try {
      await backfillClaims(o);
      return;
    } catch (error) {
      if (attempt >= attempts) {
        o.logger.error(
          `Target claims: carrying claims over from past operations failed ${attempts} times; the rest is tried at the next start: ${error}`,
        );
        return;
      }
      await new Promise(r => setTimeout(r, delayMs).unref?.());
    }
  }
}
