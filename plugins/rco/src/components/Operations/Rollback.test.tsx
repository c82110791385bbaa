import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  CHANNEL,
  hoursAgo,
  mockApi,
  operation,
  production,
  publish,
  renderPanel,
  revisions,
  TITLE,
} from '../../__testUtils__/operationsFixtures';

jest.setTimeout(30_000);
const slow = { timeout: 15_000 };

/** The deploys that made production's revisions 3 and 4; 4 ran a database migration. */
const deploy3 = operation({
  id: 'd3',
  state: 'succeeded',
  release: { version: '1.3.1', digest: 'sha256:31' },
  resultRevision: '3',
  createdAt: hoursAgo(50),
});
const deploy4 = operation({
  id: 'd4',
  state: 'succeeded',
  release: { version: '1.3.2', digest: 'sha256:32' },
  resultRevision: '4',
  createdAt: hoursAgo(2),
  steps: [
    {
      id: 'preflight',
      title: 'Preflight: gates and sign-offs',
      status: 'done',
    },
    {
      id: 'db-migration',
      title: 'Database migration: V42__add_call_index',
      status: 'done',
      irreversible: true,
      finishedAt: hoursAgo(2),
    },
    { id: 'deploy', title: 'Canary rollout', status: 'done' },
  ],
});
/** A succeeded dry-run of revision 3 since revision 4 went live: Roll back may be pressed. */
const dryRun3 = operation({
  id: 'dry-3',
  type: 'rollback-dry-run',
  targetRevision: '3',
  release: {},
  state: 'succeeded',
  createdAt: hoursAgo(1),
  progress: {
    phase: 'succeeded',
    message: 'Rollback to revision 3 would succeed (dry run, nothing changed)',
  },
});

describe('Rollback is safe by default (issue 12, point 6)', () => {
  it('names the revision picker, so assistive technology can find it', async () => {
    await renderPanel(mockApi());
    expect(
      await screen.findByRole(
        'combobox',
        { name: 'Revision to roll back to' },
        slow,
      ),
    ).toBeInTheDocument();
  });

  it('picks the revision that was just replaced by default, not the oldest listed nor the serving one', async () => {
    await renderPanel(mockApi());
    const picker = await screen.findByRole(
      'combobox',
      { name: 'Revision to roll back to' },
      slow,
    );
    // Helm lists revisions oldest first: 1, 2, 3, 4 (serving).
    expect(picker).toHaveValue('3');
    expect(
      within(picker)
        .getAllByRole('option')
        .map(o => (o as HTMLOptionElement).value),
    ).toEqual(['1', '2', '3']);
  });

  it('follows what serves until someone picks: after a deploy, the revision that deploy replaced', async () => {
    const after = [
      ...revisions.map(r => ({ ...r, current: false, status: 'superseded' })),
      {
        revision: '5',
        status: 'deployed',
        current: true,
        updatedAt: hoursAgo(0),
      },
    ];
    let envs = [production()];
    const api = mockApi({ listEnvironments: jest.fn(async () => envs) });
    await renderPanel(api);
    const picker = await screen.findByRole(
      'combobox',
      { name: 'Revision to roll back to' },
      slow,
    );
    expect(picker).toHaveValue('3');
    envs = [production({ revisions: after, currentRevision: after[4] })];
    // A signal (a deploy ended) makes the page re-read what serves.
    act(() =>
      publish(CHANNEL, {
        id: 'op-9',
        state: 'succeeded',
        environment: 'production',
      }),
    );
    await waitFor(() => expect(picker).toHaveValue('4'));
    // Once someone picks, the pick stays.
    await userEvent.selectOptions(picker, '2');
    envs = [production({ revisions: after, currentRevision: after[4] })];
    act(() =>
      publish(CHANNEL, {
        id: 'op-9',
        state: 'succeeded',
        environment: 'production',
      }),
    );
    await waitFor(() => expect(api.listEnvironments).toHaveBeenCalledTimes(3));
    expect(picker).toHaveValue('2');
  });

  it('shows each revision with its version and when it ran', async () => {
    await renderPanel(
      mockApi({ listOperations: jest.fn(async () => [deploy4, deploy3]) }),
    );
    const picker = await screen.findByRole(
      'combobox',
      { name: 'Revision to roll back to' },
      slow,
    );
    const option = await within(picker).findByRole('option', {
      name: /^Revision 3 \(v1\.3\.1\)/,
    });
    expect(option).toHaveTextContent(/superseded · 2 days ago \(.+\)/);
    expect(
      screen.getByText('Run a dry-run of revision 3 (v1.3.1) first.'),
    ).toBeInTheDocument();
  });

  it('warns in the confirmation that the database migration of the current release will not be undone', async () => {
    const api = mockApi({
      listOperations: jest.fn(async () => [dryRun3, deploy4, deploy3]),
    });
    await renderPanel(api);
    const region = await screen.findByRole(
      'region',
      { name: 'Roll back' },
      slow,
    );
    const rollBack = within(region).getByRole('button', { name: 'Roll back' });
    await screen.findByText(/Dry-run of revision 3 \(v1\.3\.1\) succeeded/);
    expect(rollBack).toBeEnabled();
    await userEvent.click(rollBack);
    const dialog = screen.getByRole('dialog', {
      name: `Roll back ${TITLE} in production to revision 3 (v1.3.1)`,
    });
    expect(within(dialog).getByRole('note')).toHaveTextContent(
      'The database migration V42__add_call_index of v1.3.2 will not be undone by this rollback.',
    );
  });

  it('does not warn when no migration ran since the chosen revision', async () => {
    const api = mockApi({
      listOperations: jest.fn(async () => [dryRun3, deploy3]),
    });
    await renderPanel(api);
    const region = await screen.findByRole(
      'region',
      { name: 'Roll back' },
      slow,
    );
    await screen.findByText(/Dry-run of revision 3 \(v1\.3\.1\) succeeded/);
    await userEvent.click(
      within(region).getByRole('button', { name: 'Roll back' }),
    );
    const dialog = screen.getByRole('dialog');
    expect(dialog).not.toHaveTextContent(/will not be undone/);
  });
});
