import type {
  EvidenceKind,
  GateId,
  OperationState,
  OperationType,
} from '@helix-portal/plugin-rco-common';
import type { EvidenceSource, NewEvidence } from './EvidenceStore';
import type { SignoffRecord } from '../gates/types';

/**
 * The rows of the plugin's tables (migrations/*.js), as both drivers return them. One type per
 * kind of column, because PostgreSQL and SQLite (better-sqlite3) disagree:
 * - a timestamp is a Date on PostgreSQL; SQLite returns what was stored, a number of
 *   milliseconds for a Date binding (knex binds Dates as valueOf()) or a string for text;
 * - a bigint (bigIncrements, bigInteger) is a string on PostgreSQL (it may exceed 2^53);
 * - a boolean is 0 or 1 on SQLite;
 * - JSON lives in text columns and is parsed by the store that reads it.
 * Columns holding one of a few values carry the type of what the stores write; a row edited in
 * the database is found by the ledger reconciler, not by these types.
 */
export type Timestamp = Date | string | number;
export type BigIntColumn = number | string;
export type BooleanColumn = boolean | number;
/** JSON text: parse it (the column comment in the migration says what it holds). */
export type JsonText = string;

/** rco_runbook_versions: every distinct runbook document seen for an entity. */
export interface RunbookVersionRow {
  id: BigIntColumn;
  entity_ref: string;
  version: string;
  /** sha256 of the canonical document. */
  content_hash: string;
  title: string;
  status: string;
  document_date: string;
  /** The validated runbook. */
  document: JsonText;
  source: string;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
}

/** rco_runbook_state: refresh state of each governed entity. */
export interface RunbookStateRow {
  entity_ref: string;
  current_hash: string | null;
  current_source: string | null;
  refreshed_at: Timestamp;
  /** Source and problems of the newest failed read. */
  last_error: JsonText | null;
  last_error_at: Timestamp | null;
}

/** rco_evidence: uploaded or collected evidence documents, secrets masked. */
export interface EvidenceRow {
  id: string;
  entity_ref: string;
  kind: EvidenceKind;
  sha256: string;
  subject_version: string | null;
  subject_digest: string | null;
  subject_commit: string | null;
  environment: string | null;
  source: EvidenceSource;
  submitter: string;
  collected_at: Timestamp;
  /** The normalised summary (EvidenceSummary). */
  summary: JsonText;
  /** The document, secrets masked. */
  raw: string;
  raw_format: NewEvidence['rawFormat'];
  raw_size: number;
  dedupe_key: string;
  /** How bad the findings are, 0 clean (migration 20261129183000). */
  finding_rank: number;
  // Collected evidence (migration 20261130010000); null for uploads.
  collector: string | null;
  origin_cluster: string | null;
  origin_namespace: string | null;
  origin_kind: string | null;
  origin_api_version: string | null;
  origin_name: string | null;
  origin_uid: string | null;
  origin_resource_version: string | null;
  observed_at: Timestamp | null;
  gone_at: Timestamp | null;
}

/** rco_signoffs: sign-off decisions bound to one release; revocation is a new row. */
export interface SignoffRow {
  id: string;
  entity_ref: string;
  role: SignoffRecord['role'];
  decision: SignoffRecord['decision'];
  release_version: string;
  release_digest: string;
  signer: string;
  comment: string | null;
  revokes: string | null;
  created_at: Timestamp;
}

/** rco_release_requests: who asked for a release (the four-eyes rule). */
export interface ReleaseRequestRow {
  id: string;
  entity_ref: string;
  release_version: string;
  release_digest: string;
  requester: string;
  created_at: Timestamp;
}

