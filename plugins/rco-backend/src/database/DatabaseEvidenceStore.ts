import { Knex } from 'knex';
import { ENVIRONMENT_SCOPED_KINDS } from '@helix-portal/plugin-rco-common';
import { randomUUID } from 'node:crypto';
import { canonicalJson, sha256, toDate } from '../lib/canonicalJson';
import { EvidenceRecord, EvidenceStore, NewEvidence } from './EvidenceStore';
import { findingRank } from '../evidence/findingRank';
import { Ledger } from './Ledger';
import { EvidenceRow, Timestamp } from './tables';

/** Provenance of collected evidence (empty for uploads): see the collected_evidence migration. */
export const PROVENANCE_COLUMNS = [
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
] as const;

/** The provenance columns of a row (all null for an upload). */
type ProvenanceRow = Pick<EvidenceRow, (typeof PROVENANCE_COLUMNS)[number]>;

/**
 * A collected row's provenance columns are written together (provenanceColumns): where
 * `collector` is set, cluster, kind, name, uid and resourceVersion are too.
 */
const written = (value: string | null) => value as string;

/** A row's provenance columns, as written (null for uploads). */
export function provenanceColumns(
  p: NewEvidence['provenance'],
  at: Date,
): ProvenanceRow {
  return {
    collector: p?.collector ?? null,
    origin_cluster: p?.cluster ?? null,
    origin_namespace: p?.namespace ?? null,
    origin_kind: p?.kind ?? null,
    origin_api_version: p?.apiVersion ?? null,
    origin_name: p?.name ?? null,
    origin_uid: p?.uid ?? null,
    origin_resource_version: p?.resourceVersion ?? null,
    observed_at: p ? at : null,
    gone_at: null,
  };
}

/** The provenance of a row as its ledger entry carries it (ledgerRecords compares the two). */
export function provenancePayload(row: ProvenanceRow) {
  if (!row.collector) return null;
  return {
    collector: row.collector,
    cluster: row.origin_cluster,
    namespace: row.origin_namespace,
    kind: row.origin_kind,
    apiVersion: row.origin_api_version,
    name: row.origin_name,
    uid: row.origin_uid,
    resourceVersion: row.origin_resource_version,
  };
}

/** The provenance of a row, or undefined for an upload. */
function provenanceOf(
  row: ProvenanceRow & Pick<EvidenceRow, 'collected_at'>,
): EvidenceRecord['provenance'] {
  if (!row.collector) return undefined;
  return {
    collector: row.collector,
    cluster: written(row.origin_cluster),
    namespace: row.origin_namespace ?? undefined,
    kind: written(row.origin_kind),
    apiVersion: row.origin_api_version ?? undefined,
    name: written(row.origin_name),
    uid: written(row.origin_uid),
    resourceVersion: written(row.origin_resource_version),
    firstObservedAt: toDate(row.collected_at),
    observedAt: toDate(row.observed_at ?? row.collected_at),
  };
}

/** The columns of an evidence record without its raw document (the ledger reads these too). */
export const EVIDENCE_COLUMNS = [
  'id',
  'entity_ref',
  'kind',
  'sha256',
  'subject_version',
  'subject_digest',
  'subject_commit',
  'environment',
  'source',
  'submitter',
  'collected_at',
  'summary',
  'raw_size',
  // Collected evidence (issue 13): where it was read and when last seen unchanged.
  ...PROVENANCE_COLUMNS,
] as const;

/** A row as EVIDENCE_COLUMNS reads it. */
export type EvidenceListRow = Pick<
  EvidenceRow,
  (typeof EVIDENCE_COLUMNS)[number]
>;

/** A row as a record (the replay reads rows by id, issue 17). */
export function toRecord(row: EvidenceListRow): EvidenceRecord {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    kind: row.kind,
    sha256: row.sha256,
    subject: {
      version: row.subject_version ?? undefined,
      digest: row.subject_digest ?? undefined,
      commit: row.subject_commit ?? undefined,
      environment: row.environment ?? undefined,
    },
    source: row.source,
    submitter: row.submitter,
    collectedAt: toDate(row.collected_at),
    summary: JSON.parse(row.summary),
    rawSize: Number(row.raw_size),
    ...(row.collector ? { provenance: provenanceOf(row) } : {}),
  };
}

