import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ReleaseStatusResponse } from '@helix-portal/plugin-rco-common';
import { ownersOf } from './access';
import { governedEntities } from '../lib/governedEntities';
import { normalizeEntityRef, sameEntityRef } from '../lib/entityRefs';
import { DecisionStore } from '../database/DecisionStore';
import { EvidenceStore } from '../database/EvidenceStore';
import { Ledger } from '../database/Ledger';
import { environmentVerdict, evaluateRelease } from '../gates/evaluate';
import { ReleaseRef } from '../gates/types';
import { RcoConfig } from '../config';
import { RunbookService } from './RunbookService';
import { groupFacts } from '../setupSummary';
import { Clock, systemClock } from '../lib/clock';
import { orderPortfolio, PortfolioSort } from './portfolioOrder';
import { signingPolicyDigest, underSigningPolicy } from '../evidence/sigstore';

/** What changed about an entity's release: the nudge the release channel carries. */
export type ReleaseChange =
  | 'evidence'
  | 'signoff'
  | 'waiver'
  | 'override'
  | 'request'
  | 'runbook'
  | 'operation';

const LEDGER_CHECK_TTL_MS = 60_000;
const STATUS_CACHE_TTL_MS = 60_000;
/** The gates read the newest few documents of each kind; older ones cannot change a verdict. */
const EVIDENCE_PER_KIND = 25;

/** Judges releases from the stored evidence, sign-offs, waivers and the current runbook. */
export class ReleaseService {
  private ledgerCheck?: { at: number; ok?: boolean };
  private readonly statusCache = new Map<
    string,
    { at: number; status: ReleaseStatusResponse }
  >();

  constructor(
    private readonly evidence: EvidenceStore,
    private readonly decisions: DecisionStore,
    private readonly ledger: Ledger,
    private readonly runbooks: RunbookService,
    private readonly config: RcoConfig,
    private readonly catalog: CatalogService,
    /** How many environments deploy through the console (for the human-first pillar). */
    private readonly deployEnvironments = 0,
    /** The time gates are judged at (the demo clock in the local portal). */
    readonly clock: Clock = systemClock,
  ) {
    this.groups = groupFacts(config);
  }

  /** Which groups the configuration names; read once, as the configuration is. */
  private readonly groups: ReturnType<typeof groupFacts>;

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
    const entityRef = stringifyEntityRef(entity);
    const groups = this.groups;
    const everywhere = !!options.environments?.length;
    const [runbook, evidence, signoffs, waivers, ledgerVerified, requester] =
      await Promise.all([
        this.runbooks
          .getCurrent(entity)
          .then(r => r.runbook)
          .catch(() => undefined),
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
    const context = {
      entityRef,
      runbook,
      release,
      // A Sigstore bundle verified under an earlier signing policy no longer counts (R2 M1).
      evidence: underSigningPolicy(
        evidence,
        this.config.sigstore &&
          signingPolicyDigest(this.config.sigstore, entityRef),
      ),
      signoffs,
      waivers,
      requester,
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
    const environments = options.environments?.map(environment =>
      environmentVerdict(
        environment,
        evaluateRelease(
          { ...context, release: { ...release, environment } },
          extras,
        ),
      ),
    );
    return {
      status,
      signoffs,
      requester,
      groups,
      runbook,
      evidence: context.evidence,
      environments,
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

  /**
   * Every governed entity the caller can see, with the readiness of its newest release,
   * filtered by owner and by a gate's status, paginated.
   */
  async portfolio(
    credentials: BackstageCredentials,
    options: {
      /** Only these entities (a service principal's rco.ci.subjects entities). */
      entityRefs?: string[];
      owner?: string;
      gate?: string;
      status?: string;
      offset: number;
      limit: number;
      sort?: PortfolioSort;
    },
  ) {
    if (options.entityRefs && !options.entityRefs.length)
      return { totalItems: 0, items: [], totals: orderPortfolio([]).totals };
    const all = await governedEntities(this.catalog, credentials);
    const only = options.entityRefs;
    const entities = only
      ? all.filter(e => only.some(ref => sameEntityRef(ref, e)))
      : all;
    const owner = options.owner?.toLowerCase();
    const rows = [];
    for (const entity of entities) {
      const owners = ownersOf(entity);
      if (owner && !owners.some(o => o === owner || o.endsWith(`/${owner}`)))
        continue;
      const status = await this.cachedStatus(entity);
      if (options.gate || options.status) {
        const matches = status.gates.some(
          g =>
            (!options.gate || g.id === options.gate) &&
            (!options.status || g.status === options.status),
        );
        if (!matches) continue;
      }
      rows.push({
        entityRef: status.entityRef,
        title: entity.metadata.title ?? entity.metadata.name,
        owners,
        release: status.release,
        runbookVersion: status.runbookVersion,
        summary: status.summary,
        gates: status.gates.map(g => ({ id: g.id, status: g.status })),
      });
    }
    const { rows: ordered, totals } = orderPortfolio(rows, options.sort);
    return {
      totalItems: ordered.length,
      items: ordered.slice(options.offset, options.offset + options.limit),
      totals,
    };
  }

  /**
   * The portfolio reads the newest release's status of every governed entity. Those are kept
   * for a minute and dropped as soon as this instance records anything for the entity; another
   * backend instance's writes show within the minute.
   */
  private async cachedStatus(entity: Entity): Promise<ReleaseStatusResponse> {
    const entityRef = normalizeEntityRef(entity);
    const hit = this.statusCache.get(entityRef);
    if (hit && Date.now() - hit.at < STATUS_CACHE_TTL_MS) return hit.status;
    const status = await this.status(entity, await this.latestRelease(entity));
    this.statusCache.set(entityRef, { at: Date.now(), status });
    return status;
  }

  invalidateAll() {
    this.statusCache.clear();
  }

  /**
   * Forgets what is cached about an entity after a write, and tells the listener (the release
   * signals channel: open pages re-read). Every write path calls this, so it is the one hook.
   */
  invalidate(entityRef: string, what?: ReleaseChange) {
    this.statusCache.delete(normalizeEntityRef(entityRef));
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
      this.ledgerCheck = { at: now, ok: stored?.ok };
    }
    return this.ledgerCheck.ok;
  }
}
