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
  /** Told about every entity whose runbook was re-read (the release verdict cache). */
  releases: { invalidate(entityRef: string, what?: 'runbook'): void };
}) {
  const { scheduler, catalog, auth, runbooks, logger } = options;
  // What each entity's last refresh found: open pages are nudged only when that changes (a
  // re-read of the same document every 30 minutes is not news).
  const seen = new Map<string, string>();
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
          // A new current version (or a new error) can change every gate's verdict; dropping
          // an entity's cached verdict costs one re-evaluation, so it is dropped on every read.
          const found = JSON.stringify([
            outcome.status,
            outcome.versions,
            outcome.current,
            outcome.lastError?.problems,
          ]);
          const before = seen.get(outcome.entityRef);
          seen.set(outcome.entityRef, found);
          options.releases.invalidate(
            outcome.entityRef,
            before !== undefined && before !== found ? 'runbook' : undefined,
          );
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
