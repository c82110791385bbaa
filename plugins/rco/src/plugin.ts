import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
  useRouteRef,
} from '@backstage/core-plugin-api';
import { ComponentType, createElement } from 'react';
import { rcoApiRef } from './api/RcoApi';
import { RcoClient } from './api/RcoClient';
import {
  gatePolicyRouteRef,
  portfolioRouteRef,
  releaseRouteRef,
  rootRouteRef,
} from './routes';

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
  routes: {
    root: rootRouteRef,
    release: releaseRouteRef,
    portfolio: portfolioRouteRef,
    gatePolicy: gatePolicyRouteRef,
  },
});

/**
 * The Gate policy page's link where the app mounts it, else none. useRouteRef throws for a
 * route the app does not mount (after running its own hooks, so catching keeps their order).
 */
function useGatePolicyLink(): string | undefined {
  try {
    return useRouteRef(gatePolicyRouteRef)?.();
  } catch {
    return undefined;
  }
}

/**
 * The Runbook tab for the entity page (legacy frontend system): mount it in an
 * `EntityLayout.Route` guarded by `isRcoAvailable`.
 *
 * @public
 */
export const EntityRcoRunbookContent: () => JSX.Element = rcoPlugin.provide(
  createRoutableExtension({
    name: 'EntityRcoRunbookContent',
    component: () =>
      import('./components/RunbookContent').then(m => m.RunbookContent),
    mountPoint: rootRouteRef,
  }),
);

/**
 * The Release tab (legacy frontend system): gates, pillars, evidence, sign-offs, waivers.
 *
 * @public
 */
export const EntityRcoReleaseContent: () => JSX.Element = rcoPlugin.provide(
  createRoutableExtension({
    name: 'EntityRcoReleaseContent',
    component: () =>
      import('./components/ReleaseContent').then(m => m.ReleaseContent),
    mountPoint: releaseRouteRef,
  }),
);

/**
 * Overview card with the verdict and the failing gates (legacy frontend system).
 *
 * @public
 */
export const EntityRcoReleaseOverviewCard: () => JSX.Element =
  rcoPlugin.provide(
    createComponentExtension({
      name: 'EntityRcoReleaseOverviewCard',
      component: {
        lazy: () =>
          import('./components/ReleaseOverviewCard').then(
            m => m.ReleaseOverviewCard,
          ),
      },
    }),
  );

/**
 * The portfolio page (legacy frontend system): mount it on a route of the app.
 *
 * @public
 */
export const RcoPortfolioPage: () => JSX.Element = rcoPlugin.provide(
  createRoutableExtension({
    name: 'RcoPortfolioPage',
    component: () =>
      import('./components/PortfolioPage').then(
        m =>
          function Portfolio() {
            const Page: ComponentType<{ gatePolicyLink?: string }> =
              m.PortfolioPage;
            return createElement(Page, {
              gatePolicyLink: useGatePolicyLink(),
            });
          },
      ),
    mountPoint: portfolioRouteRef,
  }),
);

/**
 * The Gate policy page (legacy frontend system): the gate thresholds in force and a what-if
 * replay of a change, for platform leads. Mount it on a route of the app; the portfolio page
 * links to it.
 *
 * @public
 */
export const RcoGatePolicyPage: () => JSX.Element = rcoPlugin.provide(
  createRoutableExtension({
    name: 'RcoGatePolicyPage',
    component: () =>
      import('./components/GatePolicy').then(m => m.GatePolicyPage),
    mountPoint: gatePolicyRouteRef,
  }),
);
