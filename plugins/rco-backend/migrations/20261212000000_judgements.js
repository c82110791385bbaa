// @ts-check

/**
 * Judgements (issue 17): every verdict a deploy was decided on (preflight, confirmation,
 * promotion), with the gate statuses judged and its inputs by reference, so the metrics can say
 * how often a gate blocked and the replay can judge the same inputs again under a changed
 * policy. The operation's ledger entries carry the snapshot's hash; a judgement edited here is
 * found by replaying the unchanged policy (the baseline), which must reproduce it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('rco_judgements', table => {
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 255).notNullable();
    table.string('operation_id', 36).nullable();
    table
      .string('occasion', 32)
      .notNullable()
      .comment('preflight, confirm or promote');
    table.string('release_version', 255).nullable();
    table.string('release_digest', 255).nullable();
    table.timestamp('judged_at', { useTz: true }).notNullable();
    table
      .boolean('allowed')
      .notNullable()
      .comment('what preflight decided (gates, sign-offs, road, override)');
    table
      .boolean('held_otherwise')
      .notNullable()
      .comment('sign-offs or the road held it, whatever the gates said');
    table
      .string('override_id', 36)
      .nullable()
      .comment('the break-glass override preflight let it through with');
    table
      .boolean('override_available')
      .notNullable()
      .defaultTo(false)
      .comment('an override that counts was active, needed or not');
    table
      .text('gates')
      .notNullable()
      .comment(
        'JSON: [{id, status, oldest (ISO, oldest evidence used), waiver (id)}] as evaluated',
      );
    table
      .text('inputs')
      .notNullable()
      .comment('JSON: JudgementInputs (evidence ids, decisions, runbook hash)');
    table.string('config_digest', 64).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['judged_at'], 'rco_judgements_judged_at');
    table.index(['entity_ref', 'judged_at'], 'rco_judgements_entity');
    table.index(['operation_id'], 'rco_judgements_operation');
  });
  // The release in flight of each entity: its stored verdict's inputs, by reference, so a
  // proposed change can be judged against every release in flight without reading them again.
  await knex.schema.alterTable('rco_verdicts', table => {
    table
      .text('inputs')
      .nullable()
      .comment("JSON: JudgementInputs of the '' row; null on the others");
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('rco_verdicts', table => {
    table.dropColumn('inputs');
  });
  await knex.schema.dropTable('rco_judgements');
};
