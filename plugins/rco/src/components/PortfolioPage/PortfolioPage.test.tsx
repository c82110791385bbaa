import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  GATES,
  GATE_IDS,
  GateStatus,
  PortfolioItem,
  PortfolioResponse,
} from '@helix-portal/plugin-rco-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation, useNavigate } from 'react-router-dom';
import { RcoApi, rcoApiRef, RcoPortfolioQuery } from '../../api/RcoApi';
import { PortfolioPage } from './PortfolioPage';

jest.setTimeout(60_000);
const slow = { timeout: 20_000 };

const FAILING: Record<string, GateStatus> = {
  'image-scanning': 'fail',
  'dpo-signoff': 'missing',
};

/** Service i: every other one fails image scanning and misses the DPO sign-off. */
const item = (i: number): PortfolioItem => {
  const failing = i % 2 === 0;
  const status = (id: string): GateStatus => (failing && FAILING[id]) || 'pass';
  return {
    entityRef: `component:default/svc-${String(i).padStart(4, '0')}`,
    title: `Service ${String(i).padStart(4, '0')}`,
    owners: [`group:default/team-${i % 3}`],
    release: { version: `1.${i}.0` },
    summary: {
      passing: failing ? 8 : 10,
      total: 10,
      blockedBy: failing ? ['image-scanning', 'dpo-signoff'] : [],
      waived: [],
      ready: !failing,
      text: '',
    },
    gates: GATE_IDS.map(id => ({
      id,
      status: status(id),
      validUntil:
        id === 'secret-hygiene' && i % 5 === 0
          ? '2026-12-01T10:00:00Z'
          : undefined,
    })),
    expiresSoon: i % 5 === 0 ? ['secret-hygiene'] : [],
    judgedAt: '2026-11-30T08:00:00Z',
    // Service 0003 was deployed to production twice without its review written.
    ...(i === 3 ? { openReviews: 2 } : {}),
  };
};

/** A backend in miniature: filters by status and expiring, pages, counts per gate. */
function backend(all: PortfolioItem[]) {
  return jest.fn(
    async (q: RcoPortfolioQuery = {}): Promise<PortfolioResponse> => {
      const rows = all.filter(
        i =>
          (!q.status || i.gates.some(g => g.status === q.status)) &&
          (!q.expiring || (i.expiresSoon ?? []).length > 0),
      );
      const count = (id: string, s: GateStatus) =>
        rows.filter(r => r.gates.some(g => g.id === id && g.status === s))
          .length;
      const offset = q.offset ?? 0;
      return {
        totalItems: rows.length,
        items: rows.slice(offset, offset + (q.limit ?? 50)),
        totals: {
          services: rows.length,
          ready: rows.filter(r => r.summary.ready).length,
          blocked: rows.filter(r => !r.summary.ready).length,
          failing: rows.filter(r => r.gates.some(g => g.status === 'fail'))
            .length,
          missing: rows.filter(r => r.gates.some(g => g.status === 'missing'))
            .length,
          stale: 0,
        },
        columns: GATES.map(g => ({
          id: g.id,
          title: g.title,
          counts: {
            pass: count(g.id, 'pass'),
            fail: count(g.id, 'fail'),
            missing: count(g.id, 'missing'),
            stale: 0,
            waived: 0,
          },
        })),
        horizon: 'P3D',
        pending: 0,
      };
    },
  );
}

/** Shows the page's query string, as the address bar would. */
function Address() {
  const navigate = useNavigate();
  return (
    <>
      <div aria-label="address">{useLocation().search}</div>
      {/* A shared link opened while the page stays mounted (or the back button). */}
      <button
        onClick={() => navigate('/release-readiness?q=payments&view=table')}
      >
        shared link
      </button>
    </>
  );
}

const render = (
  api: Partial<RcoApi>,
  url = '/release-readiness',
  header?: boolean,
) =>
  renderInTestApp(
    <TestApiProvider apis={[[rcoApiRef, api as RcoApi]]}>
      <PortfolioPage header={header} />
      <Address />
    </TestApiProvider>,
    { routeEntries: [url] },
  );

const lastQuery = (fn: jest.Mock) => fn.mock.calls[fn.mock.calls.length - 1][0];

beforeEach(() => {
  // jsdom lays nothing out: the heat map's scroll box gets the height of 20 rows.
  jest.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(560);
});
afterEach(() => jest.restoreAllMocks());