/** rco_waivers: gate waivers with justification and expiry. */
export interface WaiverRow {
  id: string;
  entity_ref: string;
  gate: GateId;
  environment: string | null;
  release_version: string | null;
  justification: string;
  granted_by: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

/** rco_ledger: the append-only, hash-chained record of every decision. */
export interface LedgerRow {
  seq: BigIntColumn;
  entry_type: string;
  entity_ref: string | null;
  actor: string;
  /** Canonical JSON. */
  payload: JsonText;
  prev_hash: string;
  hash: string;
  created_at: Timestamp;
  /** HMAC-SHA256 of the hash under the ledger key (migration 20261129180000). */
  mac: string | null;
}

/** rco_operations: deploys, rollbacks and rollback dry-runs with their state. */
export interface OperationRow {
  id: string;
  entity_ref: string;
  environment: string;
  type: OperationType;
  driver: string;
  release_version: string | null;
  release_digest: string | null;
  target_revision: string | null;
  state: OperationState;
  /** OperationStep[]. */
  steps: JsonText;
  /** The driver's report (OperationProgress). */
  progress: JsonText | null;
  /** string[]. */
  reasons: JsonText;
  requested_by: string;
  confirmed_by: string | null;
  awaiting: string | null;
  /** GateSnapshot. */
  gate_snapshot: JsonText | null;
  override_id: string | null;
  baseline_revision: string | null;
  result_revision: string | null;
  /** The lock key while the operation is not finished, else null (one active per key). */
  active_key: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  lease_owner: string | null;
  lease_expires_at: Timestamp | null;
  /** Control-plane and driver ms. */
  timings: JsonText | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
}

/** rco_overrides: break-glass overrides. */
export interface OverrideRow {
  id: string;
  entity_ref: string;
  environment: string;
  release_version: string | null;
  release_digest: string | null;
  justification: string;
  created_by: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
}

/** rco_target_claims: deploy targets and the one entity holding each (ADR 0007). */
export interface TargetClaimTableRow {
  /** environment|cluster|namespace|driver|name, lowercase. */
  target_key: string;
  entity_ref: string;
  environment: string;
  cluster: string | null;
  namespace: string;
  driver: string;
  name: string;
  claimed_by: string;
  claimed_at: Timestamp;
}

/** rco_target_claim_backfill: claims of operations from before claims existed, still to record. */
export interface TargetClaimBackfillRow {
  entity_ref: string;
  environment: string;
  operation_id: string;
  requested_by: string;
  operated_at: Timestamp;
}

/** rco_ledger_checkpoints: the newest verified head of each ledger chain, signed. */
export interface LedgerCheckpointRow {
  /** The chain's entity_ref, '' for entries without an entity. */
  chain: string;
  seq: BigIntColumn;
  hash: string;
  /** HMAC-SHA256 of chain, seq, hash and created_at; null without a key. */
  signature: string | null;
  created_at: Timestamp;
}

/** rco_ledger_verifications: the outcome of each ledger verification run. */
export interface LedgerVerificationRow {
  id: BigIntColumn;
  started_at: Timestamp;
  finished_at: Timestamp;
  ok: BooleanColumn;
  /** What was checked and found. */
  result: JsonText;
  /** HMAC-SHA256 of id and outcome under the ledger key (migration 20261129180000). */
  signature: string | null;
}

/** rco_ledger_heads: one signed record of every chain checkpoint (ADR 0004). */
export interface LedgerHeadsRow {
  /** Always 'heads'. */
  id: string;
  counter: BigIntColumn;
  mac_since: BigIntColumn;
  /** chain -> { seq, hash } of its checkpoint. */
  heads: JsonText;
  created_at: Timestamp;
  signature: string;
}

/** rco_keys: keys generated by the plugin, shared by all replicas. */
export interface KeyRow {
  name: string;
  /** base64. */
  value: string;
  created_at: Timestamp;
}

/** rco_collection_health: what each collector last found per place (issue 13). */
export interface CollectionHealthTableRow {
  collector: string;
  cluster: string;
  kind: string;
  environment: string;
  /** '' when the collector named none. */
  namespace: string;
  /** The lowercase entity ref the outcome is about only; '' for every entity. */
  about_entity: string;
  last_attempt_at: Timestamp;
  last_success_at: Timestamp | null;
  last_error: string | null;
  /** 'full' or the entity ref of an owner's refresh. */
  error_scope: string | null;
  note: string | null;
  objects: number | null;
}

/** rco_collection_counts: one entity's objects per collection health row. */
export interface CollectionCountRow {
  collector: string;
  cluster: string;
  kind: string;
  environment: string;
  namespace: string;
  about_entity: string;
  /** Lowercase. */
  entity_ref: string;
  objects: number;
}

/** rco_verdicts: stored verdicts (migration 20261201000000). */
export interface VerdictRow {
  entity_ref: string;
  /** '' for the release judged without an environment. */
  environment: string;
  release_version: string | null;
  release_digest: string | null;
  runbook_version: string | null;
  ready: BooleanColumn;
  /** [{id, status, expiresAt}]. */
  gates: JsonText;
  /** The status summary. */
  summary: JsonText;
  /** What the status route serves from. */
  judged: JsonText;
  valid_until: Timestamp | null;
  judged_at: Timestamp;
  read_at: Timestamp;
  basis_seq: BigIntColumn;
  read_seq: BigIntColumn;
  changes: BigIntColumn;
  judged_changes: BigIntColumn;
  config_digest: string;
  generation: BigIntColumn;
}

/** rco_deploy_windows: deployment windows (migration 20261210000000); state is derived. */
export interface DeployWindowRow {
  id: string;
  entity_ref: string;
  environment: string;
  release_version: string | null;
  release_digest: string | null;
  start_at: Timestamp;
  /** Exclusive. */
  end_at: Timestamp;
  time_zone: string;
  /** ('po' | 'dpo' | 'security')[], fixed at proposal. */
  required_roles: JsonText;
  proposed_by: string;
  proposed_at: Timestamp;
  cancelled_at: Timestamp | null;
  cancelled_by: string | null;
}

/** rco_deploy_window_acceptances: one per window and role (migration 20261210000000). */
export interface DeployWindowAcceptanceRow {
  id: string;
  window_id: string;
  entity_ref: string;
  role: 'po' | 'dpo' | 'security';
  accepted_by: string;
  accepted_at: Timestamp;
}

/** rco_release_reviews: reviews after production deploys and rollbacks (migration 20261211000000). */
export interface ReleaseReviewRow {
  id: string;
  entity_ref: string;
  operation_id: string;
  operation_type: 'deploy' | 'rollback';
  environment: string;
  release_version: string | null;
  release_digest: string | null;
  result: 'as-planned' | 'with-deviations' | 'failed';
  /** Markdown, secrets masked. */
  summary: string;
  deviations: string;
  lessons: string;
  author: string;
  created_at: Timestamp;
  ledger_seq: BigIntColumn;
}

// Knex's documented table typing: `db('rco_evidence')` is a query of EvidenceRow everywhere.
declare module 'knex/types/tables' {
  interface Tables {
    rco_runbook_versions: RunbookVersionRow;
    rco_runbook_state: RunbookStateRow;
    rco_evidence: EvidenceRow;
    rco_signoffs: SignoffRow;
    rco_release_requests: ReleaseRequestRow;
    rco_waivers: WaiverRow;
    rco_ledger: LedgerRow;
    rco_operations: OperationRow;
    rco_overrides: OverrideRow;
    rco_target_claims: TargetClaimTableRow;
    rco_target_claim_backfill: TargetClaimBackfillRow;
    rco_ledger_checkpoints: LedgerCheckpointRow;
    rco_ledger_verifications: LedgerVerificationRow;
    rco_ledger_heads: LedgerHeadsRow;
    rco_keys: KeyRow;
    rco_collection_health: CollectionHealthTableRow;
    rco_collection_counts: CollectionCountRow;
    rco_verdicts: VerdictRow;
    rco_release_reviews: ReleaseReviewRow;
    rco_deploy_windows: DeployWindowRow;
    rco_deploy_window_acceptances: DeployWindowAcceptanceRow;
  }
}
