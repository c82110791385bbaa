import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { DemoEvidencePruner } from '../../database/DemoEvidencePruner';
import { EvidenceStore } from '../../database/EvidenceStore';
import { Ledger } from '../../database/Ledger';
import { EvidenceService } from '../../evidence/EvidenceService';
import { DemoClock } from '../../lib/clock';
import { ReleaseService } from '../ReleaseService';
import { DEMO_SUBMITTER, demoEntity, seedDemoEvidence } from '../demoEvidence';
import { DemoEvidenceKeeper } from './DemoEvidenceKeeper';
import { DemoSide } from './demoRoutes';
import { DemoClusterConfig, startDemoClusters } from './demoClusters';

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
  await seedDemoEvidence({
    evidenceService: deps.evidenceService,
    evidenceStore: deps.evidenceStore,
    logger,
    dir: deps.dir,
    now: clock.now(),
  });
  const entityRef = await demoEntity(deps.dir);
  const keeper = new DemoEvidenceKeeper({
    entityRef,
    evidenceService: deps.evidenceService,
    evidenceStore: deps.evidenceStore,
    pruner: new DemoEvidencePruner(deps.db, deps.ledger, DEMO_SUBMITTER),
    clock,
    logger,
    changed: ref => releases.invalidate(ref, 'evidence'),
  });
  const side: DemoSide = {
    clock,
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
