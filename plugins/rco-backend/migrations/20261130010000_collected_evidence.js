// @ts-check

/**
 * Evidence the console collects itself (issue 13). Provenance lives on the evidence row: a row
 * with a collector is a collected object in one version (collector, cluster, uid and
 * resourceVersion); observed_at is when it was last seen unchanged (staleness counts from there)
 * and collected_at when it was first seen; gone_at when a full list no longer showed it (the
 * gates read only the newest version of each object still listed). Uploads leave these empty.
 *
 * rco_collection_health is what each collector last found per cluster, kind, environment and
 * namespace: shown on the Release tab, never read by the gates; rco_collection_counts holds each
 * entity's objects per health row (one row per entity, so a page reads only its own).
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
    table
      .timestamp('gone_at', { useTz: true })
      .nullable()
      .comment(
        'collected evidence: when a full, successful list no longer showed the object (ledger: evidence-gone); null while it exists',
      );
    table.index(
      ['collector', 'origin_cluster', 'origin_uid'],
      'rco_evidence_origin_idx',
    );
  });
  await knex.schema.createTable('rco_collection_health', table => {
    table.comment(
      'Collection health per collector, cluster, kind, environment and namespace (issue 13)',
    );
    table.string('collector', 64).notNullable();
    table.string('cluster', 255).notNullable();
    table.string('kind', 128).notNullable();
    table.string('environment', 64).notNullable();
    table
      .string('namespace', 255)
      .notNullable()
      .defaultTo('')
      .comment(
        "the cluster namespace the outcome is about; '' when the collector named none",
      );
    table
      .string('about_entity', 255)
      .notNullable()
      .defaultTo('')
      .comment(
        "the entity ref (lowercase) the outcome is about only; '' for every entity",
      );
    table.timestamp('last_attempt_at', { useTz: true }).notNullable();
    table.timestamp('last_success_at', { useTz: true }).nullable();
    table
      .text('last_error')
      .nullable()
      .comment('the last failure in words, never a secret; null when ok');
    table
      .string('error_scope', 255)
      .nullable()
      .comment(
        "who saw last_error: 'full' (a scheduled run) or the entity ref of an owner's refresh",
      );
    table
      .text('note')
      .nullable()
      .comment(
        'what people should know although ok (kind not served, objects attributed to none)',
      );
    table.integer('objects').nullable();
    table.primary([
      'collector',
      'cluster',
      'kind',
      'environment',
      'namespace',
      'about_entity',
    ]);
  });
  await knex.schema.createTable('rco_collection_counts', table => {
    table.comment(
      'Objects per entity of each collection health row at its last success (non-zero counts only)',
    );
    table.string('collector', 64).notNullable();
    table.string('cluster', 255).notNullable();
    table.string('kind', 128).notNullable();
    table.string('environment', 64).notNullable();
    table.string('namespace', 255).notNullable().defaultTo('');
    table.string('about_entity', 255).notNullable().defaultTo('');
    table.string('entity_ref', 255).notNullable().comment('lowercase');
    table.integer('objects').notNullable();
    table.primary([
      'collector',
      'cluster',
      'kind',
      'environment',
      'namespace',
      'about_entity',
      'entity_ref',
    ]);
    table.index(
      ['entity_ref', 'environment'],
      'rco_collection_counts_entity_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('rco_collection_counts');
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
      'gone_at',
    ])
      table.dropColumn(column);
  });
};
