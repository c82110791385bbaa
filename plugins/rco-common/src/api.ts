import type { PortfolioTotals } from './portfolioOrder';
import { Runbook } from './runbook/schema';
import { RunbookProblem } from './runbook/parse';

/**
 * The types of the rco backend's HTTP API responses (see the backend's
 * `src/schema/openapi.yaml`), shared with the frontend client.
 */

/** @public */
export interface RunbookErrorView {
  at: string;
  source: string;
  problems: RunbookProblem[];
}

/** @public */
export interface RunbookVersionSummary {
  entityRef: string;
  version: string;
  hash: string;
  date: string;
  status: string;
  title: string;
  source: string;
  firstSeenAt: string;
  lastSeenAt: string;
  current: boolean;
}

/** @public */
export interface RunbookVersionResponse extends RunbookVersionSummary {
  runbook: Runbook;
  /** The newest failed read, shown beside the last good version. */
  lastError?: RunbookErrorView;
}

/** @public */
export interface RunbookSectionRef {
  id: string;
  number: number;
  title: string;
}

/** @public */
export interface RunbookDiffLine {
  type: 'added' | 'removed' | 'unchanged';
  text: string;
}

/** @public */
export interface RunbookDiffResponse {
  entityRef: string;
  from: string;
  to: string;
  added: RunbookSectionRef[];
  removed: RunbookSectionRef[];
  changed: Array<
    RunbookSectionRef & { previousTitle?: string; lines: RunbookDiffLine[] }
  >;
  unchanged: number;
  fields: Array<{ field: string; from: string; to: string }>;
}

/** @public */
export interface RunbookRefreshResponse {
  entityRef: string;
  status: 'ok' | 'invalid';
  versions: number;
  current?: string;
  lastError?: RunbookErrorView;
}

/** @public */
export type GateStatus = 'pass' | 'fail' | 'missing' | 'stale' | 'waived';

/** Evidence a gate result rests on. @public */
export interface GateEvidenceRef {
  id: string;
  kind: string;
  sha256: string;
  collectedAt: string;
  subject: {
    version?: string;
    digest?: string;
    commit?: string;
    environment?: string;
  };
  /**
   * Who attested it: CI, the cluster or the monitoring stack (collected by the console itself),
   * the console (system) or a person (human).
   */
  source?: 'ci' | 'cluster' | 'monitoring' | 'system' | 'human';
  /** Where the console collected it (source cluster or monitoring): issue 13. */
  provenance?: EvidenceProvenanceView;
  /**
   * Signatures only: whether the console verified it itself (Sigstore, offline, against the
   * configured trusted root and identity policy) or only holds a tool's report of it (CI's claim).
   */
  signature?: SignatureVerificationView;
  /** The principal that uploaded it (user or service). */
  submitter?: string;
  /** Set when the document names no image: only its uploader says which image it is about. */
  imageAssertedBy?: string;
  /** What the evidence is about: image evidence counts in every environment, cluster state in one. */
  scope?: EvidenceScope;
}

/** Where a collected object came from, and when it was last seen unchanged. @public */
export interface EvidenceProvenanceView {
  collector: string;
  cluster: string;
  namespace?: string;
  kind: string;
  apiVersion?: string;
  name: string;
  uid: string;
  resourceVersion: string;
  /** First seen in this version (the evidence's collectedAt is the same time). */
  firstObservedAt: string;
  /** Last seen unchanged: staleness counts from here. */
  observedAt: string;
}

/** A signature as the console judged it. @public */
export interface SignatureVerificationView {
  /** console: verified here; claim: a tool's report (cosign CLI output) that nobody here checked. */
  verifiedBy: 'console' | 'claim';
  ok: boolean;
  /** Why it failed (another digest, an identity the policy does not allow, a bad signature …). */
  reason?: string;
  /** The signer's identity as verified (keyless) or the key's hint. */
  identity?: { issuer?: string; subject?: string; keyId?: string };
}