/**
 * Identical uploads are one record, but only from one source: a person's copy of CI's report
 * must not stand in for CI's upload, which the gates accept and the person's they do not. A
 * collected object is one record per collector, cluster, uid and resourceVersion (two replicas
 * storing the same new version at once store it once).
 */
const dedupeKey = (r: NewEvidence) =>
  sha256(
    canonicalJson([
      ...(r.provenance
        ? [
            'collected',
            r.provenance.collector,
            r.provenance.cluster,
            r.provenance.uid,
            r.provenance.resourceVersion,
          ]
        : []),
      r.entityRef,
      r.kind,
      r.sha256,
      r.subject.version ?? null,
      r.subject.digest ?? null,
      r.subject.commit ?? null,
      r.subject.environment ?? null,
      r.source,
      // A Sigstore bundle is verified under the signing policy in force: uploaded again under
      // another one, it is verified anew and stored as a new record (R2 M1).
      ...(r.summary.type === 'signature' && r.summary.signingPolicy
        ? ['signing-policy', r.summary.signingPolicy]
        : []),
    ]),
  );

/**
 * Records whose subject does not contradict the release. Evidence about an image is about its
 * digest: a record naming the release's digest counts whatever version or commit label it was
 * filed under (as gates/helpers matchesRelease).
 */
function subjectFilter(
  query: Knex.QueryBuilder,
  release: Parameters<EvidenceStore['listForRelease']>[1],
) {
  const labels = (q: Knex.QueryBuilder) => {
    for (const [column, value] of [
      ['subject_version', release.version],
      ['subject_commit', release.commit],
    ] as const) {
      if (value) q.andWhere(w => w.whereNull(column).orWhere(column, value));
    }
  };
  if (release.digest) {
    const digest = release.digest;
    query.andWhere(q =>
      q
        .where('subject_digest', digest)
        .orWhere(w => labels(w.whereNull('subject_digest'))),
    );
  } else labels(query);
}

/** {@link EvidenceStore} on the plugin's database. */
export class DatabaseEvidenceStore implements EvidenceStore {
  constructor(private readonly db: Knex, private readonly ledger: Ledger) {}

  /**
   * One transaction per upload, committed before the 201. Uploads are not group-committed: on
   * PostgreSQL the concurrent commits' WAL flushes are merged by the server already, and one
   * shared transaction runs its uploads' statements one after another on one connection, which
   * measured slower for 50 concurrent pipelines (bench/evidenceStore.bench.ts, BENCH_GROUP=1).
   * A sequential upload waits for its own flush whatever the batching.
   */
  async add(records: NewEvidence[]) {
    return this.db.transaction(tx => this.addIn(tx, records));
  }

