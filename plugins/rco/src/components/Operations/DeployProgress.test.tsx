import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  ALICE,
  approved,
  fourEyes,
  mockApi,
  operation,
  production,
  renderPanel,
  status,
  TITLE,
} from '../../__testUtils__/operationsFixtures';

jest.setTimeout(30_000);
const slow = { timeout: 15_000 };

const paused = operation({
  progress: {
    phase: 'paused',
    canaryWeight: 20,
    step: { index: 1, total: 5, description: 'paused, waiting for Promote' },
    message: 'Step 2 of 5: paused, waiting for Promote',
  },
});

describe('Deploy progress tells the truth (issue 12, point 5)', () => {
  it('shows a canary paused for promotion as "Paused: waiting for Promote" in the progress, the history and the environment card, never "Running"', async () => {
    await renderPanel(
      mockApi({
        listEnvironments: jest.fn(async () => [
          production({ activeOperationId: 'op-1' }),
        ]),
        listOperations: jest.fn(async () => [paused]),
        getOperation: jest.fn(async () => paused),
      }),
    );
    const progress = await screen.findByRole(
      'region',
      { name: 'Operation progress' },
      slow,
    );
    expect(
      await within(progress).findByRole('button', { name: 'Promote' }),
    ).toBeInTheDocument();
    expect(
      within(progress).getAllByText(/Paused: waiting for Promote/).length,
    ).toBeGreaterThan(0);
    expect(within(progress).queryByText('Running')).not.toBeInTheDocument();
    // The stepper's deploy step says it waits, too.
    expect(within(progress).queryByText(/^Running/)).not.toBeInTheDocument();

    const history = screen.getByRole('table', { name: 'Deploy history' });
    const [, row] = within(history).getAllByRole('row');
    expect(
      within(row).getByText('Paused: waiting for Promote'),
    ).toBeInTheDocument();
    expect(within(row).queryByText('Running')).not.toBeInTheDocument();

    const card = screen.getByRole('region', { name: 'production environment' });
    expect(card).toHaveTextContent(
      `Deploy ${TITLE} 1.3.2 to production: Paused: waiting for Promote`,
    );
  });

  it('still says "Running" for a canary that is moving', async () => {
    const moving = operation({
      progress: {
        phase: 'progressing',
        canaryWeight: 50,
        step: { index: 2, total: 5, description: 'set weight 50%' },
      },
    });
    await renderPanel(
      mockApi({
        listEnvironments: jest.fn(async () => [
          production({ activeOperationId: 'op-1' }),
        ]),
        getOperation: jest.fn(async () => moving),
      }),
    );
    const progress = await screen.findByRole(
      'region',
      { name: 'Operation progress' },
      slow,
    );
    expect(
      await within(progress).findByText(
        'Phase: Progressing · Step 3 of 5: set weight 50%',
      ),
    ).toBeInTheDocument();
    expect(
      within(progress).queryByText(/Paused: waiting for Promote/),
    ).not.toBeInTheDocument();
    expect(within(progress).getAllByText('Running').length).toBeGreaterThan(0);
  });

  it.each([
    [-1, 'Before step 1 of 5'],
    [0, 'Step 1 of 5'],
    [4, 'Step 5 of 5'],
    [5, 'All steps done (5 of 5)'],
  ])(
    'counts the canary steps truthfully at index %i: "%s", never "step 6 of 5" nor "all steps done" at the start',
    async (index, words) => {
      const op = operation({
        progress: { phase: 'progressing', step: { index, total: 5 } },
      });
      await renderPanel(
        mockApi({
          listEnvironments: jest.fn(async () => [
            production({ activeOperationId: 'op-1' }),
          ]),
          getOperation: jest.fn(async () => op),
        }),
      );
      const progress = await screen.findByRole(
        'region',
        { name: 'Operation progress' },
        slow,
      );
      expect(
        await within(progress).findByText(`Phase: Progressing · ${words}`),
      ).toBeInTheDocument();
      expect(progress).not.toHaveTextContent(/step 6 of 5/i);
      // Nothing before the first step, or at any step, reads as finished.
      expect(progress).toHaveTextContent(
        index < 5 ? /^(?!.*all steps done)/is : /all steps done/i,
      );
    },
  );

  it('drops "Needs sign-offs" once the sign-offs are given, following the current four-eyes verdict', async () => {
    await renderPanel(mockApi(), [
      status({}, fourEyes({ po: approved('user:default/pat') })),
      status(
        {},
        fourEyes({
          po: approved('user:default/pat'),
          security: approved('user:default/sam'),
        }),
      ),
    ]);
    const card = await screen.findByRole(
      'region',
      { name: 'production environment' },
      slow,
    );
    // The Product Owner has signed: only Security is still needed.
    expect(
      within(card).getByText('Needs sign-offs: Security'),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Status changed' }),
    );
    expect(within(card).queryByText(/Needs sign-offs/)).not.toBeInTheDocument();
    expect(
      within(card).getByText('Sign-offs given: Product Owner, Security'),
    ).toBeInTheDocument();
  });

  it("names operations by the service's title and the version, not its ref name and a revision number", async () => {
    const rollback = operation({
      id: 'rb-1',
      type: 'rollback',
      targetRevision: '3',
      release: {},
      state: 'succeeded',
      resultRevision: '5',
      createdAt: new Date().toISOString(),
    });
    const deploy3 = operation({
      id: 'op-3',
      state: 'succeeded',
      release: { version: '1.3.1', digest: 'sha256:aa' },
      resultRevision: '3',
      createdAt: new Date(Date.now() - 60 * 3_600_000).toISOString(),
    });
    await renderPanel(
      mockApi({
        listOperations: jest.fn(async () => [rollback, deploy3]),
      }),
    );
    const history = await screen.findByRole(
      'table',
      { name: 'Deploy history' },
      slow,
    );
    const [, first, second] = within(history).getAllByRole('row');
    expect(first).toHaveTextContent(
      `Roll back ${TITLE} in production to revision 3 (v1.3.1)`,
    );
    expect(second).toHaveTextContent(`Deploy ${TITLE} 1.3.1 to production`);
    expect(history).not.toHaveTextContent(/\brco \d/);
  });
});

