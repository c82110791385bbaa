import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  collection,
  minutesAgo,
  mockApi,
  render,
  slow,
} from '../../__testUtils__/releaseFixtures';
import {
  clusterLabel,
  collectionSummary,
  groupByCluster,
  kindLabel,
} from './collectionWords';

jest.setTimeout(30_000);

const withCollection = (
  overrides: Parameters<typeof mockApi>[0] = {},
  value = collection(),
) =>
  mockApi({
    getCollection: jest.fn(async () => value),
    refreshCollection: jest.fn(async () => value),
    ...overrides,
  });

const cluster = (name: string) =>
  screen.findByRole('region', { name: `Collection from ${name}` }, slow);

describe('Collection health on the Release tab (issue 13)', () => {
  it('shows each cluster and kind: state in words, environments, last success, objects', async () => {
    await render(withCollection());
    const simulated = await cluster('simulated-cluster');
    // A simulated cluster says so, in words, where its name is.
    expect(within(simulated).getByText('Simulated cluster')).toBeVisible();
    expect(simulated).toHaveTextContent(/Nothing real runs there/);

    // The working kinds in one line; each on demand.
    expect(simulated).toHaveTextContent(
      /1 kind collected, 2 objects of this service, last success .*\(2 minutes ago\)/,
    );
    const show = within(simulated).getByRole('button', {
      name: 'Show the 1 kind collected from simulated-cluster',
    });
    expect(show).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(show);
    expect(
      within(simulated).getByRole('button', {
        name: 'Hide the kinds collected from simulated-cluster',
      }),
    ).toHaveAttribute('aria-expanded', 'true');
    const ok = within(simulated).getByRole('listitem', {
      name: 'policyreports in simulated-cluster',
    });
    expect(within(ok).getByText('OK')).toBeInTheDocument();
    expect(ok).toHaveTextContent('for staging, production');
    expect(ok).toHaveTextContent(/last success .*\(2 minutes ago\)/);
    expect(ok).toHaveTextContent('2 objects');
    expect(ok.querySelector('time')).toHaveAttribute('dateTime');

    const monitoring = await cluster('monitoring');
    const never = within(monitoring).getByRole('listitem', {
      name: 'alerting-rules in monitoring',
    });
    expect(within(never).getByText('Not collected yet')).toBeInTheDocument();
    expect(never).toHaveTextContent('never collected successfully');
    expect(
      within(monitoring).queryByText('Simulated cluster'),
    ).not.toBeInTheDocument();
  });

  it('shows a kind’s note under it without expanding: objects that went to no entity', async () => {
    const note =
      '1 object(s) matched the label selectors of more than one entity and were attributed to none: rco/rco-report (component:default/rco, component:sandbox/rco)';
    const value = collection();
    value.health = [{ ...value.health[0], note }, ...value.health.slice(1)];
    await render(withCollection({}, value));
    const simulated = await cluster('simulated-cluster');
    const row = within(simulated).getByRole('listitem', {
      name: 'policyreports in simulated-cluster',
    });
    expect(within(row).getByRole('note')).toHaveTextContent(note);
    expect(within(row).getByText('OK')).toBeInTheDocument();
  });

  it('says a failing collection with its error in words and when it last worked, failing kinds first', async () => {
    await render(withCollection());
    const simulated = await cluster('simulated-cluster');
    const rows = within(simulated).getAllByRole('listitem');
    expect(rows[0]).toHaveAccessibleName(
      'backups.velero.io in simulated-cluster',
    );
    expect(within(rows[0]).getByText('Failing')).toBeInTheDocument();
    expect(rows[0]).toHaveTextContent(
      'simulated-cluster answered 403 Forbidden: the service account may not list backups.velero.io in namespace velero',
    );
    expect(rows[0]).toHaveTextContent(/last success .*\(1 hour ago\)/);
    expect(rows[0]).toHaveTextContent(/Last attempt 2 minutes ago/);
    expect(rows[0]).toHaveTextContent(/goes stale with age/);
    // The summary names it too.
    expect(
      screen.getByText(
        /^1 of 3 kinds failing: backups\.velero\.io in simulated-cluster; 1 kind not collected yet\./,
      ),
    ).toBeInTheDocument();
  });

  it('lets an owner collect now: disabled while it runs, the result announced, the page re-read', async () => {
    let finish: () => void = () => {};
    const after = collection();
    after.health[0].lastSuccessAt = new Date().toISOString();
    const api = withCollection({
      refreshCollection: jest.fn(
        () =>
          new Promise(resolve => {
            finish = () => resolve(after);
          }),
      ),
    });
    await render(api);
    const simulated = await cluster('simulated-cluster');
    await userEvent.click(
      within(simulated).getByRole('button', { name: /^Show the 1 kind/ }),
    );
    const row = within(simulated).getByRole('listitem', {
      name: 'policyreports in simulated-cluster',
    });
    expect(row).toHaveTextContent('(2 minutes ago)');
    const statusReads = (api.getStatus as jest.Mock).mock.calls.length;

    await userEvent.click(screen.getByRole('button', { name: 'Collect now' }));
    const busy = screen.getByRole('button', { name: 'Collecting…' });
    expect(busy).toBeDisabled();
    expect(api.refreshCollection).toHaveBeenCalledTimes(1);

    finish();
    expect(
      await screen.findByText(/^Collection finished\. 1 of 3 kinds failing/),
    ).toHaveAttribute('role', 'status');
    await waitFor(() =>
      expect(
        within(simulated).getByRole('listitem', {
          name: 'policyreports in simulated-cluster',
        }),
      ).toHaveTextContent(/\((now|\d+ seconds? ago)\)/),
    );
    expect(screen.getByRole('button', { name: 'Collect now' })).toBeEnabled();
    // Gates may rest on what was collected: the page reads them again.
    await waitFor(() =>
      expect((api.getStatus as jest.Mock).mock.calls.length).toBeGreaterThan(
        statusReads,
      ),
    );
  });

  it("says a refused collection in the backend's words, beside the button", async () => {
    const refusal = Object.assign(new Error('Request failed with 403'), {
      body: {
        error: {
          message:
            'Only the owners of component:default/rco may collect its evidence now',
        },
      },
    });
    await render(
      withCollection({
        refreshCollection: jest.fn(async () => {
          throw refusal;
        }),
      }),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Collect now' }, slow),
    );
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'Could not collect now: Only the owners of component:default/rco may collect its evidence now',
    );
    expect(screen.getByRole('button', { name: 'Collect now' })).toBeEnabled();
  });

  it('offers no button to someone who may not collect, and says who can', async () => {
    await render(withCollection({}, collection({ canRefresh: false })));
    await cluster('simulated-cluster');
    expect(
      screen.queryByRole('button', { name: 'Collect now' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByText(/The service's owners can collect now/),
    ).toBeInTheDocument();
  });

  it('says in a line that nothing is collected when no collector is configured', async () => {
    await render(
      withCollection({}, { configured: false, canRefresh: false, health: [] }),
    );
    expect(
      await screen.findByText(
        /The console collects no evidence itself here/,
        {},
        slow,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Collect now' }),
    ).not.toBeInTheDocument();
  });

  it('says when the health cannot be read, with Retry', async () => {
    let fail = true;
    const api = withCollection({
      getCollection: jest.fn(async () => {
        if (fail) throw new Error('rco backend unavailable');
        return collection();
      }),
    });
    await render(api);
    expect(
      await screen.findByText(
        /Could not read the collection health: rco backend unavailable/,
        {},
        slow,
      ),
    ).toBeInTheDocument();
    fail = false;
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await cluster('simulated-cluster')).toBeInTheDocument();
  });

  it('shows nothing for a client without collection (older backends)', async () => {
    await render(mockApi());
    await screen.findByLabelText(/^Verdict:/, {}, slow);
    expect(
      screen.queryByText('Evidence the console collects'),
    ).not.toBeInTheDocument();
  });
});

describe('collection words', () => {
  it('summarises all-good, failing and never-collected health', () => {
    const [ok, failing, never] = collection().health;
    expect(collectionSummary([])).toBe(
      'Nothing to collect for this service yet',
    );
    expect(collectionSummary([ok])).toBe('The 1 kind is collected');
    expect(collectionSummary([ok, { ...ok, kind: 'b' }])).toBe(
      'All 2 kinds collected',
    );
    expect(collectionSummary([ok, failing])).toBe(
      '1 of 2 kinds failing: backups.velero.io in simulated-cluster',
    );
    expect(collectionSummary([ok, never])).toBe('1 kind not collected yet');
  });

  it('groups by cluster in listed order, failing first, simulated if any row says so', () => {
    const [ok, failing, never] = collection().health;
    const groups = groupByCluster([
      ok,
      never,
      failing,
      { ...ok, kind: 'x', lastSuccessAt: minutesAgo(1), simulated: false },
    ]);
    expect(groups.map(g => g.cluster)).toEqual([
      'simulated-cluster',
      'monitoring',
    ]);
    expect(groups[0].rows.map(r => r.kind)).toEqual([
      'backups.velero.io',
      'policyreports',
      'x',
    ]);
    expect(groups[0].simulated).toBe(true);
    expect(groups[1].simulated).toBe(false);
  });

  it('names a collector that reached no cluster yet, or failed before any, in words', () => {
    const none = { collector: 'prometheus', cluster: '', kind: '' };
    const whole = { collector: 'kubernetes', cluster: '*', kind: '*' };
    expect(clusterLabel(none)).toBe('the prometheus collector');
    expect(kindLabel(none)).toBe('every kind');
    expect(clusterLabel(whole)).toBe(
      'every cluster of the kubernetes collector',
    );
    expect(kindLabel(whole)).toBe('every kind');
    expect(
      collectionSummary([
        { ...whole, environments: [], state: 'failing', error: 'x' },
      ]),
    ).toBe(
      '1 of 1 kind failing: every kind in every cluster of the kubernetes collector',
    );
  });
});
