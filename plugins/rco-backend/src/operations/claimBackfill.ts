import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { DeployDriver } from '@internal/plugin-rco-node';
import { Knex } from 'knex';
import { TargetClaimStore } from '../database/TargetClaimStore';
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

interface PendingRow {
  entity_ref: string;
  environment: string;
  operation_id: string;
  requested_by: string;
}

/** The actor of a backfilled claim: nobody asked for it now; the operation it comes from did. */
export const backfillActor = (operationId: string) =>
  `rco-backfill:operation/${operationId}`;

/** What one pending row comes to: a claim, or why none (in words for the log). */
async function settle(
  o: ClaimBackfillDeps,
  row: PendingRow,
): Promise<string | undefined> {
  const env = o.environments.list.find(e => e.name === row.environment);
  if (!env) return 'the environment is no longer configured';
  const driver = o.drivers.get(env.driver);
  if (!driver || driver.simulated) return 'the environment has no real driver';
  // Errors reaching the catalog propagate: the row stays for the next attempt.
  const entity = await o.loadEntity(row.entity_ref);
  if (!entity) return 'the entity is not in the catalog';
  try {
    o.bindings.assertKind(entity);
  } catch {
    return 'its kind may not operate';
  }
  let target;
  try {
    target = o.environments.target(entity, env.name);
  } catch {
    return 'its annotations name no valid target';
  }
  const key = o.environments.lockKey(target, false);
  const entityRef = stringifyEntityRef(entity);
  if ((await o.bindings.decide(entityRef, key)) !== 'unclaimed')
    return 'the target is bound or held already';
  const { clusterUrl: _url, ...parts } = targetParts(target);
  await o.store.claim({
    ...parts,
    targetKey: key,
    entityRef: entityRef.toLowerCase(),
    claimedBy: backfillActor(row.operation_id),
  });
  return undefined;
}

/** One pass over the pending rows; throws (leaving the rest) when the catalog cannot answer. */
export async function backfillClaims(o: ClaimBackfillDeps) {
  const pending: PendingRow[] = await o
    .db('rco_target_claim_backfill')
    .orderBy([
      { column: 'operated_at', order: 'asc' },
      { column: 'operation_id', order: 'asc' },
    ]);
  let claimed = 0;
  for (const row of pending) {
    const skipped = await settle(o, row);
    if (skipped) {
      o.logger.info(
        `Target claims: no claim carried over for ${row.entity_ref} in ${row.environment}: ${skipped}`,
      );
    } else claimed++;
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