  /**
   * The records of one upload and their ledger entries, written inside `tx`, which the caller
   * commits (or rolls back): the upload is on disk only then.
   */
  async addIn(tx: Knex.Transaction, records: NewEvidence[]) {
    await this.ledger.lock(tx, records[0]?.entityRef);
    const results: Array<{ record: EvidenceRecord; created: boolean }> = [];
    for (const record of records) {
      const key = dedupeKey(record);
      const row = {
        id: randomUUID(),
        entity_ref: record.entityRef,
        kind: record.kind,
        sha256: record.sha256,
        subject_version: record.subject.version ?? null,
        subject_digest: record.subject.digest ?? null,
        subject_commit: record.subject.commit ?? null,
        environment: record.subject.environment ?? null,
        source: record.source,
        submitter: record.submitter,
        collected_at: record.collectedAt,
        summary: JSON.stringify(record.summary),
        raw: record.raw,
        raw_format: record.rawFormat,
        raw_size: Buffer.byteLength(record.raw),
        dedupe_key: key,
        // Keeps a failing report in the window the gates read (listForRelease).
        finding_rank: findingRank(record.summary),
        ...provenanceColumns(record.provenance, record.collectedAt),
      };
      // One round trip in the common case; the unique key decides about identical re-uploads.
      const inserted = await tx('rco_evidence')
        .insert(row)
        .onConflict('dedupe_key')
        .ignore()
        .returning('id');
      if (inserted.length === 0) {
        const existing = await tx('rco_evidence')
          .where({ dedupe_key: key })
          .first(...EVIDENCE_COLUMNS);
        // The insert was ignored because this row exists (same transaction).
        results.push({ record: toRecord(existing!), created: false });
        continue;
      }
      await this.ledger.append(tx, {
        entryType: 'evidence-upload',
        entityRef: record.entityRef,
        actor: record.submitter,
        // The row's full content, so the ledger alone says what it must be (ADR 0004).
        payload: {
          id: row.id,
          kind: record.kind,
          sha256: record.sha256,
          subject: record.subject,
          source: record.source,
          submitter: row.submitter,
          collectedAt: toDate(row.collected_at).toISOString(),
          summary: JSON.parse(row.summary),
          rawFormat: row.raw_format,
          rawSize: row.raw_size,
          rawSha256: sha256(row.raw),
          // Collected evidence: where it was read; first observed now (ADR draft, issue 13).
          ...(record.provenance
            ? {
                provenance: provenancePayload(row),
                observedAt: toDate(row.collected_at).toISOString(),
              }
            : {}),
        },
      });
      results.push({ record: toRecord(row), created: true });
    }
    return results;
  }

