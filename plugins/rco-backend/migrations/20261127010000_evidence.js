// @ts-check

/**
 * Evidence, sign-offs, waivers and the hash-chained ledger.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('rco_evidence', table => {
    table.comment('Uploaded or collected evidence documents, secrets masked');
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('kind', 64).notNullable();
    table
      .string('sha256', 64)
      .notNullable()
      .comment('sha256 of the uploaded document');
    table.string('subject_version', 128).nullable();
    table.string('subject_digest', 128).nullable();
    table.string('subject_commit', 64).nullable();
    table.string('environment', 64).nullable();
    table.string('source', 16).notNullable();
    table.string('submitter', 255).notNullable();
    table.timestamp('collected_at', { useTz: true }).notNullable();
    table.text('summary').notNullable().comment('normalised summary as JSON');
    table
      .text('raw', 'longtext')
      .notNullable()
      .comment('the document, secrets masked');
    table.string('raw_format', 16).notNullable();
    table.integer('raw_size').notNullable();
    table
      .string('dedupe_key', 64)
      .notNullable()
      .comment('sha256 of entity, kind, document and subject');
    table.unique(['dedupe_key']);
    table.index(['entity_ref', 'kind', 'collected_at']);
  });
  await knex.schema.createTable('rco_signoffs', table => {
    table.comment(
      'Sign-off decisions, bound to one release; revocation is a new row',
    );
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('role', 16).notNullable();
    table
      .string('decision', 16)
      .notNullable()
      .comment('approved | rejected | revoked');
    table.string('release_version', 128).notNullable();
    table.string('release_digest', 128).notNullable();
    table.string('signer', 255).notNullable();
    table.text('comment').nullable();
    table.string('revokes', 36).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['entity_ref', 'release_version', 'release_digest']);
  });
  await knex.schema.createTable('rco_release_requests', table => {
    table.comment(
      'Who asked for a release: the four-eyes rule keeps them from signing it off',
    );
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('release_version', 128).notNullable();
    table.string('release_digest', 128).notNullable();
    table.string('requester', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.unique(['entity_ref', 'release_version', 'release_digest']);
  });
  await knex.schema.createTable('rco_waivers', table => {
    table.comment('Gate waivers with justification and expiry');
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('gate', 64).notNullable();
    table.string('environment', 64).nullable();
    table.string('release_version', 128).nullable();
    table.text('justification').notNullable();
    table.string('granted_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.timestamp('revoked_at', { useTz: true }).nullable();
    table.index(['entity_ref', 'gate']);
  });
  await knex.schema.createTable('rco_ledger', table => {
    table.comment('Append-only, hash-chained record of every decision');
    table.bigIncrements('seq').primary();
    table.string('entry_type', 64).notNullable();
    table.string('entity_ref', 255).nullable();
    table.string('actor', 255).notNullable();
    table.text('payload').notNullable().comment('canonical JSON');
    table.string('prev_hash', 64).notNullable();
    table.string('hash', 64).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('rco_ledger');
  await knex.schema.dropTable('rco_waivers');
  await knex.schema.dropTable('rco_release_requests');
  await knex.schema.dropTable('rco_signoffs');
  await knex.schema.dropTable('rco_evidence');
};
