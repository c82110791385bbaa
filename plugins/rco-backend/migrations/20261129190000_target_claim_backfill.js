// @ts-check

/**
 * Claims carried over from past operations (issue 10, point 1; ADR 0007). Before claims existed,
 * an entity that deployed, dry-ran or rolled back a release held it only while its operation
 * ran; afterwards every existing target was unclaimed, and a stranger's first operation took it.
 * This migration lists, per entity and environment, the earliest operation on a real driver.
 * It cannot record the claims itself: the target key needs the cluster's URL (configuration) and
 * the entity's annotations (the catalog), and the ledger entry needs the ledger's hash chain.
 * The backend does that at start (operations/claimBackfill.ts), oldest operation first, one
 * `target-claim` ledger entry per claim, and removes each row it has settled.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('rco_target_claim_backfill', table => {
    table.comment(
      'Entities that operated before deploy targets were claimed: their claims, still to record',
    );
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 64).notNullable();
    table.primary(
      ['entity_ref', 'environment'],
      'rco_target_claim_backfill_pkey',
    );
    table
      .string('operation_id', 36)
      .notNullable()
      .comment('the earliest operation of the entity in the environment');
    table.string('requested_by', 255).notNullable();
    table.timestamp('operated_at', { useTz: true }).notNullable();
  });
  const operations = await knex('rco_operations')
    .select('id', 'entity_ref', 'environment', 'requested_by', 'created_at')
    .whereNot('driver', 'simulated')
    .orderBy([
      { column: 'created_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ]);
  /** @type {Map<string, any>} */
  const earliest = new Map();
  for (const op of operations) {
    const entityRef = String(op.entity_ref).toLowerCase();
    const key = `${entityRef}\u0000${op.environment}`;
    if (earliest.has(key)) continue;
    earliest.set(key, {
      entity_ref: entityRef,
      environment: op.environment,
      operation_id: op.id,
      requested_by: op.requested_by,
      operated_at: op.created_at,
    });
  }
  const rows = [...earliest.values()];
  for (let i = 0; i < rows.length; i += 200) {
    await knex('rco_target_claim_backfill').insert(rows.slice(i, i + 200));
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('rco_target_claim_backfill');
};
