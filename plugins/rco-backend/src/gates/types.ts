import { GateId, GateStatus, Runbook } from '@helix-portal/plugin-rco-common';
import { EvidenceRecord, EvidenceSource } from '../database/EvidenceStore';
import type { DecisionGroups } from './fourEyes';

/** A sign-off decision as the gates read it. */
export interface SignoffRecord {
  id: string;
  role: 'po' | 'dpo' | 'security';
  decision: 'approved' | 'rejected' | 'revoked';
  release: { version: string; digest: string };
  signer: string;
  comment?: string;
  revokes?: string;
  createdAt: Date;
}

/** An active or past waiver of one gate. */
export interface WaiverRecord {
  id: string;
  gate: GateId;
  environment?: string;
  releaseVersion?: string;
  justification: string;
  grantedBy: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt?: Date;
}

/** The release being judged. */
export interface ReleaseRef {
  version?: string;
  digest?: string;
  commit?: string;
  environment?: string;
}

/** Thresholds from app-config; a runbook may only tighten them. */
export interface GateConfig {
  /** ISO 8601 durations by gate. */
  maxAge: Partial<Record<GateId, string>>;
  /** Severities that fail image-scanning. */
  blockingSeverities: string[];
  /** Artefact links must point into this repository (prefix or substring). */
  helixCoreRepository: string;
  /** Evidence sources each gate accepts (rco.gates.<gate>.sources); unset: sourcePolicy.ts's defaults. */
  sources?: Partial<Record<GateId, EvidenceSource[]>>;
  /**
   * Environments whose monitoring stack the console reads (rco.collectors.prometheus), with the
   * stack's name: there monitoring-alerting checks what Prometheus and Alertmanager run.
   */
  monitoredEnvironments?: Record<string, string>;
  /**
   * rco.collection.observationGranularity (ISO 8601): how far a still-listed collected object's
   * true last observation may lag the observedAt stored for it (helpers.ts observationSlack).
   */
  observationGranularity?: string;
  /** rco.runbookReview.enforce: an overdue runbook review fails documentation-completeness. */
  runbookReviewEnforce?: boolean;
}

/** Everything a gate evaluation reads. */
export interface GateContext {
  entityRef: string;
  runbook?: Runbook;
  release: ReleaseRef;
  /** All evidence of the entity, newest first. */
  evidence: EvidenceRecord[];
  signoffs: SignoffRecord[];
  waivers: WaiverRecord[];
  /** Who asked for the release, for the four-eyes rule. */
  requester?: string;
  /** The configured groups: waivers and sign-offs of an unset one do not count. */
  groups?: DecisionGroups;
  now: Date;
  /** The maximum evidence age in force for the gate being judged (set by evaluate). */
  maxAge?: string;
  config: GateConfig;
}

/** What one gate rule concludes before waivers and ageing are applied. */
export interface RuleOutcome {
  status: Exclude<GateStatus, 'waived' | 'stale'>;
  reasons: string[];
  used: EvidenceRecord[];
  /** When the conclusion stops holding (the oldest evidence used ages out). */
  freshness?: Array<{ what: string; at: Date; collected?: boolean }>;
  /**
   * When time alone changes the conclusion by a deadline of the rule's own (the RPO after the
   * newest backup), besides its evidence ageing out: stored verdicts are judged again then.
   */
  changesAt?: Date;
}
