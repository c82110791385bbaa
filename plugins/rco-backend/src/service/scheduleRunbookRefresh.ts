import {
  AuthService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { RUNBOOK_ANNOTATION } from '@internal/plugin-rco-common';
import { RunbookService } from './RunbookService';

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
}) {
  const { scheduler, catalog, auth, runbooks, logger } = options;
  await scheduler.scheduleTask({
    id: 'rco-runbook-refresh',
    ...(options.schedule ?? DEFAULT_SCHEDULE),
    fn: async () => {
      const { items } = await catalog.getEntities(
        {
          filter: {
            [`metadata.annotations.${RUNBOOK_ANNOTATION}`]:
              CATALOG_FILTER_EXISTS,
          },
        },
        { credentials: await auth.getOwnServiceCredentials() },
      );
      let invalid = 0;
      for (const entity of items) {
        try {
          const outcome = await runbooks.refresh(entity);
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
