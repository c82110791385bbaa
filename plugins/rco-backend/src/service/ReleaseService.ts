import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ReleaseStatusResponse } from '@helix-portal/plugin-rco-common';
import { DecisionStore } from '../database/DecisionStore';
import { EvidenceStore } from '../database/EvidenceStore';
import { Ledger } from '../database/Ledger';
import { environmentVerdict, evaluateRelease } from '../gates/evaluate';
import { ReleaseRef } from '../gates/types';
import { RcoConfig } from '../config';
import { RunbookService } from './RunbookService';
import { groupFacts } from '../setupSummary';
import { Clock, systemClock } from '../lib/clock';
import { signingPolicyDigest, underSigningPolicy } from '../evidence/sigstore';

/** What changed about an entity's release: the nudge the release channel carries. */
export type ReleaseChange =
  | 'evidence'
  | 'signoff'
  | 'waiver'
  | 'override'
  | 'request'
  | 'runbook'
  | 'operation'
  | 'window';

const LEDGER_CHECK_TTL_MS = 60_000;
/** The gates read the newest few documents of each kind; older ones cannot change a verdict. */
const EVIDENCE_PER_KIND = 25;

/** Judges releases from the stored evidence, sign-offs, waivers and the current runbook. */
export class ReleaseService {
  private ledgerCheck?: { at: number; ok?: boolean };

  constructor(
    private readonly evidence: EvidenceStore,
    private readonly decisions: DecisionStore,
    private readonly ledger: Ledger,
    private readonly runbooks: RunbookService,
    private readonly config: RcoConfig,
    /** How many environments deploy through the console (for the human-first pillar). */
    private readonly deployEnvironments = 0,
    /** The time gates are judged at (the demo clock in the local portal). */
    readonly clock: Clock = systemClock,
  ) {
    this.groups = groupFacts(config);
  }

  /** Which groups the configuration names; read once, as the configuration is. */
  readonly groups: ReturnType<typeof groupFacts>;

  /** The entity's current runbook (the status route explains stored verdicts with it). */
  runbookOf(entity: Entity) {
    return this.runbooks
      .getCurrent(entity)
      .then(r => r.runbook)
      .catch(() => undefined);
  }

  async status(
    entity: Entity,
    release: ReleaseRef,
    now = this.clock.now(),
  ): Promise<ReleaseStatusResponse> {
    return (await this.judge(entity, release, now)).status;
  }

  /**
   * The release's status with the sign-offs, requester and configured groups it was judged on
   * (preflight and the page judge four eyes and overrides with the same groups). This is where
   * decisions enter evaluation: waivers, sign-offs and (through preflight) overrides made under a
   * group the configuration no longer names do not count.
   */
  async judge(
    entity: Entity,
    release: ReleaseRef,
    now = this.clock.now(),
    /**
     * Also judge the release in each of these environments (summaries only, for the status
     * route): the evidence is then read once for every environment and filtered in memory.
     */
    options: { environments?: string[] } = {},
  ) {
    const inputs = await this.readInputs(
      entity,
      release,
      !!options.environments?.length,
    );
    return this.evaluate(entity, inputs, release, now, options.environments);
  }

  /**
   * The release judged without an environment and in each of `environments`, every one in
   * full, from one read of its inputs: what a stored verdict keeps (VerdictService).
   */
  async judgeEverywhere(
    entity: Entity,
    release: ReleaseRef,
    environments: string[],
    now = this.clock.now(),
  ) {
    const base = { ...release, environment: undefined };
    const inputs = await this.readInputs(entity, base, true);
    return {
      base: this.evaluate(entity, inputs, base, now, environments),
      perEnvironment: environments.map(environment =>
        this.evaluate(entity, inputs, { ...release, environment }, now),
      ),
    };
  }

  /** Everything a verdict reads: the runbook, evidence, decisions and the ledger's state. */
  private async readInputs(
    entity: Entity,
    release: ReleaseRef,
    everywhere: boolean,
  ) {
    const entityRef = stringifyEntityRef(entity);
    const [current, evidence, signoffs, waivers, ledgerVerified, requester] =
      await Promise.all([
        this.runbooks.getCurrent(entity).catch(() => undefined),
        this.evidence.listForRelease(
          entityRef,
          everywhere ? { ...release, environment: undefined } : release,
          EVIDENCE_PER_KIND,
        ),
        this.decisions.listSignoffs(
          entityRef,
          // Every decision about the image: a rejection holds under any version label of it.
          release.version && release.digest
            ? { digest: release.digest }
            : undefined,
        ),
        this.decisions.listWaivers(entityRef),
        this.ledgerVerified(),
        this.decisions.getRequester(entityRef, release),
      ]);
    return {
      entityRef,
      runbook: current?.runbook,
      // Which version it was, so a judgement can be replayed with it (issue 17).
      runbookHash: current?.runbook ? current.hash : undefined,
      // A Sigstore bundle verified under an earlier signing policy no longer counts (R2 M1).
      evidence: underSigningPolicy(
        evidence,
        this.config.sigstore &&
          signingPolicyDigest(this.config.sigstore, entityRef),
      ),
      signoffs,
      waivers,
      requester,
      ledgerVerified,
    };
  }

