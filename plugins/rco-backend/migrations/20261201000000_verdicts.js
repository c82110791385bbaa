// @ts-check

/**
 * Stored verdicts (issue 14): each governed entity's newest release judged per environment
 * ('' = the release without an environment, what the portfolio shows). Written by
 * VerdictService after every write that can change it and when `valid_until` passes; reads never
 * compute them.
 *
 * Last write wins by what the verdict was computed from, not by who stored it last: `basis_seq`
 * is the newest ledger entry of the entity's chain that the computation saw, `read_seq` the order
 * in which it read its inputs and `judged_changes` the count of writes outside that chain it saw,
 * so a computation that started before another write cannot overwrite the verdict computed after
 * it. `generation` rises on every store, so an instance's in-memory
 * portfolio reads only rows changed since its last look.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('rco_verdicts', table => {
    table.string('entity_ref', 255).notNullable();
    table
      .string('environment', 255)
      .notNullable()
      .comment("'' for the release judged without an environment");
    table.string('release_version', 255).nullable();
    table.string('release_digest', 255).nullable();
    table.string('runbook_version', 255).nullable();
    table.boolean('ready').notNullable();
    table
      .text('gates')
      .notNullable()
      .comment('JSON: [{id, status, expiresAt}]');
    table.text('summary').notNullable().comment('JSON: the status summary');
    table
      .text('judged')
      .notNullable()
      .comment(
        'JSON: what the status route serves from (status, sign-offs, requester, used evidence)',
      );
    table
      .timestamp('valid_until', { useTz: true })
      .nullable()
      .comment('the earliest moment time alone changes the verdict');
    table.timestamp('judged_at', { useTz: true }).notNullable();
    table.timestamp('read_at', { useTz: true }).notNullable();
    table.bigInteger('basis_seq').notNullable().defaultTo(0);
    table
      .bigInteger('read_seq')
      .notNullable()
      .defaultTo(0)
      .comment(
        'order of reading (the generation sequence): breaks ties of basis_seq across instances without their clocks',
      );
    table
      .bigInteger('changes')
      .notNullable()
      .defaultTo(0)
      .comment(
        'bumped in the transaction of a write that changes the verdict without an entry on the entity ledger chain (collected evidence observed or gone)',
      );
    table
      .bigInteger('judged_changes')
      .notNullable()
      .defaultTo(0)
      .comment('the changes count the stored verdict was computed after');
    table
      .string('config_digest', 64)
      .notNullable()
      .comment('the gate configuration it was judged under');
    table.bigInteger('generation').notNullable();
    table.primary(['entity_ref', 'environment']);
    table.index(['generation'], 'rco_verdicts_generation_idx');
    table.index(['valid_until'], 'rco_verdicts_valid_until_idx');
  });
  // PostgreSQL hands out generations from a sequence (no row every writer must update); SQLite
  // writers are serial, so max + 1 is as good there (VerdictStore.nextGeneration).
  if (knex.client.config.client === 'pg')
    await knex.raw('CREATE SEQUENCE rco_verdicts_generation_seq');
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('rco_verdicts');
  if (knex.client.config.client === 'pg')
    await knex.raw('DROP SEQUENCE IF EXISTS rco_verdicts_generation_seq');
};
