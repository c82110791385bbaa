import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { GATE_IDS, PortfolioItem } from '@helix-portal/plugin-rco-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router-dom';
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

/** A service with the given gates not passing (the rest pass). */
const svc = (
  name: string,
  notPassing: Record<string, 'fail' | 'missing' | 'stale'>,
  owner = 'group:default/team-a',
): PortfolioItem => {
  const blockedBy = Object.keys(notPassing);
  return {
    entityRef: `component:default/${name.toLowerCase()}`,
    title: name,
    owners: [owner],
    release: { version: '1.0.0' },
    summary: {
      passing: 10 - blockedBy.length,
      total: 10,
      blockedBy,
      waived: [],
      ready: blockedBy.length === 0,
      text: '',
    },
    gates: GATE_IDS.map(id => ({ id, status: notPassing[id] ?? 'pass' })),
  };
};

/** Shows the page's query string, as the address bar would. */
function Address() {
  return <output aria-label="address">{useLocation().search}</output>;
}

const render = (items: PortfolioItem[], url = '/release-readiness') => {
  const api = {
    getPortfolio: jest.fn(async () => ({ items, totalItems: items.length })),
  } as unknown as RcoApi;
  return renderInTestApp(
    <TestApiProvider apis={[[rcoApiRef, api]]}>
      <PortfolioPage />
      <Address />
    </TestApiProvider>,
    { routeEntries: [url] },
  );
};

