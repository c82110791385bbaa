import { ReviewsResponse } from '@helix-portal/plugin-rco-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { caps } from '../../__testUtils__/operationsFixtures';
import {
  api,
  captureSaves,
  hoursAgo,
  RELEASE,
  refused,
  renderWith,
} from '../../__testUtils__/roadFixtures';
import { ReviewsPanel } from './ReviewsPanel';

jest.setTimeout(30_000);
const slow = { timeout: 15_000 };

const open: ReviewsResponse['open'][number] = {
  operationId: 'op-7',
  operationType: 'deploy',
  environment: 'production',
  release: RELEASE,
  finishedAt: hoursAgo(1),
  state: 'succeeded',
};

const recorded: ReviewsResponse['items'][number] = {
  id: 'rv-1',
  entityRef: 'component:default/rco',
  operationId: 'op-5',
  operationType: 'rollback',
  environment: 'production',
  release: { version: '1.3.1' },
  result: 'with-deviations',
  summary: 'Rolled back after **p99** rose.',
  deviations: '- Skipped the *canary* pause',
  lessons: '',
  author: 'user:default/alice',
  createdAt: hoursAgo(20),
  ledgerSeq: 42,
};

function panel(
  rco: ReturnType<typeof api>,
  reviews: ReviewsResponse = { items: [], open: [open] },
  capabilities = caps(),
) {
  const onChanged = jest.fn();
  renderWith(
    <ReviewsPanel
      api={rco}
      capabilities={capabilities}
      reviews={reviews}
      onChanged={onChanged}
    />,
    rco,
  );
  return { onChanged };
}

