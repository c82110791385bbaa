import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { GateId } from '@helix-portal/plugin-rco-common';
import { Knex } from 'knex';
import { DemoEvidencePruner } from '../../database/DemoEvidencePruner';
import { EvidenceStore } from '../../database/EvidenceStore';
import { Ledger } from '../../database/Ledger';
import { EvidenceService } from '../../evidence/EvidenceService';
import { DemoClock } from '../../lib/clock';
import { ReleaseService } from '../ReleaseService';
import { DEMO_SUBMITTER, demoEntity, seedDemoEvidence } from '../demoEvidence';
import { DemoEvidenceKeeper, pruneAfter } from './DemoEvidenceKeeper';
import { DemoSide } from './demoRoutes';
import { DemoClusterConfig, startDemoClusters } from './demoClusters';
import {
  DemoHistory,
  generateDemoHistory,
  isHistoryRecord,
} from './demoHistory';
import { RcoConfig } from '../../config';

/** Real time between two runs of the keeper; a run asks what is due at the portal clock's now. */
const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { seconds: 30 },
  timeout: { minutes: 2 },
  initialDelay: { seconds: 30 },
};

/**
 * The local portal's demo (rco.demoEvidence): seeds the demo evidence at the demo clock's now
 * and keeps it current on the scheduler and whenever the clock is moved forward.
 */
export async function startDemoPortal(deps: {
  clock: DemoClock;
  dir: string;
  schedule?: SchedulerServiceTaskScheduleDefinition;
  scheduler: SchedulerService;
  logger: LoggerService;
  db: Knex;
  ledger: Ledger;
  evidenceService: EvidenceService;
  evidenceStore: EvidenceStore;
  releases: ReleaseService;
  /** rco.demoClusters: simulated clusters the collector reads (issue 13). */
  clusters?: DemoClusterConfig[];
  /** Closes the simulated clusters when the backend stops. */
  onShutdown?: (hook: () => Promise<void>) => void;
  /**
   * Issue 17: write the 90-day demo history of the examples (RCO and RCOT) first, judged under
   * the configuration verdicts use (its digest is what the judgements record).
   */
  history?: { config: Pick<RcoConfig, 'environments'>; configDigest: string };
  /** rco.gates.<gate>.maxAge: the demo never prunes a record a gate may still count. */
  maxAge?: Partial<Record<GateId, string>>;
}): Promise<DemoSide> {
  const { clock, logger, releases } = deps;
  // Up before the collector's first run, so it never sees them unreachable at start.
  const clusters = await startDemoClusters({
    clusters: deps.clusters ?? [],
    now: clock.now(),
    logger,
  });
  deps.onShutdown?.(async () => {
    await Promise.all(clusters.servers.map(s => s.close()));
  });
  const entityRef = await demoEntity(deps.dir);
  // Only into a database without the demo's evidence (the local portal's is in memory, so every
  // start): a kept database keeps the history it has.
  const fresh = !(await deps.evidenceStore.list(entityRef, { limit: 1 }))
    .length;
  const history =
    deps.history && fresh
      ? await writeHistory(deps, deps.history).catch(error => {
          logger.error(`Demo history not written: ${error}`);
          return undefined;
        })
      : undefined;
  await seedDemoEvidence({
    evidenceService: deps.evidenceService,
    // The seed skips an entity that has evidence: the history's, just written, is not the demo's.
    evidenceStore: history
      ? withoutHistory(deps.evidenceStore)
      : deps.evidenceStore,
    logger,
    dir: deps.dir,
    now: clock.now(),
  });
  const keeper = new DemoEvidenceKeeper({
    entityRef,
    evidenceService: deps.evidenceService,
    // The history's releases are history: their scans are not re-run nightly.
    evidenceStore: withoutHistory(deps.evidenceStore),
    pruner: new DemoEvidencePruner(deps.db, deps.ledger, DEMO_SUBMITTER),
    clock,
    logger,
    changed: ref => releases.invalidate(ref, 'evidence'),
    keepFor: pruneAfter(deps.maxAge),
  });
  const side: DemoSide = {
    clock,
    history,
    catchUp: async () => {
      clusters.tick(clock.now());
      await keeper.tick();
      // Collected evidence ages from its last observation: see it again at the new time.
      await side.collect?.().catch(error => {
        logger.warn(`Demo collection after the clock moved failed: ${error}`);
      });
      // Every age moved: cached verdicts are from before, and open pages re-read.
      releases.invalidateAll();
      releases.invalidate(entityRef, 'evidence');
    },
  };
  await deps.scheduler.scheduleTask({
    id: 'rco-demo-evidence',
    ...(deps.schedule ?? DEFAULT_SCHEDULE),
    fn: async () => {
      // The simulated clusters' Velero keeps its schedule too; the collector reads it.
      // A new backup is collected at once, not up to a schedule period later.
      if (clusters.tick(clock.now()))
        await side.collect?.().catch(() => undefined);
      await keeper.tick();
    },
  });
  return side;
}

/** Writes the demo history, logging how long it took (the local portal waits for it). */
async function writeHistory(
  deps: Parameters<typeof startDemoPortal>[0],
  o: NonNullable<Parameters<typeof startDemoPortal>[0]['history']>,
): Promise<DemoHistory> {
  const started = Date.now();
  const history = await generateDemoHistory({
    dir: deps.dir,
    now: deps.clock.now(),
    db: deps.db,
    ledger: deps.ledger,
    evidenceService: deps.evidenceService,
    releases: deps.releases,
    config: o.config,
    configDigest: o.configDigest,
    logger: deps.logger,
  });
  deps.logger.info(
    `Demo history of ${history.entities.join(', ')} from ${history.from} to ${
      history.to
    } written in ${Date.now() - started} ms`,
  );
  return history;
}

/** The store as the demo's seed and keeper read it: without the history's records. */
function withoutHistory(store: EvidenceStore): EvidenceStore {
  return Object.assign(Object.create(store), {
    list: async (...args: Parameters<EvidenceStore['list']>) =>
      (await store.list(...args)).filter(r => !isHistoryRecord(r)),
  });
}
