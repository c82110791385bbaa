import { fireEvent, screen } from '@testing-library/react';
import { mockApi, render, slow } from '../../__testUtils__/releaseFixtures';
import { metrics } from '../Metrics/testFixtures';

jest.setTimeout(60_000);

/** Issue 17, point 1: the Release tab's Metrics section reads nothing until it is opened. */
describe('Release tab metrics', () => {
  beforeAll(() => {
    // jsdom lays nothing out; recharts' responsive container watches its size.
    (globalThis as any).ResizeObserver ??= class {
      observe() {}
      unobserve() {}
      disconnect() {}
    };
  });

  it('opens the Metrics section on request and asks for the environment on screen', async () => {
    const getMetrics = jest.fn(async () => metrics());
    await render(mockApi({ getMetrics }), {
      routeEntries: ['/?environment=staging'],
    });
    const show = await screen.findByRole(
      'button',
      { name: 'Show metrics' },
      slow,
    );
    expect(getMetrics).not.toHaveBeenCalled();
    fireEvent.click(show);
    expect(
      await screen.findByTestId('rco-metric-deployment-frequency', {}, slow),
    ).toHaveTextContent('0.43 deploys a day');
    const [entity, query] = getMetrics.mock.calls[0] as any[];
    expect(entity).toEqual({
      kind: 'Component',
      namespace: 'default',
      name: 'rco',
    });
    expect(query.environment).toBe('staging');
    expect(screen.getByTestId('rco-chart-table-trend')).toHaveTextContent(
      '2026-11-23',
    );
  });

  it('has no Metrics section when the client serves no metrics', async () => {
    await render(mockApi());
    await screen.findByText('Release readiness', {}, slow);
    expect(screen.queryByRole('button', { name: 'Show metrics' })).toBeNull();
  });
});