  private evaluate(
    entity: Entity,
    inputs: Awaited<ReturnType<ReleaseService['readInputs']>>,
    release: ReleaseRef,
    now: Date,
    environments?: string[],
  ) {
    const groups = this.groups;
    const { ledgerVerified, runbookHash, ...read } = inputs;
    const context = {
      ...read,
      release,
      groups,
      now,
      config: this.config.gates,
    };
    const extras = {
      ledgerVerified,
      deployEnvironments: this.deployEnvironments,
      hasApiDefinition:
        (entity.relations ?? []).some(r => r.type === 'providesApi') ||
        ((entity.spec?.providesApis as string[] | undefined)?.length ?? 0) > 0,
    };
    // The rules filter by environment themselves (matchesRelease), so one read serves all.
    const status = evaluateRelease(context, extras);
    return {
      status,
      signoffs: inputs.signoffs,
      requester: inputs.requester,
      groups,
      runbook: inputs.runbook,
      runbookHash,
      evidence: inputs.evidence,
      waivers: inputs.waivers,
      environments: environments?.map(environment =>
        environmentVerdict(
          environment,
          evaluateRelease(
            { ...context, release: { ...release, environment } },
            extras,
          ),
        ),
      ),
    };
  }

  /** The newest release the entity has evidence for, when the caller names none. */
  async latestRelease(entity: Entity): Promise<ReleaseRef> {
    const recent = await this.evidence.list(stringifyEntityRef(entity), {
      limit: 200,
    });
    // The image digest names a release best; its version comes from evidence about that image.
    const digest = recent.find(r => r.subject.digest)?.subject.digest;
    const version =
      recent.find(r => r.subject.digest === digest && r.subject.version)
        ?.subject.version ??
      recent.find(r => r.subject.version)?.subject.version;
    return { version, digest };
  }

  /** Keeps the stored verdicts (set once at start; see VerdictService). */
  verdicts?: {
    recompute(entityRef: string): Promise<void>;
    recomputeAll(): Promise<void>;
  };

  /** Everything may have changed (the demo clock moved): every stored verdict is judged again. */
  invalidateAll() {
    this.verdicts?.recomputeAll();
  }

  /**
   * A verification run's outcome: when it differs from what the verdicts were judged with, the
   * pillars change, so every stored verdict is judged again with it.
   */
  ledgerOutcome(ok: boolean) {
    const before = this.ledgerCheck?.ok;
    this.ledgerCheck = { at: Date.now(), ok };
    if (before !== ok) this.invalidateAll();
  }

  /**
   * Judges an entity's stored verdict again after a write, and tells the listener (the release
   * signals channel: open pages re-read). Every write path calls this, so it is the one hook.
   */
  invalidate(entityRef: string, what?: ReleaseChange) {
    this.verdicts?.recompute(entityRef);
    if (what) this.onChange?.(entityRef, what);
  }

  /** Told of every change `invalidate` hears of (set once at start; see releaseSignals). */
  onChange?: (entityRef: string, what: ReleaseChange) => void;

  /**
   * The outcome of the last scheduled verification (LedgerVerifier), read at most once a minute;
   * undefined before the first run. Status calls never verify themselves.
   */
  private async ledgerVerified(): Promise<boolean | undefined> {
    const now = Date.now();
    if (!this.ledgerCheck || now - this.ledgerCheck.at > LEDGER_CHECK_TTL_MS) {
      const stored = await this.ledger.latestVerification();
      const before = this.ledgerCheck;
      this.ledgerCheck = { at: now, ok: stored?.ok };
      // Another instance's run changed the outcome: this instance's verdicts may have been
      // judged with the old one meanwhile, so every verdict is judged again (within a minute).
      if (before && before.ok !== stored?.ok) this.invalidateAll();
    }
    return this.ledgerCheck.ok;
  }
}
