import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { rcoApiRef } from './api/RcoApi';
import { RcoClient } from './api/RcoClient';
import { rootRouteRef } from './routes';

/**
 * The RCO Release Console frontend plugin, for apps on the legacy frontend system. Apps on the
 * new frontend system use the default export of this package's `/alpha` entry point.
 *
 * @public
 */
export const rcoPlugin = createPlugin({
  id: 'rco',
  apis: [
    createApiFactory({
      api: rcoApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new RcoClient(deps),
    }),
  ],
  routes: { root: rootRouteRef },
});

/**
 * The Runbook tab for the entity page (legacy frontend system): mount it in an
 * `EntityLayout.Route` guarded by `isRcoAvailable`.
 *
 * @public
 */
export const EntityRcoRunbookContent = rcoPlugin.provide(
  createRoutableExtension({
    name: 'EntityRcoRunbookContent',
    component: () =>
      import('./components/RunbookContent').then(m => m.RunbookContent),
    mountPoint: rootRouteRef,
  }),
);