describe('People and times on the deploy side (issue 12, point 7)', () => {
  it('shows requesters and confirmers by display name with relative times, and gate titles in "Why Deploy is disabled"', async () => {
    const done = operation({
      state: 'succeeded',
      confirmedBy: 'user:default/bob',
      progress: { phase: 'succeeded' },
      gateSnapshot: {
        hash: 'ab'.repeat(32),
        evaluatedAt: new Date(Date.now() - 3_600_000).toISOString(),
        gates: [{ id: 'policy-enforcement', status: 'pass' }],
        signoffs: [{ role: 'po', signer: 'user:default/pat' }],
      },
    });
    await renderPanel(
      mockApi({ listOperations: jest.fn(async () => [done]) }),
      [status({ 'policy-enforcement': 'fail' }, fourEyes())],
    );
    const why = await screen.findByRole(
      'list',
      { name: 'Why Deploy is disabled' },
      slow,
    );
    expect(why).toHaveTextContent('Policy Enforcement: Fail');
    expect(why).not.toHaveTextContent('policy-enforcement');

    const history = screen.getByRole('table', { name: 'Deploy history' });
    const [, row] = within(history).getAllByRole('row');
    expect(row).toHaveTextContent('Alice Moreau (confirmed by Bob Brandt)');
    expect(row).not.toHaveTextContent(ALICE);
    expect(within(row).getByText('1 hour ago')).toHaveAttribute(
      'dateTime',
      done.createdAt,
    );
    await userEvent.click(
      within(row).getByRole('button', { name: /gates pass/ }),
    );
    const snapshot = screen.getByRole('list', {
      name: /^Gates of Deploy .* to production, /,
    });
    expect(snapshot).toHaveTextContent('Policy Enforcement: Pass');
    expect(history).toHaveTextContent('Sign-offs: Product Owner by Pat Okafor');
  });
});
