// @ts-check

/**
 * rco_evidence.finding_rank: how bad a document's findings are (0 clean), written at upload by
 * src/evidence/findingRank.ts. The gates read the newest N records per kind, source and rank, so
 * a flood of clean reports never pushes a failing one out of what they read (issue 10, point 11).
 * Existing rows are backfilled from their summary with the rule below, a frozen copy of
 * findingRank as it was when this migration was written.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('rco_evidence', table => {
    table
      .integer('finding_rank')
      .notNullable()
      .defaultTo(0)
      .comment(
        'how bad the findings are, 0 clean (src/evidence/findingRank.ts)',
      );
  });
  let last = '';
  for (;;) {
    const rows = await knex('rco_evidence')
      .select('id', 'summary')
      .where('id', '>', last)
      .orderBy('id')
      .limit(500);
    if (!rows.length) break;
    for (const row of rows) {
      const rank = rankOf(row.summary);
      if (rank)
        await knex('rco_evidence')
          .where({ id: row.id })
          .update({ finding_rank: rank });
    }
    last = rows[rows.length - 1].id;
  }
  await knex.schema.alterTable('rco_evidence', table => {
    table.index(
      ['entity_ref', 'kind', 'source', 'finding_rank'],
      'rco_evidence_rank_idx',
    );
  });
};

/** @param {string} json */
function rankOf(json) {
  let s;
  try {
    s = JSON.parse(json);
  } catch {
    return 0;
  }
  if (!s || typeof s !== 'object') return 0;
  const severities = { CRITICAL: 5, HIGH: 4, MEDIUM: 3, LOW: 2, UNKNOWN: 1 };
  switch (s.type) {
    case 'vulnerability-scan': {
      let worst = 0;
      for (const [sev, rank] of Object.entries(severities))
        if ((s.counts?.[sev] ?? 0) > 0) worst = Math.max(worst, rank);
      return worst + ((s.secrets?.length ?? 0) > 0 ? 10 : 0);
    }
    case 'secret-scan': {
      const findings = Array.isArray(s.findings) ? s.findings : [];
      if (findings.some((/** @type {any} */ f) => f && f.verified)) return 2;
      if (!findings.length) return 0;
      return s.tool === 'trufflehog' ? 1 : 2;
    }
    case 'signature':
      return s.verified ? 0 : 1;
    case 'attestation':
      return s.succeeded ? 0 : 1;
    case 'policy-report':
      return (s.counts?.fail ?? 0) + (s.counts?.error ?? 0) > 0 ? 1 : 0;
    case 'gatekeeper-constraint':
      return (s.totalViolations ?? 0) > 0 ? 1 : 0;
    default:
      return 0;
  }
}

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('rco_evidence', table => {
    table.dropIndex([], 'rco_evidence_rank_idx');
    table.dropColumn('finding_rank');
  });
};
