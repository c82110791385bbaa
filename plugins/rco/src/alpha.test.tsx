import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import rcoPlugin, { rcoPortfolioPage, rcoPortfolioRouteRef } from './alpha';

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
