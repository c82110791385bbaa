import { screen, within } from '@testing-library/react';
import { RcoApi } from '../../api/RcoApi';
import { renderWith } from '../../__testUtils__/roadFixtures';
import { DeliveryWeek } from '@helix-portal/plugin-rco-common';
import { ChartWidth } from './ChartSize';
import { MetricsBody } from './MetricsBody';
import { metrics } from './testFixtures';

/**
 * The backend sends heat map cells only for weeks in which a release was
 * judged; the heat map must still show every week of the period (as the trend chart does), not
 * put 2026-09-07 beside 2026-11-16 as if they were adjacent weeks.
 */
jest.setTimeout(30_000);

describe('GateHeatMap weeks', () => {
  it('has a column for every week of the period, judged or not', async () => {
    const base = metrics();
    const weeks: DeliveryWeek[] = [
      '2026-09-07',
      '2026-09-14',
      '2026-09-21',
      '2026-09-28',
      '2026-10-05',
    ].map(week => ({
      week,
      deploys: 0,
      failures: 0,
      leadTimeHours: null,
      restoreHours: null,
    }));
    const m = {
      ...base,
      delivery: { ...base.delivery, weeks },
      effectiveness: {
        ...base.effectiveness,
        cells: [
          {
            gate: 'image-scanning' as const,
            week: '2026-09-07',
            judged: 4,
            blocked: 1,
          },
          {
            gate: 'image-scanning' as const,
            week: '2026-10-05',
            judged: 2,
            blocked: 2,
          },
        ],
      },
    };
    await renderWith(
      <ChartWidth.Provider value={800}>
        <MetricsBody metrics={m} />
      </ChartWidth.Provider>,
      { getRecord: jest.fn() } as unknown as RcoApi,
    );
    const heat = screen.getByTestId('rco-chart-heatmap');
    // The week labels along the top of the drawn map (MM-DD).
    const labels = Array.from(heat.querySelectorAll('svg text'))
      .map(t => t.textContent)
      .filter(t => /^\d\d-\d\d$/.test(t ?? ''));
    expect(labels).toEqual(['09-07', '09-14', '09-21', '09-28', '10-05']);
    // The table alternative says the same: no week of the period silently missing.
    const table = within(screen.getByTestId('rco-chart-table-heatmap'));
    const rows = table
      .getAllByRole('row')
      .slice(1)
      .map(r =>
        Array.from(r.querySelectorAll('th, td')).map(c => c.textContent),
      );
    expect(rows).toEqual([
      ['Image scanning', '2026-09-07', '4', '1', '25 %'],
      ['Image scanning', '2026-09-14', '0', '0', '—'],
      ['Image scanning', '2026-09-21', '0', '0', '—'],
      ['Image scanning', '2026-09-28', '0', '0', '—'],
      ['Image scanning', '2026-10-05', '2', '2', '100 %'],
    ]);
  });

  it('says its cells count releases judged and blocked, a stronger red the larger the share', async () => {
    await renderWith(
      <ChartWidth.Provider value={800}>
        <MetricsBody metrics={metrics()} />
      </ChartWidth.Provider>,
      { getRecord: jest.fn() } as unknown as RcoApi,
    );
    const heat = screen.getByTestId('rco-chart-heatmap');
    const summary = within(heat).getByRole('img');
    expect(summary).toHaveAccessibleName(
      /8 releases blocked in all \(each release counted once a week\); a stronger red is a larger share of the releases judged that the gate blocked/,
    );
    expect(heat.querySelector('table caption')).toHaveTextContent(
      'Releases judged and blocked per gate and week',
    );
    const head = within(screen.getByTestId('rco-chart-table-heatmap'))
      .getAllByRole('row')[0]
      .querySelectorAll('th');
    expect(Array.from(head).map(h => h.textContent)).toEqual([
      'Gate',
      'Week (from Monday)',
      'Releases judged',
      'Releases blocked',
      'Blocked share',
    ]);
  });
});