  async list(
    entityRef: string,
    options: { kinds?: NewEvidence['kind'][]; limit?: number } = {},
  ): Promise<EvidenceRecord[]> {
    const query = this.db('rco_evidence')
      .select(...EVIDENCE_COLUMNS)
      .where({ entity_ref: entityRef })
      .orderBy([
        { column: 'collected_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    if (options.kinds?.length) query.whereIn('kind', options.kinds);
    if (options.limit) query.limit(options.limit);
    return (await query).map(toRecord);
  }

  async listForRelease(
    entityRef: string,
    release: {
      version?: string;
      digest?: string;
      commit?: string;
      environment?: string;
    },
    perKind: number,
  ): Promise<EvidenceRecord[]> {
    const [collected, uploaded] = await Promise.all([
      this.currentCollected(entityRef, release),
      this.uploadWindow(entityRef, release, perKind),
    ]);
    // The cluster's current state first: rules read newest first, and an upload must not stand
    // in front of what the console itself sees (sourcePolicy also sets uploads of a collected
    // kind aside).
    return [...collected, ...uploaded];
  }

  /**
   * Collected evidence as the cluster shows it now: the newest version of each object by its
   * last observation (a version seen again is current again, however old its row), with no cap
   * (an object still listed is never pushed out by another's versions), and none of an object
   * a full list no longer showed (gone). Older versions are history, not state. Always tied to
   * the environment it was collected in, whatever the kind's scope.
   */
  private async currentCollected(
    entityRef: string,
    release: Parameters<EvidenceStore['listForRelease']>[1],
  ): Promise<EvidenceRecord[]> {
    const versions = this.db('rco_evidence')
      .select(...EVIDENCE_COLUMNS)
      .select(
        this.db.raw(
          'row_number() over (partition by collector, origin_cluster, origin_uid, kind, environment order by observed_at desc, collected_at desc, id desc) as rn',
        ),
      )
      .where({ entity_ref: entityRef })
      .whereNotNull('collector');
    if (release.environment)
      versions.andWhere('environment', release.environment);
    // The current version of each object first, THEN the release: a Rollout that moved from
    // digest A to B is about B now, and its old A version must not read as current for A.
    const current = this.db
      .select('*')
      .from(versions.as('v'))
      .where('rn', 1)
      .whereNull('gone_at');
    subjectFilter(current, release);
    // Every row here is a current object; the rules read the first of a kind as the newest
    // (a restore drill, an AnalysisRun), which is the object that appeared last. When an
    // observation last moved says only that the object is still there (staleness reads it).
    const rows = await current.orderBy([
      { column: 'collected_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
    return rows.map(toRecord);
  }

  /** Uploads (CI's, people's, the console's own): the newest of each kind, source and rank. */
  private async uploadWindow(
    entityRef: string,
    release: Parameters<EvidenceStore['listForRelease']>[1],
    perKind: number,
  ): Promise<EvidenceRecord[]> {
    // The newest `perKind` of each kind, source, finding rank and environment: a flood of clean
    // reports (from any source, CI included) only pushes out older clean ones, never a failing
    // one, which the rules then weigh within the gate's maximum age (see findingRank for why
    // ranks, not a flag); one busy environment never pushes out another's.
    const matching = this.db('rco_evidence')
      .select(...EVIDENCE_COLUMNS)
      .select(
        this.db.raw(
          'row_number() over (partition by kind, source, finding_rank, environment order by collected_at desc, id desc) as rn',
        ),
      )
      .where({ entity_ref: entityRef })
      .whereNull('collector');
    subjectFilter(matching, release);
    if (release.environment) {
      const environment = release.environment;
      // Only cluster state is per environment: image, commit and service evidence counts in
      // every environment (evidenceScope in rco-common; gates/helpers matchesRelease alike).
      matching.andWhere(q =>
        q
          .whereNull('environment')
          .orWhere('environment', environment)
          .orWhereNotIn('kind', ENVIRONMENT_SCOPED_KINDS),
      );
    }
    const rows = await this.db
      .select('*')
      .from(matching.as('m'))
      .where('rn', '<=', perKind)
      .orderBy([
        { column: 'collected_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    return rows.map(toRecord);
  }

  /**
   * The releases that exist: one per image digest, newest evidence first, labelled with the
   * version of the newest record that names both the digest and a version. Records naming no
   * digest (a commit's secret scan, cluster state) name no release of their own.
   */
  async releases(entityRef: string) {
    // max() types its alias loosely; whereNotNull makes the digest a string.
    const rows = (await this.db('rco_evidence')
      .select('subject_digest')
      .max({ last: 'collected_at' })
      .where({ entity_ref: entityRef })
      .whereNotNull('subject_digest')
      .groupBy('subject_digest')
      .orderBy([
        { column: 'last', order: 'desc' },
        { column: 'subject_digest', order: 'asc' },
      ])
      .limit(100)) as Array<{ subject_digest: string; last: Timestamp }>;
    const digests = rows.map(r => r.subject_digest);
    const labels = digests.length
      ? ((await this.db('rco_evidence')
          .select('subject_digest', 'subject_version')
          .max({ last: 'collected_at' })
          .where({ entity_ref: entityRef })
          .whereIn('subject_digest', digests)
          .whereNotNull('subject_version')
          .groupBy('subject_digest', 'subject_version')) as Array<{
          subject_digest: string;
          subject_version: string;
          last: Timestamp;
        }>)
      : [];
    const versionOf = new Map<string, { version: string; at: number }>();
    for (const l of labels) {
      const at = toDate(l.last).getTime();
      const seen = versionOf.get(l.subject_digest);
      if (!seen || seen.at < at)
        versionOf.set(l.subject_digest, { version: l.subject_version, at });
    }
    return {
      items: rows.map(r => ({
        digest: r.subject_digest,
        version: versionOf.get(r.subject_digest)?.version,
        lastEvidenceAt: toDate(r.last),
      })),
      environments: await this.environments(entityRef),
    };
  }

  /**
   * Newest evidence first: the picker shows only a few evidence-only environments, and the one a
   * pipeline reported to last must not be pushed out by old (or junk) names that sort first.
   */
  async environments(entityRef: string) {
    const envs = (await this.db('rco_evidence')
      .select('environment')
      .max({ last: 'collected_at' })
      .where({ entity_ref: entityRef })
      .whereNotNull('environment')
      .groupBy('environment')
      .orderBy([
        { column: 'last', order: 'desc' },
        { column: 'environment', order: 'asc' },
      ])) as Array<{ environment: string; last: Timestamp }>;
    return envs.map(e => e.environment);
  }

  async get(id: string) {
    const row = await this.db('rco_evidence').where({ id }).first();
    if (!row) return undefined;
    return { ...toRecord(row), raw: row.raw, rawFormat: row.raw_format };
  }
}
