import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { RUNBOOK_ANNOTATION } from '@internal/plugin-rco-common';
import { rcoApiRef } from './api/RcoApi';
import { RcoClient } from './api/RcoClient';

/** @alpha */
export const rcoApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: rcoApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new RcoClient(deps),
    }),
});

/**
 * The Runbook tab on governed entities (those with the runbook annotation).
 *
 * @alpha
 */
export const rcoRunbookEntityContent = EntityContentBlueprint.make({
  name: 'runbook',
  params: {
    path: '/runbook',
    title: 'Runbook',
    group: 'documentation',
    filter: {
      [`metadata.annotations.${RUNBOOK_ANNOTATION}`]: { $exists: true },
    },
    loader: () =>
      import('./components/RunbookContent').then(m => <m.RunbookContent />),
  },
});

/**
 * The RCO Release Console plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'rco',
  info: { packageJson: () => import('../package.json') },
  extensions: [rcoApi, rcoRunbookEntityContent],
});
