import {
  AuthService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { RUNBOOK_ANNOTATION } from '@helix-portal/plugin-rco-common';
import { Knex } from 'knex';
import { RcoConfig } from '../../config';
import { EvidenceStore } from '../../database/EvidenceStore';
import { StoredVerdict, VerdictStore } from '../../database/VerdictStore';
import { knownEnvironments } from '../../gates/explain';
import { governedEntities } from '../../lib/governedEntities';
import { normalizeEntityRef } from '../../lib/entityRefs';
import { ReleaseService } from '../ReleaseService';
import { configDigest, verdictRows } from './storedVerdicts';

/** How often one backend recomputes the verdicts time has changed (rco.verdicts.schedule). */
export const DEFAULT_VERDICT_SCHEDULE: SchedulerServiceTaskScheduleDefinition =
  {
    frequency: { seconds: 15 },
    timeout: { minutes: 10 },
    initialDelay: { seconds: 5 },
  };
/** Entities one instance judges at once: the judging is database reads, not CPU. */
const CONCURRENCY = 4;
/** Due verdicts one scheduled run takes; the next run takes the rest. */
const DUE_PER_RUN = 2000;

/**
 * Keeps every governed entity's verdict stored (issue 14, point 1): recomputed after every
 * write that can change it (ReleaseService.invalidate is the one hook every write path calls),
 * when its `valid until` passes or the configuration changed (a global scheduled task, so one
 * replica does it), and for entities that have none yet. Reads never compute.
 */
export class VerdictService {
  private readonly queued = new Map<string, Array<() => void>>();
  private readonly running = new Set<string>();
  private active = 0;
  readonly digest: string;

  constructor(
    private readonly o: {
      store: VerdictStore;
      releases: ReleaseService;
      evidence: EvidenceStore;
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      db: Knex;
      config: RcoConfig;
      /** The configured environments, in rco.environments order. */
      environments: string[];
    },
  ) {
    this.digest = configDigest(o.config, o.environments);
  }

  private now() {
    return this.o.releases.clock.now();
  }

  /**
   * Asks for an entity's verdict to be recomputed; resolves once it is stored. A request for an
   * entity being computed runs once more after it, so the last write is always judged.
   */
  recompute(entityRef: string): Promise<void> {
    const ref = normalizeEntityRef(entityRef);
    // A ref being computed stays queued until that run ends (pump skips it), then runs again.
    return new Promise(resolve => {
      const waiting = this.queued.get(ref);
      if (waiting) waiting.push(resolve);
      else this.queued.set(ref, [resolve]);
      this.pump();
    });
  }

  /**
   * Asks for a verdict nobody waits for (a portfolio request naming a service without one):
   * nothing is added for a service already queued or being judged, so repeated requests cannot
   * grow the queue or keep the workers re-judging it.
   */
  nudge(entityRef: string) {
    const ref = normalizeEntityRef(entityRef);
    if (this.queued.has(ref) || this.running.has(ref)) return;
    void this.recompute(ref);
  }

  private pump() {
    while (this.active < CONCURRENCY) {
      const next = [...this.queued.keys()].find(r => !this.running.has(r));
      if (!next) return;
      const waiters = this.queued.get(next)!;
      this.queued.delete(next);
      this.running.add(next);
      this.active++;
      this.computeRef(next)
        .catch(error =>
          this.o.logger.warn(`Verdict of ${next} not recomputed: ${error}`),
        )
        .finally(() => {
          this.running.delete(next);
          this.active--;
          waiters.forEach(w => w());
          this.pump();
        });
    }
  }

  private async computeRef(ref: string) {
    const credentials = await this.o.auth.getOwnServiceCredentials();
    const entity = await this.o.catalog.getEntityByRef(ref, { credentials });
    // Governed as the portfolio and the backfill select (the annotation exists, even empty).
    if (entity?.metadata.annotations?.[RUNBOOK_ANNOTATION] === undefined) {
      // Gone from the catalog, or no longer governed: nothing to show.
      await this.o.store.remove([ref]);
      return;
    }
    await this.compute(entity);
  }

  /** Judges an entity's newest release everywhere and stores it, unless a newer one is stored. */
  async compute(entity: Entity): Promise<boolean> {
    const entityRef = stringifyEntityRef(entity);
    // The mark is read before the inputs: a write after it gets a later basis, or the same
    // basis read later, or a higher change count, and its own recomputation wins
    // (VerdictStore.replace).
    // The runbook is read (and, the first time, stored with its ledger entry) before the mark:
    // a computation must not leave its own verdict behind the ledger it wrote to.
    await this.o.releases.runbookOf(entity);
    const readAt = new Date();
    const mark = await this.o.store.mark(entityRef);
    const [release, evidenced] = await Promise.all([
      this.o.releases.latestRelease(entity),
      this.o.evidence.environments(entityRef),
    ]);
    const environments = knownEnvironments(this.o.environments, evidenced);
    const now = this.now();
    const computed = await this.o.releases.judgeEverywhere(
      entity,
      release,
      environments,
      now,
    );
    const rows = verdictRows(computed as any, environments, {
      readAt,
      basisSeq: mark.basisSeq,
      readSeq: mark.readSeq,
      judgedChanges: mark.changes,
      configDigest: this.digest,
      now,
      cap: new Date(
        now.getTime() + this.o.config.verdicts.maxValidity.toMillis(),
      ),
    });
    // Stored under the ref as the ledger spells it, so the scheduled run can compare the two.
    return this.o.store.replace(
      entityRef,
      rows.map(r => ({ ...r, entityRef })),
    );
  }

  /**
   * An entity's stored verdicts if they can be served as they are: judged under this
   * configuration, not past `valid until`, not older than the entity's newest ledger entry nor
   * its last write outside the chain (a write this or another replica has not recomputed yet).
   * Undefined otherwise.
   */
  async current(entityRef: string): Promise<StoredVerdict[] | undefined> {
    const [rows, basis] = await Promise.all([
      this.o.store.forEntity(entityRef),
      this.o.store.basisOf(this.o.db, entityRef),
    ]);
    const now = this.now().getTime();
    const fresh =
      rows.length > 0 &&
      rows.every(
        r =>
          r.configDigest === this.digest &&
          r.basisSeq >= basis &&
          r.changes === r.judgedChanges &&
          (!r.validUntil || r.validUntil.getTime() > now),
      );
    if (!fresh) {
      if (rows.length) this.recompute(entityRef);
      return undefined;
    }
    return rows;
  }

  /**
   * One scheduled run: the verdicts time or the configuration has changed, then every governed
   * entity without one (a new service), and the verdicts of entities no longer governed.
   */
  async runDue(options: { backfill?: boolean } = {}) {
    const due = await this.o.store.due(this.now(), this.digest, DUE_PER_RUN);
    await Promise.all(due.map(ref => this.recompute(ref)));
    if (!options.backfill) return { recomputed: due.length, added: 0 };
    const credentials = await this.o.auth.getOwnServiceCredentials();
    const [governed, stored] = await Promise.all([
      governedEntities(this.o.catalog, credentials),
      this.o.store.entities(),
    ]);
    const have = new Set(stored.map(r => normalizeEntityRef(r)));
    const refs = new Set(governed.map(e => normalizeEntityRef(e)));
    const missing = governed.filter(e => !have.has(normalizeEntityRef(e)));
    for (let i = 0; i < missing.length; i += CONCURRENCY)
      await Promise.all(
        missing
          .slice(i, i + CONCURRENCY)
          .map(e =>
            this.compute(e).catch(error =>
              this.o.logger.warn(
                `Verdict of ${stringifyEntityRef(e)} not computed: ${error}`,
              ),
            ),
          ),
      );
    await this.o.store.remove(
      stored.filter(r => !refs.has(normalizeEntityRef(r))),
    );
    return { recomputed: due.length, added: missing.length };
  }

  /** Every stored entity recomputed (the demo clock moved; the ledger's verification changed). */
  async recomputeAll() {
    const stored = await this.o.store.entities();
    await Promise.all(stored.map(ref => this.recompute(ref)));
  }

  /**
   * Registers the two global tasks: due verdicts every 15 s by default, and the backfill of
   * new and removed services every few minutes. Global: one replica runs each at a time.
   */
  async schedule(scheduler: SchedulerService) {
    const due = this.o.config.verdicts.schedule ?? DEFAULT_VERDICT_SCHEDULE;
    await scheduler.scheduleTask({
      id: 'rco-verdicts-due',
      scope: 'global',
      ...due,
      fn: async () => {
        await this.runDue();
      },
    });
    await scheduler.scheduleTask({
      id: 'rco-verdicts-backfill',
      scope: 'global',
      frequency: { minutes: 5 },
      timeout: { minutes: 30 },
      initialDelay: { seconds: 3 },
      fn: async () => {
        const { added } = await this.runDue({ backfill: true });
        if (added)
          this.o.logger.info(
            `Judged ${added} services without a stored verdict`,
          );
      },
    });
  }
}
