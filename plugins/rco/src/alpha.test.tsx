import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import rcoPlugin, {
  rcoGatePolicyPage,
  rcoGatePolicyRouteRef,
  rcoPortfolioPage,
  rcoPortfolioRouteRef,
} from './alpha';
import { RcoApi, rcoApiRef } from './api/RcoApi';

jest.setTimeout(30_000);

/** Issue 12, point 8: the portfolio is reachable from the app's sidebar. */
describe('Release readiness page in the new frontend system', () => {
  it('carries a route ref: the app nav lists only pages that have one', () => {
    const tester = createExtensionTester(rcoPortfolioPage);
    expect(tester.get(coreExtensionData.routeRef)).toBe(rcoPortfolioRouteRef);
    expect(tester.get(coreExtensionData.routePath)).toBe('/release-readiness');
    expect(tester.get(coreExtensionData.title)).toBe('Release readiness');
    expect(rcoPlugin.routes.portfolio).toBe(rcoPortfolioRouteRef);
  });

  it('has a sidebar entry in an app that installs the plugin, with no app changes', async () => {
    renderTestApp({ features: [rcoPlugin] });
    const entry = await screen.findByRole('link', {
      name: /Release readiness/,
    });
    expect(entry).toHaveAttribute('href', '/release-readiness');
  });
});

/** Issue 17, point 7: the Gate policy page, reached from the portfolio, not the sidebar. */
describe('Gate policy page in the new frontend system', () => {
  it('is a page at /rco/gate-policy with a route ref the portfolio links with', () => {
    const tester = createExtensionTester(rcoGatePolicyPage);
    expect(tester.get(coreExtensionData.routeRef)).toBe(rcoGatePolicyRouteRef);
    expect(tester.get(coreExtensionData.routePath)).toBe('/rco/gate-policy');
    expect(rcoPlugin.routes.gatePolicy).toBe(rcoGatePolicyRouteRef);
  });

  it('is linked from the portfolio page where the app mounts it', async () => {
    renderTestApp({
      features: [rcoPlugin],
      initialRouteEntries: ['/release-readiness'],
      apis: [
        [
          rcoApiRef,
          {
            getPortfolio: async () => ({
              totalItems: 0,
              items: [],
              columns: [],
              pending: 0,
            }),
          } as unknown as RcoApi,
        ],
      ],
    });
    expect(
      await screen.findByRole('link', { name: /Gate policy/ }),
    ).toHaveAttribute('href', '/rco/gate-policy');
  });

  it('has no sidebar entry of its own (no icon), beside the portfolio’s', async () => {
    renderTestApp({ features: [rcoPlugin] });
    await screen.findByRole('link', { name: /Release readiness/ });
    expect(screen.queryByRole('link', { name: /Gate policy/ })).toBeNull();
  });
});
