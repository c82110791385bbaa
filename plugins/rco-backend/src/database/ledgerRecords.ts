import { findingRank } from '../evidence/findingRank';
import {
  EVIDENCE_COLUMNS,
  EvidenceListRow,
  provenancePayload,
} from './DatabaseEvidenceStore';
import { canonicalJson, sha256, toDate } from '../lib/canonicalJson';
import {
  DeployWindowAcceptanceRow,
  DeployWindowRow,
  EvidenceRow,
  OverrideRow,
  ReleaseRequestRow,
  ReleaseReviewRow,
  RunbookVersionRow,
  SignoffRow,
  TargetClaimTableRow,
  WaiverRow,
} from './tables';

type Row = Record<string, any>;
type Payload = Record<string, any>;

const iso = (value: unknown) =>
  value === null || value === undefined
    ? null
    : toDate(value as Date).toISOString();

/** Summaries can be large: rows and entries are compared by the digest of the summary. */
const summaryDigest = (summary: unknown) => sha256(canonicalJson(summary));

/**
 * A table the gates read, and how its rows appear in the ledger. Each store writes the row's
 * full content into the payload of the entry that creates it (and the changed fields into the
 * entry that revokes it), so the ledger alone says what every row must be; the reconciler
 * compares the two. `fromRow` is the payload a row must have been written with.
 */
export interface LedgerTable {
  table: string;
  /** Primary key column, for paging. */
  primaryKey: string;
  /** Columns read (the raw evidence document is left out: see ADR 0004). */
  columns?: string[];
  /** Entry types whose payload creates one row. */
  creates: string[];
  /** Entry types whose payload changes a row created before (revocations). */
  changes?: string[];
  /**
   * Splits a change entry that names many rows into one change per row (an `evidence-observed`
   * entry lists every object a run saw unchanged); default: the entry changes the row its `id` names.
   */
  splitChange?(payload: Payload): Payload[];
  /**
   * Entry types that delete a row created before (the local portal's demo evidence pruning):
   * the row must then be gone, and the entry that created it stays in the chain.
   */
  removes?: string[];
  /** The identity of a record (the same for the row and its entry). */
  key(record: Payload, entityRef: string | null): string;
  /**
   * The payload a row was written with. Each table's entry below takes its own row type (of
   * the columns it reads); a method's parameter accepts that.
   */
  fromRow(row: Row): Payload;
  /** The payload as compared (the evidence summary becomes its digest). */
  fromEntry?(payload: Payload): Payload;
}

const byId = (record: Payload) => String(record.id);

