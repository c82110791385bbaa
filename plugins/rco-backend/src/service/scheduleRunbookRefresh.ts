import {
  AuthService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { RunbookService } from './RunbookService';
import { governedEntities } from '../lib/governedEntities';

const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 10 },
  initialDelay: { seconds: 10 },
};

/**
 * Re-reads every governed entity's runbook on a schedule, so a change merged in the service's
 * repository shows up without anyone pressing refresh. One backend instance runs it at a time.
 */
export async function scheduleRunbookRefresh(options: {
  scheduler: SchedulerService;
  schedule?: SchedulerServiceTaskScheduleDefinition;
  catalog: CatalogService;
  auth: AuthService;
  runbooks: RunbookService;
  logger: LoggerService;
  /** Told about every entity whose stored runbook state a refresh changed. */
  releases: { invalidate(entityRef: string, what?: 'runbook'): void };
}) {
  const { scheduler, catalog, auth, runbooks, logger } = options;
  await scheduler.scheduleTask({
    id: 'rco-runbook-refresh',
    ...(options.schedule ?? DEFAULT_SCHEDULE),
    fn: async () => {
      const items = await governedEntities(
        catalog,
        await auth.getOwnServiceCredentials(),
      );
      let invalid = 0;
      for (const entity of items) {
        try {
          const outcome = await runbooks.refresh(entity);
          // A new current version (or a new error) can change every gate's verdict: only then
          // is the entity's stored verdict judged again and its open pages nudged. Asking on
          // every read re-judged every governed service on every run and after every start
          // (10,000 recomputations a run at 10,000 services), for documents that had not changed.
          if (outcome.changed)
            options.releases.invalidate(outcome.entityRef, 'runbook');
          if (outcome.status === 'invalid') invalid++;
        } catch (e) {
          invalid++;
          logger.error(
            `Runbook refresh of ${stringifyEntityRef(entity)} failed: ${e}`,
          );
        }
      }
      logger.info(
        `Refreshed runbooks of ${items.length} entities (${invalid} invalid)`,
      );
    },
  });
}
