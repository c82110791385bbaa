import {
  coreServices,
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { DatabaseRunbookStore } from './database/DatabaseRunbookStore';
import { createRouter } from './service/router';
import { RunbookReader } from './service/RunbookReader';
import { RunbookService } from './service/RunbookService';
import { scheduleRunbookRefresh } from './service/scheduleRunbookRefresh';

/**
 * The RCO Release Console backend plugin.
 *
 * @public
 */
export const rcoPlugin = createBackendPlugin({
  pluginId: 'rco',
  register(env) {
    env.registerInit({
      deps: {
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        urlReader: coreServices.urlReader,
        scheduler: coreServices.scheduler,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        const store = await DatabaseRunbookStore.create({
          database: deps.database,
        });
        const runbooks = new RunbookService(
          store,
          new RunbookReader(
            deps.urlReader,
            ScmIntegrations.fromConfig(deps.config),
          ),
          deps.logger,
        );
        const scheduleConfigKey = 'rco.runbooks.schedule';
        await scheduleRunbookRefresh({
          scheduler: deps.scheduler,
          schedule: deps.config.has(scheduleConfigKey)
            ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
                deps.config.getConfig(scheduleConfigKey),
              )
            : undefined,
          catalog: deps.catalog,
          auth: deps.auth,
          runbooks,
          logger: deps.logger,
        });
        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            auditor: deps.auditor,
            catalog: deps.catalog,
            runbooks,
            logger: deps.logger,
          }),
        );
      },
    });
  },
});