/**
 * How one collector fares with one cluster (or monitoring endpoint) and one kind, for one
 * entity's places: shown on the Release tab as collection health. @public
 */
export interface CollectionHealthView {
  collector: string;
  cluster: string;
  kind: string;
  environments: string[];
  state: 'ok' | 'failing' | 'never';
  /** Last run that reached it, whatever its outcome. */
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  /** The last failure in words (never a secret). */
  error?: string;
  /** Objects of this entity seen in the last successful run. */
  objects?: number;
  /**
   * Worth knowing although ok, in words: a kind this cluster does not serve, or objects that more
   * than one entity's selector matched and so went to none (this entity's may be among them).
   */
  note?: string;
  /**
   * The local portal's simulated cluster (examples/cluster), not a real one: the page labels it
   * "Simulated cluster". Never set for a configured production cluster.
   */
  simulated?: boolean;
}

/** `GET /entities/:kind/:namespace/:name/collection`. @public */
export interface CollectionStatusResponse {
  /** Whether any collector is configured at all. */
  configured: boolean;
  health: CollectionHealthView[];
  /** Whether the caller may ask for a collection now (`POST …/collection/refresh`). */
  canRefresh: boolean;
}

/** A person the page can name: their catalog ref and display name. @public */
export interface PersonView {
  ref: string;
  /** The catalog's display name (spec.profile.displayName, title or name). */
  name: string;
}

/**
 * One thing that would move a gate towards passing, as an action a person (or a pipeline) can
 * take. The status API serves them so the page, the CLI and assistants say the same thing.
 *
 * @public
 */
export interface GateNextStep {
  /**
   * upload: CI uploads a document (command filled in); rollback-dry-run and request-release: the
   * page can do it with a button; signoff and waive: named people decide; configure: the
   * portal's operators must set something first; fix: change the service, then upload again.
   */
  action:
    | 'upload'
    | 'rollback-dry-run'
    | 'request-release'
    | 'signoff'
    | 'waive'
    | 'configure'
    | 'fix';
  /** The step in words a person can act on. */
  text: string;
  /** upload/fix: the evidence kind wanted. */
  kind?: string;
  /** Whether the evidence is per environment (cluster state) or about the image/commit/service. */
  scope?: EvidenceScope;
  /** The environment the step is for (per-environment evidence, dry-runs). */
  environment?: string;
  /** upload: the exact command CI runs, entity, version, digest and environment filled in. */
  command?: string;
  /** upload: the same upload with the `rco` CLI (`rco evidence push`; RCO_URL and RCO_TOKEN set). */
  cliCommand?: string;
  /** signoff: the role to sign. */
  role?: 'po' | 'dpo' | 'security';
  /** signoff/waive: who may decide, by name, from the configured catalog group. */
  people?: PersonView[];
  /** signoff/waive: the catalog group they come from. */
  group?: string;
  /** configure: the app-config key to set. */
  setting?: string;
}

/**
 * What a piece of evidence is about: the image (counts in every environment), the commit, the
 * service as a whole, or one environment's cluster state.
 *
 * @public
 */
export type EvidenceScope = 'image' | 'commit' | 'service' | 'environment';

/** One environment's verdict for the same release. @public */
export interface EnvironmentVerdict {
  environment: string;
  ready: boolean;
  passing: number;
  total: number;
  blockedBy: string[];
  waived: string[];
  text: string;
}

/** @public */
export interface GateResult {
  id: string;
  title: string;
  verification: string;
  /** Runbook section that describes the verification. */
  section?: string;
  status: GateStatus;
  /** What a person can act on. */
  reasons: string[];
  evidence: GateEvidenceRef[];
  evaluatedAt: string;
  /** When the newest evidence ages out (absent when it never does). */
  expiresAt?: string;
  /** When time alone changes the verdict by a deadline of the rule's own (the RPO), ISO 8601. */
  changesAt?: string;
  /** The maximum evidence age in force (ISO 8601). */
  maxAge?: string;
  waiver?: {
    id: string;
    justification: string;
    grantedBy: string;
    expiresAt: string;
  };
  /** The rule's condition in words (for example how far apart backups may be). */
  condition?: string;
  /** What would make the gate pass, as actions; empty or absent when it passes. */
  next?: GateNextStep[];
}

