// @ts-check

/**
 * Evidence the console collects itself (issue 13). Provenance lives on the evidence row: a row
 * with a collector is a collected object in one version (collector, cluster, uid and
 * resourceVersion); observed_at is when it was last seen unchanged (staleness counts from there)
 * and collected_at when it was first seen. Uploads leave these columns empty.
 *
 * rco_collection_health is what each collector last found per cluster, kind and environment:
 * shown on the Release tab, never read by the gates.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('rco_evidence', table => {
    table
      .string('collector', 64)
      .nullable()
      .comment('collected evidence: the collector id; null for uploads');
    table.string('origin_cluster', 255).nullable();
    table.string('origin_namespace', 255).nullable();
    table.string('origin_kind', 128).nullable();
    table.string('origin_api_version', 128).nullable();
    table.string('origin_name', 255).nullable();
    table.string('origin_uid', 255).nullable();
    table.string('origin_resource_version', 255).nullable();
    table
      .timestamp('observed_at', { useTz: true })
      .nullable()
      .comment(
        'collected evidence: last seen unchanged (ledger: evidence-observed)',
      );
    table.index(
      ['collector', 'origin_cluster', 'origin_uid'],
      'rco_evidence_origin_idx',
    );
  });
  await knex.schema.createTable('rco_collection_health', table => {
    table.comment(
      'Collection health per collector, cluster, kind and environment (issue 13)',
    );
    table.string('collector', 64).notNullable();
    table.string('cluster', 255).notNullable();
    table.string('kind', 128).notNullable();
    table.string('environment', 64).notNullable();
    table.timestamp('last_attempt_at', { useTz: true }).notNullable();
    table.timestamp('last_success_at', { useTz: true }).nullable();
    table
      .text('last_error')
      .nullable()
      .comment('the last failure in words, never a secret; null when ok');
    table.integer('objects').nullable();
    table
      .text('entity_objects')
      .nullable()
      .comment('JSON: objects per entity in the last successful run');
    table.primary(['collector', 'cluster', 'kind', 'environment']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('rco_collection_health');
  await knex.schema.alterTable('rco_evidence', table => {
    table.dropIndex([], 'rco_evidence_origin_idx');
    for (const column of [
      'collector',
      'origin_cluster',
      'origin_namespace',
      'origin_kind',
      'origin_api_version',
      'origin_name',
      'origin_uid',
      'origin_resource_version',
      'observed_at',
    ])
      table.dropColumn(column);
  });
};