describe('ReviewsPanel', () => {
  it('asks the owner to review a finished production deploy, previews the markdown and records it', async () => {
    const writeReview = jest.fn(async () => ({ ...recorded, id: 'rv-2' }));
    const { onChanged } = panel(api({ writeReview }));
    expect(
      await screen.findByText(
        '1 production operation has no review yet.',
        {},
        slow,
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', {
        name: 'Write the review of the production deploy of v1.3.2 (sha256:3f3f3f3f3f3f…)',
      }),
    );
    const dialog = screen.getByRole('dialog', {
      name: /^Review of the production deploy of v1\.3\.2/,
    });
    const record = within(dialog).getByRole('button', {
      name: 'Record the review',
    });
    // The summary is required.
    expect(record).toBeDisabled();
    await userEvent.click(
      within(dialog).getByRole('radio', {
        name: 'With deviations from the runbook',
      }),
    );
    fireEvent.change(
      within(dialog).getByRole('textbox', { name: /^Summary/ }),
      {
        target: { value: 'Went out in **two** steps' },
      },
    );
    // With deviations, the deviations are required (as the backend requires them).
    expect(record).toBeDisabled();
    expect(dialog).toHaveTextContent('required with this result');
    fireEvent.change(
      within(dialog).getByRole('textbox', {
        name: /^Deviations from the runbook/,
      }),
      {
        target: { value: '- Paused 10 minutes longer' },
      },
    );
    fireEvent.change(within(dialog).getByLabelText('Lessons learned'), {
      target: { value: 'Check the dashboard first' },
    });
    // The preview is rendered markdown, not the source.
    await userEvent.click(
      within(
        within(dialog).getByRole('tablist', {
          name: 'Summary: write or preview',
        }),
      ).getByRole('tab', { name: 'Preview' }),
    );
    const preview = within(dialog).getByRole('region', {
      name: 'Summary preview',
    });
    expect((await within(preview).findByText('two')).tagName).toBe('STRONG');
    await userEvent.click(record);
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(writeReview).toHaveBeenCalledWith('op-7', {
      result: 'with-deviations',
      summary: 'Went out in **two** steps',
      deviations: '- Paused 10 minutes longer',
      lessons: 'Check the dashboard first',
    });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('shows a second review of the same operation refused with the backend’s sentence', async () => {
    const writeReview = jest.fn(async () => {
      throw await refused(409, 'Operation op-7 already has a review (rv-1)');
    });
    const { onChanged } = panel(api({ writeReview }));
    await userEvent.click(
      await screen.findByRole('button', { name: /^Write the review/ }, slow),
    );
    fireEvent.change(screen.getByRole('textbox', { name: /^Summary/ }), {
      target: { value: 'ok' },
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Record the review' }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The review was not recorded: Operation op-7 already has a review (rv-1)',
    );
    expect(onChanged).not.toHaveBeenCalled();
  });

  it('offers no review form to someone who is not an owner', async () => {
    panel(api({ writeReview: jest.fn() }), undefined, {
      ...caps(),
      operations: undefined,
    });
    expect(
      await screen.findByText(
        '1 production operation has no review yet.',
        {},
        slow,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /^Write the review/ }),
    ).not.toBeInTheDocument();
  });

  it('shows the recorded review and proposes the runbook change with copy and download', async () => {
    const saves = captureSaves();
    const writeText = jest.fn(async () => {});
    Object.assign(navigator, { clipboard: { writeText } });
    const proposal = {
      changelogEntry: '- version: 1.4.0\n  changes: Canary pause lengthened',
      patch: 'sections:\n  - id: canary\n    body: Pause 20 minutes\n',
      baseVersion: '1.3.0',
      nextVersion: '1.4.0',
    };
    const getRunbookProposal = jest.fn(async () => proposal);
    panel(api({ getRunbookProposal }), { items: [recorded], open: [] });
    const review = await screen.findByRole(
      'article',
      { name: 'Review of the production rollback of v1.3.1' },
      slow,
    );
    expect(review).toHaveTextContent(
      'Result: With deviations from the runbook',
    );
    expect(review).toHaveTextContent(/By Alice Moreau .* ago, ledger entry 42/);
    expect((await within(review).findByText('p99')).tagName).toBe('STRONG');
    expect((await within(review).findByText('canary')).tagName).toBe('EM');
    // No empty "Lessons learned" heading.
    expect(review).not.toHaveTextContent('Lessons learned');

    await userEvent.click(
      within(review).getByRole('button', { name: 'Propose runbook change' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Proposed runbook change',
    });
    expect(getRunbookProposal).toHaveBeenCalledWith('rv-1');
    expect(dialog).toHaveTextContent('runbook v1.3.0 becomes v1.4.0');
    const changelog = within(dialog).getByRole('region', {
      name: 'Changelog entry',
    });
    expect(changelog).toHaveTextContent('Canary pause lengthened');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Copy the yaml patch' }),
    );
    expect(writeText).toHaveBeenCalledWith(proposal.patch);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Download the yaml patch' }),
    );
    await userEvent.click(
      within(dialog).getByRole('button', {
        name: 'Download the changelog entry',
      }),
    );
    expect(saves.map(s => s.name)).toEqual([
      'runbook-patch-1.4.0.yaml',
      'runbook-changelog-1.4.0.yaml',
    ]);
    expect(await saves[0].blob.text()).toBe(proposal.patch);
  });

  it('says when the proposal cannot be made', async () => {
    const getRunbookProposal = jest.fn(async () => {
      throw await refused(409, 'The runbook changed since the review');
    });
    panel(api({ getRunbookProposal }), { items: [recorded], open: [] });
    await userEvent.click(
      await screen.findByRole(
        'button',
        { name: 'Propose runbook change' },
        slow,
      ),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The proposal could not be made: The runbook changed since the review',
    );
  });

  it('shows no image from outside the portal in a review: a reader is not reported to its author', async () => {
    const tracked = {
      ...recorded,
      summary:
        'Rolled back. ![graph](https://tracker.example/p.png?reader=1) ' +
        '![ours](/api/rco/static/graph.png)',
      deviations:
        '<img src="https://tracker.example/q.png" alt="raw"> ' +
        '![protocol-relative](//tracker.example/r.png) ' +
        '![data](data:image/png;base64,iVBORw0KGgo=)',
    };
    panel(api(), { items: [tracked], open: [] });
    const review = await screen.findByRole(
      'article',
      { name: 'Review of the production rollback of v1.3.1' },
      slow,
    );
    const sources = Object.fromEntries(
      [...review.querySelectorAll('img')].map(img => [
        img.getAttribute('alt'),
        img.getAttribute('src') ?? '',
      ]),
    );
    expect(Object.keys(sources).sort()).toEqual([
      'data',
      'graph',
      'ours',
      'protocol-relative',
      'raw',
    ]);
    expect(sources.ours).toBe('/api/rco/static/graph.png');
    for (const alt of ['graph', 'raw', 'protocol-relative', 'data'])
      expect(sources[alt]).toBe('');
    // Nothing of the outside addresses is left in the page.
    expect(review.innerHTML).not.toContain('tracker.example');
  });
});