describe('PortfolioPage', () => {
  it('opens on the heat map: gate titles with counts, one labelled cell per gate', async () => {
    const getPortfolio = backend(Array.from({ length: 6 }, (_, i) => item(i)));
    await render({ getPortfolio });
    const map = await screen.findByRole(
      'region',
      { name: 'Heat map of services by gate' },
      slow,
    );
    expect(screen.getByText('Governed services (6)')).toBeInTheDocument();
    // Column headers are gate titles with counts over every filtered service.
    const header = within(map).getByRole('columnheader', {
      name: /Image & Dependency Scanning/,
    });
    expect(header).toHaveTextContent('3 fail, 3 pass');
    expect(header).toHaveTextContent('✕3 ✓3');
    expect(within(map).queryByText('image-scanning')).toBeNull();
    // A row per service: its title links to its Release tab; each cell says its status in
    // words, with gate title and status as its name.
    const row = within(map)
      .getByRole('link', { name: 'Service 0000' })
      .closest('tr')!;
    expect(
      within(map).getByRole('link', { name: 'Service 0000' }),
    ).toHaveAttribute('href', '/catalog/default/component/svc-0000/release');
    const fail = within(row).getByRole('cell', {
      name: 'Image & Dependency Scanning: fail',
    });
    expect(fail).toHaveTextContent('fail');
    expect(fail).toHaveAttribute('title', 'Image & Dependency Scanning: fail');
    expect(
      within(row).getByRole('cell', { name: 'DPO Sign-off: missing' }),
    ).toHaveTextContent('missing');
    // Evidence ageing out soon is said in the cell's name.
    expect(
      within(row).getByRole('cell', {
        name: /^Secret Hygiene: pass, expires soon/,
      }),
    ).toBeInTheDocument();
    // The heat map asks for big pages; the totals come from the backend.
    expect(getPortfolio).toHaveBeenCalledWith(
      expect.objectContaining({ offset: 0, limit: 500, sort: 'risk' }),
    );
    expect(screen.getByRole('status')).toHaveTextContent(
      '3 ready, 3 blocked, 3 services with failing gates',
    );
  });

  it('renders only the rows in view and loads further pages as the heat map scrolls', async () => {
    const getPortfolio = backend(
      Array.from({ length: 2000 }, (_, i) => item(i)),
    );
    await render({ getPortfolio });
    const map = await screen.findByRole(
      'region',
      { name: 'Heat map of services by gate' },
      slow,
    );
    await within(map).findByRole('link', { name: 'Service 0000' });
    expect(within(map).getAllByRole('row').length).toBeLessThan(60);
    expect(getPortfolio).toHaveBeenCalledTimes(1);
    map.scrollTop = 28 * 1200;
    fireEvent.scroll(map);
    await waitFor(() =>
      expect(getPortfolio).toHaveBeenCalledWith(
        expect.objectContaining({ offset: 1000, limit: 500 }),
      ),
    );
    expect(
      await within(map).findByRole('link', { name: 'Service 1200' }),
    ).toBeInTheDocument();
    expect(
      within(map).queryByRole('link', { name: 'Service 0000' }),
    ).toBeNull();
  });

  it('switches between heat map and table, keeping the choice in the query string', async () => {
    const getPortfolio = backend(Array.from({ length: 6 }, (_, i) => item(i)));
    await render({ getPortfolio });
    await screen.findByRole('region', { name: /Heat map/ }, slow);
    expect(screen.getByRole('button', { name: 'Heat map' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Table' }));
    await waitFor(() =>
      expect(screen.getByLabelText('address')).toHaveTextContent('?view=table'),
    );
    const table = await screen.findByRole('table', {}, slow);
    expect(
      within(table).getByRole('columnheader', { name: 'Readiness' }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: /Heat map/ })).toBeNull();
    // The table asks for one page of 50.
    expect(lastQuery(getPortfolio)).toMatchObject({ offset: 0, limit: 50 });
    await userEvent.click(screen.getByRole('button', { name: 'Heat map' }));
    await waitFor(() =>
      expect(screen.getByLabelText('address')).toHaveTextContent(/^$/),
    );
    expect(
      await screen.findByRole('region', { name: /Heat map/ }),
    ).toBeInTheDocument();
  });

  it('shows the table from a shared link, with readiness, expiring gates by title and the filters applied by the backend', async () => {
    const getPortfolio = backend(Array.from({ length: 12 }, (_, i) => item(i)));
    await render(
      { getPortfolio },
      '/release-readiness?view=table&status=fail&owner=group%3Adefault%2Fteam-0',
    );
    const link = await screen.findByRole(
      'link',
      { name: 'Service 0000' },
      slow,
    );
    expect(getPortfolio).toHaveBeenCalledWith({
      owner: 'group:default/team-0',
      gate: undefined,
      status: 'fail',
      q: undefined,
      expiring: undefined,
      sort: 'risk',
      order: 'asc',
      offset: 0,
      limit: 50,
    });
    const row = link.closest('tr')!;
    expect(row).toHaveTextContent('2 of 10 gates unmet');
    expect(row).toHaveTextContent('Image & Dependency Scanning');
    expect(row).toHaveTextContent('⌛ Secret Hygiene');
    expect(row).not.toHaveTextContent('image-scanning');
    expect(row).not.toHaveTextContent('group:default/team-0');
    expect(row).not.toHaveTextContent('open');
  });

  it('names the open reviews after production deploys on the service row of the table', async () => {
    const getPortfolio = backend(Array.from({ length: 6 }, (_, i) => item(i)));
    await render({ getPortfolio }, '/release-readiness?view=table');
    const link = await screen.findByRole(
      'link',
      { name: 'Service 0003' },
      slow,
    );
    expect(
      within(link.closest('tr')!).getByLabelText(
        '2 reviews after a production deploy open',
      ),
    ).toHaveTextContent('2 reviews open');
    expect(
      within(
        screen.getByRole('link', { name: 'Service 0001' }).closest('tr')!,
      ).queryByLabelText(/reviews? after a production deploy open/),
    ).toBeNull();
  });

  it('sends each filter, order and page to the backend and writes them to the query string', async () => {
    const getPortfolio = backend(
      Array.from({ length: 240 }, (_, i) => item(i)),
    );
    await render({ getPortfolio }, '/release-readiness?view=table');
    await screen.findByText('Governed services (240)', {}, slow);

    // A native select: no menu left over the page once chosen (PortfolioFilterBar).
    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Gate status' }),
      'Fail',
    );
    expect(
      await screen.findByText('Governed services (120)', {}, slow),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('address')).toHaveTextContent(
      '?status=fail&view=table',
    );
    expect(lastQuery(getPortfolio)).toMatchObject({
      status: 'fail',
      offset: 0,
    });

    await userEvent.click(screen.getByLabelText('Expires soon'));
    // The box shows the click at once, before the query string and the answer follow.
    expect(screen.getByLabelText('Expires soon')).toBeChecked();
    await screen.findByText('Governed services (24)', {}, slow);
    expect(lastQuery(getPortfolio)).toMatchObject({
      status: 'fail',
      expiring: true,
    });
    await userEvent.click(screen.getByLabelText('Expires soon'));
    await screen.findByText('Governed services (120)', {}, slow);

    await userEvent.click(screen.getByRole('button', { name: 'Service' }));
    await waitFor(() =>
      expect(lastQuery(getPortfolio)).toMatchObject({
        sort: 'title',
        order: 'asc',
      }),
    );
    expect(screen.getByLabelText('address')).toHaveTextContent('sort=title');
    await userEvent.click(screen.getByRole('button', { name: 'Service' }));
    await waitFor(() =>
      expect(lastQuery(getPortfolio)).toMatchObject({ order: 'desc' }),
    );

    await userEvent.click(
      await screen.findByRole('button', { name: 'Next page' }, slow),
    );
    await waitFor(() =>
      expect(lastQuery(getPortfolio)).toMatchObject({
        offset: 50,
        limit: 50,
        status: 'fail',
        sort: 'title',
        order: 'desc',
      }),
    );

    await userEvent.type(screen.getByLabelText('Search'), 'pay');
    await waitFor(() =>
      expect(lastQuery(getPortfolio)).toMatchObject({ q: 'pay', offset: 0 }),
    );
    expect(screen.getByLabelText('address')).toHaveTextContent('q=pay');
    // The search waits for a pause: one request for the word, not one per key.
    expect(
      getPortfolio.mock.calls.filter(([q]) => q?.q !== undefined),
    ).toHaveLength(1);
  });

  it('keeps both of two filters chosen before the first reaches the query string', async () => {
    const getPortfolio = backend(
      Array.from({ length: 240 }, (_, i) => item(i)),
    );
    await render({ getPortfolio }, '/release-readiness?view=table');
    await screen.findByText('Governed services (240)', {}, slow);
    // Two changes in one go, as a script (or a quick hand) makes them: the query string is
    // written in a task of its own, after both.
    fireEvent.change(screen.getByRole('combobox', { name: 'Gate' }), {
      target: { value: 'image-scanning' },
    });
    fireEvent.change(screen.getByRole('combobox', { name: 'Gate status' }), {
      target: { value: 'fail' },
    });
    await waitFor(() =>
      expect(screen.getByLabelText('address')).toHaveTextContent(
        '?gate=image-scanning&status=fail&view=table',
      ),
    );
    await waitFor(() =>
      expect(lastQuery(getPortfolio)).toMatchObject({
        gate: 'image-scanning',
        status: 'fail',
      }),
    );
    // Read back, the changes are no longer pending: a later change starts from the address.
    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Gate' }),
      'Any gate',
    );
    await waitFor(() =>
      expect(screen.getByLabelText('address')).toHaveTextContent(
        '?status=fail&view=table',
      ),
    );
  });

  it('a blank search is not carried into later writes over a link opened since', async () => {
    const getPortfolio = backend(
      Array.from({ length: 240 }, (_, i) => item(i)),
    );
    await render({ getPortfolio }, '/release-readiness?view=table');
    await screen.findByText('Governed services (240)', {}, slow);
    // Spaces only: the query string never shows them (queryOf), so they must not wait for it.
    await userEvent.type(screen.getByLabelText('Search'), '  ');
    await new Promise(r => setTimeout(r, 400));
    await userEvent.click(screen.getByRole('button', { name: 'shared link' }));
    await waitFor(() =>
      expect(screen.getByLabelText('address')).toHaveTextContent(
        '?q=payments&view=table',
      ),
    );
    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Gate' }),
      'DPO Sign-off',
    );
    await waitFor(() =>
      expect(screen.getByLabelText('address')).toHaveTextContent(
        '?gate=dpo-signoff&q=payments&view=table',
      ),
    );
  });

  it('exports the CSV with the filters shown, fetched and saved as a file', async () => {
    const getPortfolio = backend([item(0)]);
    const exportPortfolio = jest.fn(
      async () => new Blob(['entityRef\n'], { type: 'text/csv' }),
    );
    const createObjectURL = jest.fn(() => 'blob:csv');
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function saved(this: HTMLAnchorElement) {
        expect(this.download).toBe('release-readiness.csv');
        expect(this.href).toBe('blob:csv');
      });
    await render(
      { getPortfolio, exportPortfolio },
      '/release-readiness?gate=image-scanning&status=fail&sort=title',
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Export CSV' }, slow),
    );
    await waitFor(() => expect(click).toHaveBeenCalled());
    expect(exportPortfolio).toHaveBeenCalledWith(
      expect.objectContaining({
        gate: 'image-scanning',
        status: 'fail',
        sort: 'title',
        order: 'asc',
      }),
    );
  });

  it('says when the export fails', async () => {
    await render({
      getPortfolio: backend([item(0)]),
      exportPortfolio: jest.fn(async () => {
        throw new Error('forbidden');
      }),
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Export CSV' }, slow),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Export failed: forbidden',
    );
  });

  it('shows an error panel when the portfolio cannot be read, and tries again', async () => {
    const getPortfolio = jest
      .fn()
      .mockRejectedValueOnce(new Error('backend down'))
      .mockImplementation(backend([item(1)]));
    await render({ getPortfolio });
    expect(
      (await screen.findAllByText(/backend down/, {}, slow)).length,
    ).toBeGreaterThan(0);
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByRole('link', { name: 'Service 0001' }, slow),
    ).toBeInTheDocument();
  });

  it('says so when there is no governed service, and when no service matches', async () => {
    const getPortfolio = backend([]);
    const { unmount } = await render({ getPortfolio });
    expect(
      await screen.findByText('No governed services yet.', {}, slow),
    ).toBeInTheDocument();
    expect(screen.getByText('Governed services (0)')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('No services');
    unmount();
    await render({ getPortfolio }, '/release-readiness?status=stale');
    expect(
      await screen.findByText('No services match these filters.', {}, slow),
    ).toBeInTheDocument();
  });

  /** A backend still judging 3 of `all`'s services until `judge()` is called. */
  function judging(all: PortfolioItem[]) {
    const judged = backend(all);
    const partial = backend(all.slice(0, all.length - 3));
    let done = false;
    const getPortfolio = jest.fn(async (q?: RcoPortfolioQuery) =>
      done ? judged(q) : { ...(await partial(q)), pending: 3 },
    );
    return { getPortfolio, judge: () => (done = true) };
  }
  // The page asks again every few seconds; a loaded CI machine renders 400 rows slowly.
  const refreshed = { timeout: 20_000 };

  it('says how many services are being judged and fills in by itself, on the page the user is on', async () => {
    const { getPortfolio, judge } = judging(
      Array.from({ length: 100 }, (_, i) => item(i)),
    );
    await render({ getPortfolio }, '/release-readiness?view=table');
    await screen.findByText('Governed services (97)', {}, slow);
    expect(screen.getByRole('status')).toHaveTextContent(
      '3 services are being judged…',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('51-97 of 97', {}, slow)).toBeVisible();
    // Asked again while they are pending, the page shown (offset 50) and not the first.
    const asked = getPortfolio.mock.calls.length;
    await waitFor(
      () => expect(getPortfolio.mock.calls.length).toBeGreaterThan(asked),
      refreshed,
    );
    expect(lastQuery(getPortfolio)).toMatchObject({ offset: 50, limit: 50 });
    expect(screen.getByText('Governed services (97)')).toBeInTheDocument();

    judge();
    expect(
      await screen.findByText('Governed services (100)', {}, refreshed),
    ).toBeInTheDocument();
    expect(await screen.findByText('51-100 of 100')).toBeVisible();
    expect(
      screen.getByRole('link', { name: 'Service 0099' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('status')).not.toHaveTextContent(/being judged/);
    expect(screen.getByLabelText('address')).toHaveTextContent('?view=table');
    // Nothing pending: no more asking.
    const settled = getPortfolio.mock.calls.length;
    await new Promise(r => setTimeout(r, 2_500));
    expect(getPortfolio).toHaveBeenCalledTimes(settled);
  });

  it('fills the heat map in where it is scrolled to, without going back to the top', async () => {
    const { getPortfolio, judge } = judging(
      Array.from({ length: 400 }, (_, i) => item(i)),
    );
    await render({ getPortfolio });
    const map = await screen.findByRole(
      'region',
      { name: 'Heat map of services by gate' },
      slow,
    );
    await screen.findByText('Governed services (397)', {}, slow);
    map.scrollTop = 28 * 380;
    fireEvent.scroll(map);
    await within(map).findByRole('link', { name: 'Service 0390' }, slow);
    judge();
    expect(
      await screen.findByText('Governed services (400)', {}, refreshed),
    ).toBeInTheDocument();
    // Filled in where the user is: not sent back to the top.
    expect(map.scrollTop).toBe(28 * 380);
    expect(
      within(map).getByRole('link', { name: 'Service 0390' }),
    ).toBeTruthy();
    // The services judged last are there below (how many rows the window holds depends on
    // the virtualiser's measurements in jsdom, so scroll to them).
    map.scrollTop = 28 * 400;
    fireEvent.scroll(map);
    expect(
      await within(map).findByRole('link', { name: 'Service 0399' }, refreshed),
    ).toBeInTheDocument();
  });

  it('says when no service has been judged yet instead of "no governed services"', async () => {
    const { getPortfolio } = judging([item(0), item(1), item(2)]);
    await render({ getPortfolio });
    expect(
      await screen.findByText('No service has been judged yet.', {}, slow),
    ).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent(
      'No services3 services are being judged…',
    );
    expect(screen.queryByText('No governed services yet.')).toBeNull();
  });

  it('has a skip link to the services', async () => {
    await render({ getPortfolio: backend([item(0), item(1)]) });
    await screen.findByText('Governed services (2)', {}, slow);
    await userEvent.tab();
    expect(
      screen.getByRole('link', { name: 'Skip to the services' }),
    ).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    expect(
      screen.getByRole('region', { name: /Governed services/ }),
    ).toHaveFocus();
  });

  it('shows no header of its own inside the new frontend system (the app frame has one)', async () => {
    await render({ getPortfolio: backend([]) }, '/release-readiness', false);
    await screen.findByText('Governed services (0)', {}, slow);
    expect(
      screen.queryByRole('heading', { name: 'Release readiness' }),
    ).toBeNull();
  });
});
