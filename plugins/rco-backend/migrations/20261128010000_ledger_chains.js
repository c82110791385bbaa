// @ts-check

/**
 * The ledger keeps one hash chain per entity (entries without an entity form their own chain),
 * so writers for different services do not queue behind each other (ADR 0004). The newest
 * entry of a chain is looked up by this index.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('rco_ledger', table => {
    table.index(['entity_ref', 'seq'], 'rco_ledger_chain');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('rco_ledger', table => {
    table.dropIndex(['entity_ref', 'seq'], 'rco_ledger_chain');
  });
};
