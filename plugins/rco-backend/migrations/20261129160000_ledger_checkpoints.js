// @ts-check

/**
 * Signed checkpoints of the ledger's chain heads and the stored outcome of each scheduled
 * verification (issue 10, points 6 and 9; ADR 0004). A checkpoint row is the newest verified head
 * of one chain, signed with a key the database does not hold; verification continues from it
 * instead of re-hashing every entry. Readers (the status page, GET /ledger/verify) read the newest
 * stored outcome rather than verifying themselves.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('rco_ledger_checkpoints', table => {
    table.comment('The newest verified head of each ledger chain, signed');
    table
      .string('chain', 255)
      .primary()
      .comment("the chain's entity_ref, '' for entries without an entity");
    table.bigInteger('seq').notNullable().comment('seq of the head entry');
    table.string('hash', 64).notNullable().comment('hash of the head entry');
    table
      .string('signature', 128)
      .nullable()
      .comment(
        'HMAC-SHA256 of chain, seq, hash and created_at; null without a key',
      );
    table.timestamp('created_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('rco_ledger_verifications', table => {
    table.comment('Outcome of each ledger verification run, newest last');
    table.bigIncrements('id').primary();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).notNullable();
    table.boolean('ok').notNullable();
    table
      .text('result')
      .notNullable()
      .comment('JSON: what was checked and found');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('rco_ledger_verifications');
  await knex.schema.dropTable('rco_ledger_checkpoints');
};
