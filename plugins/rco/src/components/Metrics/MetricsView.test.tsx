import { entityPresentationApiRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { MetricsResponse } from '@helix-portal/plugin-rco-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { RcoApi, rcoApiRef } from '../../api/RcoApi';
import { captureSaves, renderWith } from '../../__testUtils__/roadFixtures';
import { presentation } from '../../__testUtils__/releaseFixtures';
import { ChartWidth } from './ChartSize';
import { MetricsBody } from './MetricsBody';
import MetricsView from './MetricsView';
import { trendTooltipValue } from './TrendChart';
import { ENTITY, metrics, policy } from './testFixtures';

jest.setTimeout(30_000);

function renderBody(m: MetricsResponse, api: Partial<RcoApi> = {}) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [rcoApiRef, { getRecord: jest.fn(), ...api } as RcoApi],
        [entityPresentationApiRef, presentation],
      ]}
    >
      <ChartWidth.Provider value={800}>
        <MetricsBody metrics={m} />
      </ChartWidth.Provider>
    </TestApiProvider>,
  );
}

/** The rows of a chart's table alternative, as cell texts. */
function rowsOf(name: string) {
  const table = screen.getByTestId(`rco-chart-table-${name}`);
  return within(table)
    .getAllByRole('row')
    .map(r => Array.from(r.querySelectorAll('th, td')).map(c => c.textContent));
}

describe('Metrics view (issue 17)', () => {
  it('shows the four delivery metrics with value, unit in words, sample and definition', async () => {
    await renderBody(metrics());
    const df = screen.getByTestId('rco-metric-deployment-frequency');
    expect(df).toHaveTextContent('0.43 deploys a day');
    expect(df).toHaveTextContent('Sample: 39 deploys');
    expect(df).toHaveTextContent(
      'Successful production deploys a day over the period.',
    );
    const lt = screen.getByTestId('rco-metric-lead-time');
    expect(lt).toHaveTextContent('17.25 hours (median)');
    expect(lt).toHaveTextContent('90th percentile: 61.5 hours');
    expect(
      screen.getByTestId('rco-metric-change-failure-rate'),
    ).toHaveTextContent('12.8 % of deploys failed');
    expect(screen.getByTestId('rco-metric-time-to-restore')).toHaveTextContent(
      '— nothing to measure',
    );
    expect(
      within(df).getByRole('button', { name: /Open operation op-df-1/ }),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Demo data/)).not.toBeInTheDocument();
  });

  it('words the failure window as the Gate policy page does', async () => {
    await renderBody(metrics());
    expect(
      screen.getByText(/A change counts as failed when/).textContent,
    ).toContain(
      'A change counts as failed when a rollback or failure follows within P1D (1 day).',
    );
  });

  it('says when a distribution holds only the newest of its samples', async () => {
    const m = metrics();
    m.delivery.counts = { leadTimes: 2500, failures: 0 };
    await renderBody(m);
    expect(
      screen.getByTestId('rco-chart-table-lead-time').querySelector('caption'),
    ).toHaveTextContent('(the newest 4 of 2500)');
    expect(
      screen
        .getByTestId('rco-chart-table-evidence-age')
        .querySelector('caption')?.textContent,
    ).not.toContain('newest');
  });

  it('labels demo data', async () => {
    await renderBody(metrics({ demo: true }));
    expect(screen.getByTestId('rco-metrics-demo')).toHaveTextContent(
      'Demo data: generated history of the local portal',
    );
  });

  it('gives every chart a table with the fixture’s numbers, a caption and an image name', async () => {
    await renderBody(metrics());
    expect(rowsOf('trend').slice(1)).toEqual([
      // Hours to two decimals, as the tooltip and the cards show them.
      ['2026-11-16', '4', '1', '12.5', '1.75'],
      ['2026-11-23', '7', '0', '9.25', '—'],
    ]);
    expect(rowsOf('heatmap').slice(1)).toEqual([
      ['Image scanning', '2026-11-16', '8', '6', '75 %'],
      ['Image scanning', '2026-11-23', '5', '0', '0 %'],
      ['RTO/RPO Verification', '2026-11-16', '8', '2', '25 %'],
      // No RTO/RPO judgement that week: a row all the same, as the trend has the week.
      ['RTO/RPO Verification', '2026-11-23', '0', '0', '—'],
    ]);
    // Lead times 0.5, 3, 3.5 and 30 hours in bins three hours wide.
    const lead = rowsOf('lead-time').slice(1);
    expect(lead[0]).toEqual(['0', '3', '1']);
    expect(lead[1]).toEqual(['3', '6', '2']);
    expect(lead[lead.length - 1]).toEqual(['30', '33', '1']);
    expect(lead.reduce((n, r) => n + Number(r[2]), 0)).toBe(4);
    const ages = rowsOf('evidence-age').slice(1);
    expect(ages.reduce((n, r) => n + Number(r[2]), 0)).toBe(2);
    expect(rowsOf('effectiveness')[1]).toEqual([
      'Image scanning',
      '40',
      '9',
      '3',
      '2',
      '1',
      '0',
      '6.5',
      '20',
      '11',
      '30.5',
      '31',
      '1',
      '1',
      '0',
    ]);
    expect(rowsOf('escapes')[1]).toEqual([
      'Image scanning',
      'waived',
      'component:default/rco',
      'production',
      'v1.3.0',
      'rolled-back',
      '2026-11-18 09:30 UTC',
      'op-esc-1',
    ]);
    for (const name of ['trend', 'heatmap', 'lead-time', 'evidence-age']) {
      const chart = screen.getByTestId(`rco-chart-${name}`);
      expect(within(chart).getByRole('img')).toHaveAccessibleName(
        /table below holds the numbers/,
      );
      expect(chart.querySelector('table caption')?.textContent).toBeTruthy();
      expect(chart.querySelector('svg')).not.toBeNull();
    }
    // The heat map prints blocked/judged in each cell.
    expect(
      screen.getByTestId('rco-chart-heatmap').querySelector('svg')?.textContent,
    ).toContain('6/8');
  });

  it('downloads each table as CSV holding exactly its rows', async () => {
    const saved = captureSaves();
    await renderBody(metrics());
    const chart = screen.getByTestId('rco-chart-heatmap');
    fireEvent.click(
      within(chart).getByRole('button', { name: /Download CSV/ }),
    );
    expect(saved[0].name).toBe('rco-heatmap.csv');
    const text = await saved[0].blob.text();
    const lines = text
      .trim()
      .split('\r\n')
      .map(l => l.split(','));
    expect(lines).toEqual(rowsOf('heatmap'));
  });

  it('lists overrides with how each ended', async () => {
    await renderBody(metrics());
    const history = screen.getByTestId('rco-override-history');
    const rows = within(history).getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('Failed: a deploy through it failed');
    expect(
      await within(rows[0]).findByText('Samir Haddad'),
    ).toBeInTheDocument();
    expect(rows[2]).toHaveTextContent('break-glass');
    expect(rows[2]).toHaveTextContent('Unused: no deploy went through it');
  });

  it('asks for the picked scope and shows the backend’s error with a retry', async () => {
    const getMetrics = jest
      .fn()
      .mockRejectedValueOnce(new Error('metrics are down'))
      .mockResolvedValue(metrics());
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [rcoApiRef, { getMetrics, getGatePolicy: jest.fn() } as any],
          [entityPresentationApiRef, presentation],
        ]}
      >
        <ChartWidth.Provider value={800}>
          <MetricsView
            entityRef={ENTITY}
            environments={['staging', 'production']}
            environment="staging"
          />
        </ChartWidth.Provider>
      </TestApiProvider>,
    );
    expect(
      (await screen.findAllByText(/metrics are down/)).length,
    ).toBeGreaterThan(0);
    const [entity, query] = getMetrics.mock.calls[0];
    expect(entity).toEqual(ENTITY);
    expect(query.environment).toBe('staging');
    const days = (Date.parse(query.to) - Date.parse(query.from)) / 86_400_000;
    expect(days).toBe(90);
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByTestId('rco-metric-lead-time'),
    ).toBeInTheDocument();
    expect(getMetrics).toHaveBeenCalledTimes(2);
  });
});

