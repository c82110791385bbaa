import { entityPresentationApiRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { RcoApi, rcoApiRef } from '../../api/RcoApi';
import { presentation } from '../../__testUtils__/releaseFixtures';
import { ChartWidth } from '../Metrics/ChartSize';
import { metrics, policy } from '../Metrics/testFixtures';
import { PortfolioPage } from './PortfolioPage';

jest.setTimeout(60_000);

const empty = async () => ({
  totalItems: 0,
  items: [],
  columns: [],
  horizon: 'P3D',
  pending: 0,
});

/** Issue 17, points 2 and 7: the portfolio's metrics and its link to the Gate policy page. */
describe('PortfolioPage metrics', () => {
  it('links to the Gate policy page and reads the portfolio’s metrics only when opened', async () => {
    const getMetrics = jest.fn(async (..._args: unknown[]) =>
      metrics({
        demo: true,
        scope: { ...metrics().scope, entityRef: undefined, services: 12 },
      }),
    );
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            rcoApiRef,
            {
              getPortfolio: empty,
              getMetrics,
              getGatePolicy: async () => policy(),
            } as unknown as RcoApi,
          ],
          [entityPresentationApiRef, presentation],
        ]}
      >
        <ChartWidth.Provider value={800}>
          <PortfolioPage header={false} gatePolicyLink="/rco/gate-policy" />
        </ChartWidth.Provider>
      </TestApiProvider>,
      { routeEntries: ['/release-readiness'] },
    );
    expect(
      await screen.findByRole('link', { name: /Gate policy/ }),
    ).toHaveAttribute('href', '/rco/gate-policy');
    expect(getMetrics).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Show metrics' }));
    expect(
      await screen.findByTestId('rco-metric-lead-time'),
    ).toBeInTheDocument();
    expect(getMetrics.mock.calls[0][0]).toBeUndefined();
    // No environment asked: the backend picks its default and the picker shows it.
    expect(
      (getMetrics.mock.calls[0][1] as { environment?: string }).environment,
    ).toBeUndefined();
    expect(
      screen.getByRole('button', { name: /Environment/ }),
    ).toHaveTextContent('production');
    expect(screen.getByTestId('rco-metrics-demo')).toHaveTextContent(
      'Demo data: generated history of the local portal',
    );
    expect(screen.getByText(/^12 services\./)).toBeInTheDocument();
  });
});