export const LEDGER_TABLES: LedgerTable[] = [
  {
    table: 'rco_signoffs',
    primaryKey: 'id',
    creates: ['signoff', 'signoff-revoke'],
    key: byId,
    fromRow: (row: SignoffRow) => ({
      id: row.id,
      role: row.role,
      decision: row.decision,
      release: { version: row.release_version, digest: row.release_digest },
      signer: row.signer,
      comment: row.comment,
      revokes: row.revokes,
      createdAt: iso(row.created_at),
    }),
  },
  {
    table: 'rco_release_requests',
    primaryKey: 'id',
    creates: ['release-request'],
    // The first request of a release stands: entity, version and digest are unique.
    key: (record, entityRef) =>
      `${entityRef} ${record.release?.version}@${record.release?.digest}`,
    fromRow: (row: ReleaseRequestRow) => ({
      release: { version: row.release_version, digest: row.release_digest },
      requester: row.requester,
      createdAt: iso(row.created_at),
    }),
  },
  {
    table: 'rco_waivers',
    primaryKey: 'id',
    creates: ['waiver'],
    changes: ['waiver-revoke'],
    key: byId,
    fromRow: (row: WaiverRow) => ({
      id: row.id,
      gate: row.gate,
      environment: row.environment,
      releaseVersion: row.release_version,
      justification: row.justification,
      grantedBy: row.granted_by,
      createdAt: iso(row.created_at),
      expiresAt: iso(row.expires_at),
      revokedAt: iso(row.revoked_at),
    }),
  },
  {
    table: 'rco_overrides',
    primaryKey: 'id',
    creates: ['break-glass'],
    changes: ['break-glass-revoke'],
    key: byId,
    fromRow: (row: OverrideRow) => ({
      id: row.id,
      environment: row.environment,
      release: { version: row.release_version, digest: row.release_digest },
      justification: row.justification,
      createdBy: row.created_by,
      createdAt: iso(row.created_at),
      expiresAt: iso(row.expires_at),
      revokedAt: iso(row.revoked_at),
      revokedBy: row.revoked_by,
    }),
  },
  {
    table: 'rco_evidence',
    primaryKey: 'id',
    columns: [...EVIDENCE_COLUMNS, 'raw_format', 'finding_rank'],
    creates: ['evidence-upload'],
    // Collected evidence seen again unchanged (issue 13): one entry per run, cluster and
    // collector moves observed_at of every row it lists; a row's observed_at edited in the
    // database (stale evidence kept fresh) differs from the last entry that moved it.
    // An object a full list no longer showed is marked gone by one `evidence-gone` entry per
    // run, cluster and collector (R1 M2); seen again, its observation clears the mark.
    changes: ['evidence-observed', 'evidence-gone'],
    splitChange: payload =>
      (Array.isArray(payload.ids) ? payload.ids : []).map((id: unknown) =>
        payload.goneAt
          ? { id: String(id), goneAt: payload.goneAt }
          : { id: String(id), observedAt: payload.observedAt, goneAt: null },
      ),
    removes: ['evidence-prune'],
    key: byId,
    fromRow: (
      row: EvidenceListRow & Pick<EvidenceRow, 'raw_format' | 'finding_rank'>,
    ) => ({
      id: row.id,
      kind: row.kind,
      sha256: row.sha256,
      subject: {
        version: row.subject_version,
        digest: row.subject_digest,
        commit: row.subject_commit,
        environment: row.environment,
      },
      source: row.source,
      submitter: row.submitter,
      collectedAt: iso(row.collected_at),
      summary: summaryDigest(JSON.parse(row.summary)),
      rawFormat: row.raw_format,
      rawSize: Number(row.raw_size),
      // The window the gates read is chosen by this column: a rank lowered in the database
      // would let a flood of clean uploads push a failing report out (DatabaseEvidenceStore).
      findingRank: Number(row.finding_rank),
      provenance: provenancePayload(row),
      observedAt: iso(row.observed_at),
      goneAt: iso(row.gone_at),
    }),
    // The raw document's digest is kept in the entry but not compared on every run (the gates
    // read the summary; reading every raw document each time would cost more than the check).
    fromEntry: ({ rawSha256: _raw, ...payload }) => ({
      ...payload,
      summary: summaryDigest(payload.summary),
      findingRank: findingRank(payload.summary),
      goneAt: payload.goneAt ?? null,
    }),
  },
  {
    // Deploy target claims (ADR 0007): the entry carries the full row.
    table: 'rco_target_claims',
    primaryKey: 'target_key',
    creates: ['target-claim'],
    key: record => String(record.targetKey),
    fromRow: (row: TargetClaimTableRow) => ({
      targetKey: row.target_key,
      entityRef: row.entity_ref,
      environment: row.environment,
      cluster: row.cluster,
      namespace: row.namespace,
      driver: row.driver,
      name: row.name,
      claimedBy: row.claimed_by,
      claimedAt: iso(row.claimed_at),
    }),
  },
  {
    // Runbook versions the gates read (targets, for one). The entry names the version and its
    // content hash; the row's document is hashed again on every run, so an edit of the document
    // that leaves content_hash alone differs in documentHash.
    table: 'rco_runbook_versions',
    primaryKey: 'id',
    columns: [
      'id',
      'entity_ref',
      'version',
      'content_hash',
      'title',
      'status',
      'document_date',
      'document',
    ],
    creates: ['runbook-version'],
    key: (record, entityRef) => `${entityRef} ${record.contentHash}`,
    fromRow: (
      row: Pick<
        RunbookVersionRow,
        | 'version'
        | 'content_hash'
        | 'title'
        | 'status'
        | 'document_date'
        | 'document'
      >,
    ) => ({
      version: row.version,
      contentHash: row.content_hash,
      title: row.title,
      status: row.status,
      date: row.document_date,
      documentHash: documentDigest(row.document),
    }),
    fromEntry: payload => ({ ...payload, documentHash: payload.contentHash }),
  },
  {
    // Deployment windows (issue 15): the deploy gate reads them, so a row edited in the
    // database (a later end, a cleared cancellation) differs from its entries.
    table: 'rco_deploy_windows',
    primaryKey: 'id',
    creates: ['deploy-window-propose'],
    changes: ['deploy-window-cancel'],
    key: byId,
    fromRow: (row: DeployWindowRow) => ({
      id: row.id,
      environment: row.environment,
      release: { version: row.release_version, digest: row.release_digest },
      start: iso(row.start_at),
      end: iso(row.end_at),
      timeZone: row.time_zone,
      requiredRoles: JSON.parse(row.required_roles),
      proposedBy: row.proposed_by,
      proposedAt: iso(row.proposed_at),
      cancelledAt: iso(row.cancelled_at),
      cancelledBy: row.cancelled_by,
    }),
  },
  {
    // An acceptance inserted in the database without its entry is found here.
    table: 'rco_deploy_window_acceptances',
    primaryKey: 'id',
    creates: ['deploy-window-accept'],
    key: byId,
    fromRow: (row: DeployWindowAcceptanceRow) => ({
      id: row.id,
      windowId: row.window_id,
      role: row.role,
      acceptedBy: row.accepted_by,
      acceptedAt: iso(row.accepted_at),
    }),
  },
  {
    // Reviews after production deploys and rollbacks (issue 15): the entry carries the record.
    table: 'rco_release_reviews',
    primaryKey: 'id',
    creates: ['release-review'],
    key: byId,
    fromRow: (row: ReleaseReviewRow) => ({
      id: row.id,
      operationId: row.operation_id,
      operationType: row.operation_type,
      environment: row.environment,
      release: { version: row.release_version, digest: row.release_digest },
      result: row.result,
      summary: row.summary,
      deviations: row.deviations,
      lessons: row.lessons,
      author: row.author,
      createdAt: iso(row.created_at),
    }),
  },
];

/** sha256 of a stored runbook document's canonical JSON; a document that does not parse is its text's. */
function documentDigest(document: string): string {
  try {
    return sha256(canonicalJson(JSON.parse(document)));
  } catch {
    return sha256(document);
  }
}

/** Absent and null mean the same in a record: older entries simply leave empty fields out. */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => [k, withoutNulls(v)]),
    );
  }
  return value;
}

/** Names of the top-level fields whose content differs (never the content: it may be secret). */
export function differingFields(a: Payload, b: Payload): string[] {
  const x = withoutNulls(a) as Payload;
  const y = withoutNulls(b) as Payload;
  return [...new Set([...Object.keys(x), ...Object.keys(y)])]
    .filter(k => canonicalJson(x[k]) !== canonicalJson(y[k]))
    .sort();
}