const serviceLinks = () =>
  screen.getAllByRole('link', { name: /^(Service \d{4}|[A-Z][a-z]+)$/ });

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

  it('sorts by risk by default: failing gates first, then missing, then stale, ready last', async () => {
    await render([
      svc('Ready', {}),
      svc('Stale', { 'monitoring-alerting': 'stale' }),
      svc('Missing', { 'dpo-signoff': 'missing', 'secret-hygiene': 'missing' }),
      svc('Failing', { 'image-scanning': 'fail' }),
      svc('Both', { 'image-scanning': 'fail', 'dpo-signoff': 'missing' }),
    ]);
    await screen.findByText('Governed services (5)', {}, slow);
    expect(serviceLinks().map(l => l.textContent)).toEqual([
      'Both',
      'Failing',
      'Missing',
      'Stale',
      'Ready',
    ]);
  });

  it('gives totals per status in words', async () => {
    await render([
      svc('Ready', {}),
      svc('Missing', { 'dpo-signoff': 'missing' }),
      svc('Failing', { 'image-scanning': 'fail', 'dpo-signoff': 'missing' }),
    ]);
    expect(
      await screen.findByText(
        '1 ready, 2 blocked, 1 service with failing gates, 2 services with missing evidence, 0 services with stale evidence',
        {},
        slow,
      ),
    ).toHaveAttribute('role', 'status');
  });

  it('tells Fail from Missing by icon and word, not colour alone, with gate titles', async () => {
    await render([
      svc('Both', { 'image-scanning': 'fail', 'dpo-signoff': 'missing' }),
    ]);
    const row = (
      await screen.findByRole('link', { name: 'Both' }, slow)
    ).closest('tr') as HTMLElement;
    // The chip is the label's parent; its icon the svg beside the label.
    const icon = (word: string) =>
      within(row).getByText(word).parentElement?.querySelector('svg')
        ?.innerHTML;
    const fail = icon('Fail');
    const missing = icon('Missing');
    expect(fail).toBeTruthy();
    expect(missing).toBeTruthy();
    expect(fail).not.toEqual(missing);
    // Gate titles, not ids; counts in words.
    expect(row).toHaveTextContent('Image & Dependency Scanning');
    expect(row).toHaveTextContent('DPO Sign-off');
    expect(row).not.toHaveTextContent('image-scanning');
    expect(row).toHaveTextContent('2 of 10 gates unmet');
  });

  it('counts waived gates apart from unmet ones (issue 12 review, point 5)', async () => {
    const waived = svc('Waived', { 'image-scanning': 'fail' });
    waived.summary = {
      ...waived.summary,
      passing: 7,
      blockedBy: ['image-scanning'],
      waived: ['dpo-signoff', 'migration-controls'],
    };
    await render([waived]);
    const row = (
      await screen.findByRole('link', { name: 'Waived' }, slow)
    ).closest('tr')!;
    expect(row).toHaveTextContent('1 of 10 gates unmet, 2 waived');
    expect(row).not.toHaveTextContent('3 of 10 gates unmet');
  });

  it('shows owners by name, with the ref on hover', async () => {
    await render([svc('Pay', {}, 'group:default/payments-team')]);
    const row = (
      await screen.findByRole('link', { name: 'Pay' }, slow)
    ).closest('tr') as HTMLElement;
    expect(row).not.toHaveTextContent('group:default/payments-team');
    expect(row).toHaveTextContent('payments-team');
  });

  it('keeps its filters in the query string: a shared link opens the same view', async () => {
    await render(
      Array.from({ length: 6 }, (_, i) => item(i)),
      '/release-readiness?status=fail&owner=group%3Adefault%2Fteam-0',
    );
    // Services 0, 2 and 4 fail; of those only 0 is team-0's.
    expect(
      await screen.findByText('Governed services (1)', {}, slow),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Service 0000' })).toHaveAttribute(
      'href',
      '/catalog/default/component/svc-0000/release',
    );
  });

  it('writes each filter change to the query string', async () => {
    await render(Array.from({ length: 6 }, (_, i) => item(i)));
    await screen.findByText('Governed services (6)', {}, slow);
    await userEvent.click(screen.getByLabelText('Gate status'));
    await userEvent.click(
      within(screen.getByRole('listbox')).getByText('Fail'),
    );
    expect(
      await screen.findByText('Governed services (3)'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('address')).toHaveTextContent('?status=fail');

    await userEvent.click(screen.getByLabelText('Gate'));
    await userEvent.click(
      within(screen.getByRole('listbox')).getByText(
        'Image & Dependency Scanning',
      ),
    );
    expect(screen.getByLabelText('address')).toHaveTextContent(
      '?gate=image-scanning&status=fail',
    );

    await userEvent.click(screen.getByLabelText('Owner'));
    await userEvent.click(
      within(screen.getByRole('listbox')).getByText('team-0'),
    );
    expect(
      await screen.findByText('Governed services (1)'),
    ).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText('Search'), '0000');
    expect(screen.getByLabelText('address')).toHaveTextContent('q=0000');
    expect(screen.getByText('Governed services (1)')).toBeInTheDocument();
  });

  it('searches by service title', async () => {
    await render(
      Array.from({ length: 6 }, (_, i) => item(i)),
      '/release-readiness?q=Service%200003',
    );
    expect(
      await screen.findByText('Governed services (1)', {}, slow),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Search')).toHaveValue('Service 0003');
  });

  it('has a skip link to the services table', async () => {
    await render(Array.from({ length: 3 }, (_, i) => item(i)));
    await screen.findByText('Governed services (3)', {}, slow);
    await userEvent.tab();
    const skip = screen.getByRole('link', {
      name: 'Skip to the services table',
    });
    expect(skip).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    expect(
      screen.getByRole('region', { name: /Governed services/ }),
    ).toHaveFocus();
    // The next Tab lands in the table, not back in the filters.
    await userEvent.tab();
    expect(document.activeElement?.closest('table')).not.toBeNull();
  });

  it('shows no header of its own inside the new frontend system (the app frame has one)', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            rcoApiRef,
            {
              getPortfolio: async () => ({ items: [], totalItems: 0 }),
            } as unknown as RcoApi,
          ],
        ]}
      >
        <PortfolioPage header={false} />
      </TestApiProvider>,
    );
    await screen.findByText('Governed services (0)', {}, slow);
    expect(
      screen.queryByRole('heading', { name: 'Release readiness' }),
    ).toBeNull();
  });
});