/** @public */
export interface PillarRequirementResult {
  requirement: string;
  met: boolean;
  /** Gates the requirement rests on, and what else it was checked against. */
  gates: string[];
  basis: string;
}

/** @public */
export interface PillarResult {
  id: string;
  title: string;
  met: boolean;
  requirements: PillarRequirementResult[];
}

/** @public */
export interface ReleaseStatusResponse {
  entityRef: string;
  release: {
    version?: string;
    digest?: string;
    environment?: string;
    /** Who asked for the release; they cannot sign it off. */
    requestedBy?: string;
  };
  runbookVersion?: string;
  gates: GateResult[];
  pillars: PillarResult[];
  /**
   * The backend's four-eyes verdict on the release's sign-offs, judged for the caller as the
   * one who would confirm a deploy: the page shows this instead of judging sign-offs itself.
   */
  fourEyes?: FourEyesView;
  /** The same release judged in every environment the portal knows (configured or evidenced). */
  environments?: EnvironmentVerdict[];
  summary: {
    passing: number;
    total: number;
    blockedBy: string[];
    waived: string[];
    ready: boolean;
    text: string;
  };
  evaluatedAt: string;
}

/** A stored evidence record as the API lists it. @public */
export interface EvidenceRecordView {
  id: string;
  entityRef: string;
  kind: string;
  sha256: string;
  subject: {
    version?: string;
    digest?: string;
    commit?: string;
    environment?: string;
  };
  source: string;
  submitter: string;
  collectedAt: string;
  summary: Record<string, unknown> & { type: string };
  rawSize: number;
}

/** @public */
export interface SignoffView {
  id: string;
  role: 'po' | 'dpo' | 'security';
  decision: 'approved' | 'rejected' | 'revoked';
  release: { version: string; digest: string };
  signer: string;
  comment?: string;
  revokes?: string;
  createdAt: string;
}

/** A signer's standing decision in one role, as the four-eyes rule judged it. @public */
export interface FourEyesDecision {
  id: string;
  signer: string;
  decision: 'approved' | 'rejected';
  createdAt: string;
  comment?: string;
  /** Why an approval does not count (it was given by the requester or the deployer, say). */
  notCounted?: string;
}

/** One role's sign-off as the four-eyes rule judged it. @public */
export interface FourEyesRoleView {
  /** approved: a counting approval and no standing rejection. */
  status: 'approved' | 'rejected' | 'missing';
  /** Why the role is not approved, in words the page can show. */
  reason?: string;
  /** Each signer's newest standing decision (a revoked one is not listed). */
  decisions: FourEyesDecision[];
  /**
   * When not approved: what would approve it (request the release, who may sign by name, or the
   * group to configure). Served by the status route only.
   */
  next?: GateNextStep[];
}

/** The four-eyes verdict of a release: requester, deployer and each role. @public */
export interface FourEyesView {
  requester?: string;
  /** Whose approvals were judged as the deployer's (the caller, for the status route). */
  confirmer?: string;
  roles: Record<'po' | 'dpo' | 'security', FourEyesRoleView>;
}

/** @public */
export interface WaiverView {
  id: string;
  gate: string;
  environment?: string;
  releaseVersion?: string;
  justification: string;
  grantedBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt?: string;
}

/**
 * A waiver someone proposed (issue 16: people who may request a release, or their assistant
 * through MCP), and what became of it: `open` until a member of the waiver group grants a waiver
 * of the same gate and environment after it (`granted`), or the expiry it asked for passes.
 *
 * @public
 */
