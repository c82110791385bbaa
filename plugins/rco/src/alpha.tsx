import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  createRouteRef,
  PageBlueprint,
  useRouteRef,
} from '@backstage/frontend-plugin-api';
import PlaylistAddCheck from '@material-ui/icons/PlaylistAddCheck';
import { RUNBOOK_ANNOTATION } from '@helix-portal/plugin-rco-common';
import { rcoApiRef } from './api/RcoApi';
import { RcoClient } from './api/RcoClient';

const governed = {
  [`metadata.annotations.${RUNBOOK_ANNOTATION}`]: { $exists: true },
};

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
    filter: governed,
    loader: () =>
      import('./components/RunbookContent').then(m => <m.RunbookContent />),
  },
});

/**
 * The Release tab: gates, pillars, evidence, sign-offs and waivers of a release.
 *
 * @alpha
 */
export const rcoReleaseEntityContent = EntityContentBlueprint.make({
  name: 'release',
  params: {
    path: '/release',
    title: 'Release',
    filter: governed,
    loader: () =>
      import('./components/ReleaseContent').then(m => <m.ReleaseContent />),
  },
});

/**
 * Overview card with the verdict and the gates that do not pass.
 *
 * @alpha
 */
export const rcoReleaseOverviewCard = EntityCardBlueprint.make({
  name: 'release-overview',
  params: {
    filter: governed,
    loader: () =>
      import('./components/ReleaseOverviewCard').then(m => (
        <m.ReleaseOverviewCard />
      )),
  },
});

/**
 * The portfolio page's route. The app's nav lists only pages that carry a route ref (its
 * NavContentRenderer skips a page without one, whatever title and icon it has), so this is what
 * gives the page its sidebar entry in any new-frontend-system app.
 *
 * @alpha
 */
export const rcoPortfolioRouteRef = createRouteRef();

/**
 * The Gate policy page's route. The page has no icon, so the app nav lists no entry for it
 * (platform leads reach it from the portfolio page's link).
 *
 * @alpha
 */
export const rcoGatePolicyRouteRef = createRouteRef();

/**
 * The portfolio page, with its sidebar entry.
 *
 * @alpha
 */
export const rcoPortfolioPage = PageBlueprint.make({
  params: {
    path: '/release-readiness',
    routeRef: rcoPortfolioRouteRef,
    title: 'Release readiness',
    icon: <PlaylistAddCheck />,
    loader: () =>
      // The app frame shows the page's title (PageLayout): no second header inside it.
      import('./components/PortfolioPage').then(m => {
        const Portfolio = () => (
          <m.PortfolioPage
            header={false}
            gatePolicyLink={useRouteRef(rcoGatePolicyRouteRef)?.()}
          />
        );
        return <Portfolio />;
      }),
  },
});

/**
 * The Gate policy page: the gate thresholds in force and a what-if replay of a change of one.
 * It changes nothing (the thresholds live in app-config).
 *
 * @alpha
 */
export const rcoGatePolicyPage = PageBlueprint.make({
  name: 'gate-policy',
  params: {
    path: '/rco/gate-policy',
    routeRef: rcoGatePolicyRouteRef,
    title: 'Gate policy',
    loader: () =>
      import('./components/GatePolicy').then(m => (
        <m.GatePolicyPage header={false} />
      )),
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
  routes: {
    portfolio: rcoPortfolioRouteRef,
    gatePolicy: rcoGatePolicyRouteRef,
  },
  extensions: [
    rcoApi,
    rcoRunbookEntityContent,
    rcoReleaseEntityContent,
    rcoReleaseOverviewCard,
    rcoPortfolioPage,
    rcoGatePolicyPage,
  ],
});
