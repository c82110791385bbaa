// @ts-check

/**
 * Deploy targets claimed by an entity (issue 10, point 1; ADR 0007). A target is what one
 * operation at a time may change: the release or Rollout of an environment's cluster and
 * namespace. The first entity to operate on a target that configuration binds to nobody claims
 * it, with a `target-claim` ledger entry in the same transaction; the primary key on the
 * normalised target key means that of two concurrent first claims exactly one wins.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('rco_target_claims', table => {
    table.comment(
      'Deploy targets (release or Rollout) and the one entity holding each',
    );
    table
      .string('target_key', 400)
      .notNullable()
      .comment(
        'environment|cluster|namespace|driver|name, lowercase: the operation lock key',
      );
    table.primary(['target_key'], 'rco_target_claims_pkey');
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 64).notNullable();
    table.string('cluster', 255).nullable();
    table.string('namespace', 255).notNullable();
    table.string('driver', 64).notNullable();
    table
      .string('name', 255)
      .notNullable()
      .comment('Helm release or Rollout name');
    table.string('claimed_by', 255).notNullable();
    table.timestamp('claimed_at', { useTz: true }).notNullable();
    table.index(['entity_ref'], 'rco_target_claims_entity');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('rco_target_claims');
};
