// @ts-check

/**
 * Runbook versions, one row per distinct document (by content hash) per entity, and the
 * refresh state of each entity: which version is current and the last validation error.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('rco_runbook_versions', table => {
    table.comment('Every distinct runbook document seen for an entity');
    table.bigIncrements('id').primary();
    table.string('entity_ref', 255).notNullable();
    table.string('version', 64).notNullable();
    table
      .string('content_hash', 64)
      .notNullable()
      .comment('sha256 of the canonical document');
    table.string('title', 500).notNullable();
    table.string('status', 32).notNullable();
    table.string('document_date', 16).notNullable();
    table
      .text('document', 'longtext')
      .notNullable()
      .comment('the validated runbook as JSON');
    table
      .text('source')
      .notNullable()
      .comment('where the document was read from');
    table.timestamp('first_seen_at', { useTz: true }).notNullable();
    table.timestamp('last_seen_at', { useTz: true }).notNullable();
    table.unique(['entity_ref', 'content_hash']);
    table.index(['entity_ref', 'version']);
  });
  await knex.schema.createTable('rco_runbook_state', table => {
    table.comment('Refresh state of each governed entity');
    table.string('entity_ref', 255).primary();
    table.string('current_hash', 64).nullable();
    table.text('current_source').nullable();
    table.timestamp('refreshed_at', { useTz: true }).notNullable();
    table
      .text('last_error')
      .nullable()
      .comment('JSON: source and problems of the newest failed read');
    table.timestamp('last_error_at', { useTz: true }).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('rco_runbook_state');
  await knex.schema.dropTable('rco_runbook_versions');
};
