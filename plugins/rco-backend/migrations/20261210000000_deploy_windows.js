// @ts-check

/**
 * Deployment windows (issue 15): an owner proposes a window for an environment and a release,
 * the roles the environment names accept it. Each proposal, acceptance and cancellation is a
 * ledger entry written in the same transaction. A window's state is derived, never stored:
 * accepted once every role in `required_roles` has an acceptance by someone other than the
 * proposer, expired once `end_at` passed, cancelled when `cancelled_at` is set.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('rco_deploy_windows', table => {
    table.comment('Deployment windows proposed by owners (issue 15)');
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 64).notNullable();
    table
      .string('release_version', 128)
      .nullable()
      .comment('null with release_digest null: any release of the entity');
    table.string('release_digest', 128).nullable();
    table.timestamp('start_at', { useTz: true }).notNullable();
    table
      .timestamp('end_at', { useTz: true })
      .notNullable()
      .comment('exclusive');
    table
      .string('time_zone', 64)
      .notNullable()
      .comment('IANA zone the proposer gave: how people see the window');
    table
      .text('required_roles')
      .notNullable()
      .comment('JSON: the roles that must accept, fixed at proposal');
    table.string('proposed_by', 255).notNullable();
    table.timestamp('proposed_at', { useTz: true }).notNullable();
    table.timestamp('cancelled_at', { useTz: true }).nullable();
    table.string('cancelled_by', 255).nullable();
    table.index(
      ['entity_ref', 'environment', 'end_at'],
      'rco_deploy_windows_entity_idx',
    );
  });
  await knex.schema.createTable('rco_deploy_window_acceptances', table => {
    table.comment('Acceptances of deployment windows, one per window and role');
    table.string('id', 36).primary();
    table.string('window_id', 36).notNullable();
    table.string('entity_ref', 255).notNullable();
    table.string('role', 16).notNullable();
    table.string('accepted_by', 255).notNullable();
    table.timestamp('accepted_at', { useTz: true }).notNullable();
    table.unique(['window_id', 'role'], {
      indexName: 'rco_deploy_window_acceptances_role',
    });
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('rco_deploy_window_acceptances');
  await knex.schema.dropTable('rco_deploy_windows');
};
