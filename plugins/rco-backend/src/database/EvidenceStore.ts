import { EvidenceKind, EvidenceSummary } from '@helix-portal/plugin-rco-common';
import { EvidenceProvenance } from '@helix-portal/plugin-rco-node';

/** Where evidence came from. */
export type EvidenceSource =
  | 'ci'
  | 'human'
  | 'cluster'
  | 'monitoring'
  | 'system';

/** A stored evidence record without its raw document. */
export interface EvidenceRecord {
  id: string;
  entityRef: string;
  kind: EvidenceKind;
  sha256: string;
  subject: {
    version?: string;
    digest?: string;
    commit?: string;
    environment?: string;
  };
  source: EvidenceSource;
  submitter: string;
  collectedAt: Date;
  summary: EvidenceSummary;
  rawSize: number;
  /**
   * Collected evidence only (issue 13): where the console read it, when it first saw this
   * version (= collectedAt) and when it last saw it unchanged. Staleness counts from observedAt.
   */
  provenance?: CollectedProvenance;
}

/** A collected object's provenance with its observation times. */
export interface CollectedProvenance extends EvidenceProvenance {
  firstObservedAt: Date;
  observedAt: Date;
}

/** A new record to store, with its masked raw document. */
export interface NewEvidence
  extends Omit<EvidenceRecord, 'id' | 'rawSize' | 'provenance'> {
  raw: string;
  rawFormat: 'json' | 'ndjson' | 'yaml';
  /** Collected evidence: where it was read (first and last observed at collectedAt). */
  provenance?: EvidenceProvenance;
}

/** Persistence of evidence. Every write appends to the ledger in the same transaction. */
export interface EvidenceStore {
  /**
   * Stores the records of one upload, all or nothing. A record identical to one already kept
   * (same entity, kind, document and subject) is not stored again: the existing one is returned.
   */
  add(
    records: NewEvidence[],
  ): Promise<Array<{ record: EvidenceRecord; created: boolean }>>;
  /** Evidence of an entity, newest first. */
  list(
    entityRef: string,
    options?: { kinds?: EvidenceKind[]; limit?: number },
  ): Promise<EvidenceRecord[]>;
  /**
   * The evidence that can count for one release: records whose subject does not contradict it
   * (same digest, version, commit, environment, or none given; a record naming the release's
   * digest counts whatever version or commit label it carries), newest first, at most `perKind`
   * of each kind from each source with each finding rank (so a flood of uploads from one source,
   * a person say, never pushes another source's result out of what the gates read, and a flood
   * of clean reports, even CI's own, never pushes out a failing one: see findingRank). This is what the gates read,
   * without loading an entity's whole history.
   */
  listForRelease(
    entityRef: string,
    release: {
      version?: string;
      digest?: string;
      commit?: string;
      environment?: string;
    },
    perKind: number,
  ): Promise<EvidenceRecord[]>;
  /** The releases (one per image digest, with its version label) and environments the entity has evidence for, newest first. */
  releases(entityRef: string): Promise<{
    items: Array<{ version?: string; digest?: string; lastEvidenceAt: Date }>;
    environments: string[];
  }>;
  /** The environments the entity's evidence names, newest evidence first. */
  environments(entityRef: string): Promise<string[]>;
  get(
    id: string,
  ): Promise<(EvidenceRecord & { raw: string; rawFormat: string }) | undefined>;
}
