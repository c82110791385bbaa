import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { production } from '../../__testUtils__/operationsFixtures';
import {
  caps,
  mockApi,
  render,
  slow,
} from '../../__testUtils__/releaseFixtures';
import {
  hoursAgo,
  RELEASE,
  road,
  window,
} from '../../__testUtils__/roadFixtures';

jest.setTimeout(60_000);

/** The Release tab with every issue-15 route answering. */
function tabApi() {
  return mockApi({
    getCapabilities: jest.fn(async () =>
      caps({
        operations: {
          deploy: true,
          rollback: true,
          control: true,
          breakGlass: false,
        },
      }),
    ),
    listEnvironments: jest.fn(async () => [production()]),
    getRoad: jest.fn(async () => road()),
    listWindows: jest.fn(async () => [window()]),
    acceptWindow: jest.fn(),
    listReviews: jest.fn(async () => ({
      items: [],
      open: [
        {
          operationId: 'op-7',
          operationType: 'deploy' as const,
          environment: 'production',
          release: { version: '1.3.1' },
          finishedAt: hoursAgo(3),
          state: 'succeeded',
        },
      ],
    })),
    writeReview: jest.fn(),
    getTimeline: jest.fn(async () => ({
      entityRef: 'component:default/rco',
      release: RELEASE,
      events: [
        {
          at: hoursAgo(30),
          type: 'evidence' as const,
          title: 'Trivy scan arrived',
          link: {
            kind: 'evidence',
            id: 'ev-trivy',
            href: '/evidence/ev-trivy',
          },
        },
      ],
    })),
    downloadDossier: jest.fn(),
    getCurrentRunbook: jest.fn(async () => ({
      review: { overdue: true, dueAt: hoursAgo(48), reviewEvery: 'P90D' },
    })) as any,
  });
}

describe('the road on the Release tab', () => {
  it('shows the road, the windows, the open review, the timeline and the overdue banner; Deploy waits for the road', async () => {
    const api = tabApi();
    await render(api, {
      routeEntries: [
        `/?version=1.3.2&digest=${RELEASE.digest}&environment=production`,
      ],
    });
    const roadCard = await screen.findByRole(
      'list',
      { name: 'Environments in promotion order' },
      slow,
    );
    expect(api.getRoad).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'rco' }),
      expect.objectContaining({ version: '1.3.2', digest: RELEASE.digest }),
    );
    expect(within(roadCard).getAllByRole('region')).toHaveLength(2);
    expect(
      screen.getByRole('region', { name: /^production: .*Europe\/Berlin/ }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText("The runbook's review is overdue", {}, slow),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: /^Write the review of the production deploy of v1\.3\.1/,
      }),
    ).toBeInTheDocument();

    // Deploy is disabled by the road, saying when the soak ends and the window opens.
    const why = await screen.findByRole(
      'list',
      { name: 'Why Deploy is disabled' },
      slow,
    );
    expect(why).toHaveTextContent(/The soak ends at .* \(in 1[89] hours\)\./);
    expect(why).toHaveTextContent(/The window opens at .* \(in 1 day\)\./);
    expect(screen.getByRole('button', { name: 'Deploy' })).toBeDisabled();

    expect(
      screen.getByRole('button', { name: 'Download dossier' }),
    ).toBeEnabled();
    // The timeline's evidence opens the evidence drawer.
    await userEvent.click(
      await screen.findByRole(
        'button',
        { name: 'Open the evidence of: Trivy scan arrived' },
        slow,
      ),
    );
    await waitFor(() =>
      expect(api.getEvidence).toHaveBeenCalledWith('ev-trivy'),
    );
  });

  it('keeps the page working when the road cannot be read, saying so', async () => {
    const api = tabApi();
    (api.getRoad as jest.Mock).mockRejectedValue(new Error('road down'));
    await render(api, {
      routeEntries: [
        `/?version=1.3.2&digest=${RELEASE.digest}&environment=production`,
      ],
    });
    expect(
      await screen.findByText(
        'The road to production could not be read: road down',
        {},
        slow,
      ),
    ).toBeInTheDocument();
    // Deploy is judged without the road; the backend judges again.
    expect(
      await screen.findByRole('button', { name: 'Deploy' }, slow),
    ).toBeInTheDocument();
  });
});
