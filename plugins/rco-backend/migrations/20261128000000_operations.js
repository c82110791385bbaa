// @ts-check

/**
 * Deploy and rollback operations (a persisted state machine) and break-glass overrides.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('rco_operations', table => {
    table.comment('Deploys, rollbacks and rollback dry-runs with their state');
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 64).notNullable();
    table.string('type', 32).notNullable();
    table.string('driver', 64).notNullable();
    table.string('release_version', 128).nullable();
    table.string('release_digest', 128).nullable();
    table.string('target_revision', 64).nullable();
    table.string('state', 32).notNullable();
    table.text('steps').notNullable().comment('JSON array of steps');
    table.text('progress').nullable().comment('JSON: the driver report');
    table.text('reasons').notNullable().comment('JSON array of strings');
    table.string('requested_by', 255).notNullable();
    table.string('confirmed_by', 255).nullable();
    table.string('awaiting', 64).nullable();
    table.text('gate_snapshot').nullable();
    table.string('override_id', 36).nullable();
    table.string('baseline_revision', 64).nullable();
    table.string('result_revision', 64).nullable();
    table
      .string('active_key', 400)
      .nullable()
      .comment(
        'entity|environment while the operation is not finished, else null: the unique ' +
          'constraint allows one active operation per entity and environment',
      );
    table.unique(['active_key'], { indexName: 'rco_operations_one_active' });
    table.string('idempotency_key', 255).nullable();
    table.string('request_hash', 64).nullable();
    table.unique(['requested_by', 'idempotency_key'], {
      indexName: 'rco_operations_idempotency',
    });
    table.string('lease_owner', 64).nullable();
    table.timestamp('lease_expires_at', { useTz: true }).nullable();
    table
      .text('timings')
      .nullable()
      .comment('JSON: control-plane and driver ms');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.index(['entity_ref', 'created_at']);
    table.index(['state', 'lease_expires_at']);
  });
  await knex.schema.createTable('rco_overrides', table => {
    table.comment(
      'Break-glass overrides: deploy one release despite failing gates',
    );
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 64).notNullable();
    table.string('release_version', 128).nullable();
    table.string('release_digest', 128).nullable();
    table.text('justification').notNullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.timestamp('revoked_at', { useTz: true }).nullable();
    table.string('revoked_by', 255).nullable();
    table.index(['entity_ref', 'environment']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('rco_overrides');
  await knex.schema.dropTable('rco_operations');
};
