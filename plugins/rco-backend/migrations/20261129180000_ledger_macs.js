// @ts-check

/**
 * Authenticates what a database writer could otherwise forge (issue 10, point 6; ADR 0004), with
 * the key the configuration holds and the database does not:
 * - every ledger entry carries `mac` = HMAC-SHA256(key, its hash), so an entry appended or
 *   rewritten by someone without the key is found even at the end of its chain;
 * - `rco_ledger_heads` is one signed record of every chain's checkpoint with a counter that only
 *   grows, so a checkpoint deleted, unsigned or rolled back is found after a restart too;
 * - each stored verification outcome is signed, so a row saying "ok" cannot be inserted.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('rco_ledger', table => {
    table
      .string('mac', 64)
      .nullable()
      .comment(
        'HMAC-SHA256 of the hash under the ledger key; null without a key',
      );
  });
  await knex.schema.alterTable('rco_ledger_verifications', table => {
    table
      .string('signature', 64)
      .nullable()
      .comment('HMAC-SHA256 of id and outcome under the ledger key');
  });
  await knex.schema.createTable('rco_ledger_heads', table => {
    table.comment('One signed record of every chain checkpoint (ADR 0004)');
    table.string('id', 16).primary().comment("always 'heads'");
    table.bigInteger('counter').notNullable().comment('grows with every save');
    table
      .bigInteger('mac_since')
      .notNullable()
      .comment('entries with a greater seq must carry a valid mac');
    table
      .text('heads', 'longtext')
      .notNullable()
      .comment('JSON: chain -> { seq, hash } of its checkpoint');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.string('signature', 64).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('rco_ledger_heads');
  await knex.schema.alterTable('rco_ledger_verifications', table => {
    table.dropColumn('signature');
  });
  await knex.schema.alterTable('rco_ledger', table => {
    table.dropColumn('mac');
  });
};