export interface WaiverProposalView {
  id: string;
  ledgerSeq: number;
  gate: string;
  environment?: string;
  releaseVersion?: string;
  justification: string;
  expiresAt: string;
  proposedBy: string;
  proposedAt: string;
  state: 'open' | 'granted' | 'expired';
  /** granted: the waiver that answered it. */
  waiverId?: string;
}

/** @public */
export interface CapabilitiesResponse {
  actor: string;
  uploadEvidence: boolean;
  requestRelease: boolean;
  signoff: { po: boolean; dpo: boolean; security: boolean };
  /** May revoke other people's sign-offs (rco.signoff.revoke); everyone may revoke their own. */
  revokeSignoffs?: boolean;
  waive: boolean;
  /**
   * Whether some rco.ci.subjects entry may upload this entity's evidence. False: no pipeline can
   * yet, and the page says what the portal's operators configure.
   */
  ciUpload?: boolean;
  /**
   * The Backstage signals channel of this entity's release (evidence, sign-offs, waivers,
   * overrides, requests, runbook refreshes): a nudge to re-read. Keyed like the operations channel.
   */
  releaseChannel?: string;
  /**
   * Set in the local portal only (rco.demoEvidence): the data is demo data, seeded and kept
   * current on a schedule, and the portal's clock can be moved forward to show it.
   */
  demo?: {
    /** How far the portal's clock runs ahead of real time, in milliseconds. */
    clockOffsetMs: number;
    /** Whether the caller may move the demo clock. */
    canAdvanceClock: boolean;
  };
  /** Deploy side: deploy, rollback (and dry-run), confirm/promote/abort, break-glass. */
  operations?: {
    deploy: boolean;
    rollback: boolean;
    control: boolean;
    breakGlass: boolean;
    /**
     * False when the entity's kind operates through no route (rco.operations.entityKinds): the
     * page then shows no deploy side. Absent when it may operate.
     */
    kindAllowed?: boolean;
    /**
     * False when the portal configures no rco.environments: deploys, rollbacks, dry-runs and
     * break-glass are off (the backend answers them 409) until its operators add one.
     */
    environmentsConfigured?: boolean;
    /** The longest break-glass override the portal grants (ISO 8601, rco.breakGlass.maxDuration). */
    breakGlassMaxDuration?: string;
    /**
     * The Backstage signals channel of this entity's operations. It is keyed, not derived from
     * the entity ref, so only callers who can see the entity learn it (issue 10, point 8).
     */
    channel?: string;
  };
}

/** @public */
export interface ReleasesResponse {
  items: Array<{ version?: string; digest?: string; lastEvidenceAt: string }>;
  environments: string[];
}

/** @public */
export interface PortfolioItem {
  entityRef: string;
  title: string;
  owners: string[];
  release: { version?: string; digest?: string };
  runbookVersion?: string;
  summary: ReleaseStatusResponse['summary'];
  gates: Array<{
    id: string;
    status: GateStatus;
    /** When the gate's evidence ages out (ISO 8601); a passing gate turns stale then. */
    validUntil?: string;
  }>;
  /** Passing gates whose evidence ages out within the portfolio's horizon. */
  expiresSoon?: string[];
  /** The earliest moment time alone changes this verdict (ISO 8601). */
  validUntil?: string;
  /** When the stored verdict was computed (ISO 8601). */
  judgedAt?: string;
  /** Finished production deploys and rollbacks without their review (issue 15). */
  openReviews?: number;
}

/** A gate column of the portfolio: its title and how many services have each status. @public */
export interface PortfolioColumn {
  id: string;
  title: string;
  counts: Record<GateStatus, number>;
}

/** GET /portfolio. @public */
export interface PortfolioResponse {
  totalItems: number;
  items: PortfolioItem[];
  totals: PortfolioTotals;
  /** One per gate, in gate order; counts over every service the filters let through. */
  columns: PortfolioColumn[];
  /** What "expires soon" means (ISO 8601 duration, rco.portfolio.expiresSoonHorizon). */
  horizon: string;
  /** Governed services the caller can see that have no stored verdict yet (being judged). */
  pending: number;
}
