import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { GATE_IDS, PortfolioItem } from '@helix-portal/plugin-rco-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { RcoApi, rcoApiRef } from '../../api/RcoApi';
import { PortfolioPage } from './PortfolioPage';

jest.setTimeout(60_000);
const slow = { timeout: 20_000 };

const failing: Record<string, 'fail' | 'missing'> = {
  'image-scanning': 'fail',
  'dpo-signoff': 'missing',
};

const item = (i: number): PortfolioItem => ({
  entityRef: `component:default/svc-${String(i).padStart(4, '0')}`,
  title: `Service ${String(i).padStart(4, '0')}`,
  owners: [`group:default/team-${i % 3}`],
  release: { version: `1.${i}.0` },
  summary: {
    passing: i % 2 ? 10 : 8,
    total: 10,
    blockedBy: i % 2 ? [] : ['image-scanning', 'dpo-signoff'],
    waived: [],
    ready: i % 2 === 1,
    text: '',
  },
  gates: GATE_IDS.map(id => ({
    id,
    // Every other service fails image scanning and misses the DPO sign-off.
    status: (i % 2 === 0 && failing[id]) || 'pass',
  })),
});

describe('PortfolioPage', () => {
  it('loads 1,000 services in pages from the backend and shows one table page of them', async () => {
    const all = Array.from({ length: 1000 }, (_, i) => item(i));
    const getPortfolio = jest.fn(async ({ offset = 0, limit = 500 } = {}) => ({
      items: all.slice(offset, offset + limit),
      totalItems: all.length,
    }));
    await renderInTestApp(
      <TestApiProvider
        apis={[[rcoApiRef, { getPortfolio } as unknown as RcoApi]]}
      >
        <PortfolioPage />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText('Governed services (1000)', {}, slow),
    ).toBeInTheDocument();
    expect(getPortfolio).toHaveBeenCalledTimes(2);
    // 20 rows rendered, not 1,000: paging keeps the page light.
    expect(
      screen.getAllByRole('link', { name: /^Service \d{4}$/ }),
    ).toHaveLength(20);
  });

  it('filters by gate status and by owner', async () => {
    const all = Array.from({ length: 6 }, (_, i) => item(i));
    const api = {
      getPortfolio: jest.fn(async () => ({
        items: all,
        totalItems: all.length,
      })),
    } as unknown as RcoApi;
    await renderInTestApp(
      <TestApiProvider apis={[[rcoApiRef, api]]}>
        <PortfolioPage />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText('Governed services (6)', {}, slow),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText('Gate status'));
    await userEvent.click(
      within(screen.getByRole('listbox')).getByText('fail'),
    );
    expect(
      await screen.findByText('Governed services (3)'),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Service 0000' })).toHaveAttribute(
      'href',
      '/catalog/default/component/svc-0000/release',
    );
    await userEvent.click(screen.getByLabelText('Owner'));
    await userEvent.click(
      within(screen.getByRole('listbox')).getByText('group:default/team-0'),
    );
    expect(
      await screen.findByText('Governed services (1)'),
    ).toBeInTheDocument();
  });
});