/**
 * The backend takes only configured environments and picks one itself when none is asked
 * (production if configured, else the last): the view asks none until the user picks one.
 */
describe('Metrics view environment on the portfolio', () => {
  it('asks no environment, shows the one the backend used and offers only the portal’s', async () => {
    const getMetrics = jest.fn(async (_e: unknown, q: any) =>
      metrics({
        scope: { ...metrics().scope, environment: q.environment ?? 'prod' },
      }),
    );
    const api = {
      getRecord: jest.fn(),
      getMetrics,
      getGatePolicy: jest.fn(async () => ({
        ...policy(),
        environments: ['dev', 'stage', 'prod'],
      })),
    } as unknown as RcoApi;
    await renderWith(
      <ChartWidth.Provider value={800}>
        <MetricsView />
      </ChartWidth.Provider>,
      api,
    );
    await screen.findByTestId('rco-metric-lead-time');
    expect(getMetrics.mock.calls[0][1].environment).toBeUndefined();
    const picker = screen.getByRole('button', { name: /Environment/ });
    expect(picker).toHaveTextContent('prod');
    fireEvent.mouseDown(picker);
    const options = within(await screen.findByRole('listbox'))
      .getAllByRole('option')
      .map(o => o.textContent);
    expect(options).toEqual(['dev', 'stage', 'prod']);
    fireEvent.click(screen.getByRole('option', { name: 'stage' }));
    await waitFor(() =>
      expect(getMetrics.mock.calls.at(-1)![1].environment).toBe('stage'),
    );
  });
});

describe('Trend tooltip', () => {
  it('shows hours to two decimals, as the table and the cards do, and counts as they are', () => {
    expect(
      trendTooltipValue(9.254, 'Lead time (h)', { dataKey: 'leadTimeHours' }),
    ).toBe('9.25');
    expect(
      trendTooltipValue(1.751, 'Time to restore (h)', {
        dataKey: 'restoreHours',
      }),
    ).toBe('1.75');
    expect(trendTooltipValue(7, 'Deploys', { dataKey: 'deploys' })).toBe('7');
  });
});
