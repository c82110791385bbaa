// @ts-check

/**
 * Reviews after a production deploy or rollback (issue 15, point 3): what actually happened,
 * deviations from the runbook and lessons learned, written by an owner once per operation. The
 * row and its `release-review` ledger entry commit together (ReviewStore); the entry carries the
 * whole record, so the ledger alone says what every review was.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('rco_release_reviews', table => {
    table.comment('Reviews after production deploys and rollbacks');
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table
      .string('operation_id', 36)
      .notNullable()
      .comment('the reviewed operation (rco_operations.id)');
    // One review per operation: a second one is refused (409), whoever races.
    table.unique(['operation_id'], { indexName: 'rco_release_reviews_one' });
    table.string('operation_type', 32).notNullable();
    table.string('environment', 64).notNullable();
    table.string('release_version', 128).nullable();
    table.string('release_digest', 128).nullable();
    table
      .string('result', 32)
      .notNullable()
      .comment('as-planned | with-deviations | failed');
    table.text('summary').notNullable().comment('markdown, secrets masked');
    table.text('deviations').notNullable().comment('markdown, secrets masked');
    table.text('lessons').notNullable().comment('markdown, secrets masked');
    table.string('author', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table
      .bigInteger('ledger_seq')
      .notNullable()
      .comment('the release-review ledger entry written with the row');
    table.index(['entity_ref', 'created_at'], 'rco_release_reviews_entity_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('rco_release_reviews');
};
