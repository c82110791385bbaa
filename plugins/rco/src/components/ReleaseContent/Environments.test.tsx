import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  currentSearch,
  mockApi,
  render,
  slow,
} from '../../__testUtils__/releaseFixtures';

jest.setTimeout(30_000);

describe('Issue 12, point 4: environments and releases make sense at a glance', () => {
  it('lists every environment from the first visit and judges the first one listed, keeping it in the URL', async () => {
    const api = mockApi();
    await render(api);
    await screen.findByRole('status', { name: /^Verdict:/ }, slow);
    // Never judged in "any environment" while the portal knows some.
    expect(api.getStatus).toHaveBeenCalledTimes(1);
    expect(api.getStatus.mock.calls[0][1]).toMatchObject({
      environment: 'production',
    });
    await waitFor(() =>
      expect(currentSearch().get('environment')).toBe('production'),
    );
    await userEvent.click(screen.getByRole('button', { name: /^Environment/ }));
    const options = (await screen.findAllByRole('option')).map(
      o => o.textContent,
    );
    expect(options).toEqual(['production', 'staging']);
  });

  it('names the environment in the verdict, shows each environment as a chip, and switches on a click', async () => {
    const api = mockApi();
    await render(api);
    expect(
      await screen.findByRole(
        'status',
        { name: /^Verdict: Blocked in production\./ },
        slow,
      ),
    ).toHaveTextContent('Blocked in production');
    const chips = screen.getByRole('group', {
      name: 'This release in each environment',
    });
    expect(
      within(chips).getByRole('button', {
        name: 'production: Blocked by 5 gates',
      }),
    ).toHaveAttribute('aria-pressed', 'true');
    await userEvent.click(
      within(chips).getByRole('button', { name: 'staging: Ready' }),
    );
    await waitFor(() =>
      expect(api.getStatus).toHaveBeenLastCalledWith(
        expect.anything(),
        expect.objectContaining({ environment: 'staging' }),
      ),
    );
    expect(currentSearch().get('environment')).toBe('staging');
    expect(
      await screen.findByRole(
        'status',
        { name: /^Verdict: Blocked in staging\./ },
        slow,
      ),
    ).toBeInTheDocument();
  });

  it('keeps the environment a link names', async () => {
    const api = mockApi();
    await render(api, { routeEntries: ['/?environment=staging'] });
    await screen.findByRole('status', { name: /^Verdict:/ }, slow);
    expect(api.getStatus).toHaveBeenCalledTimes(1);
    expect(api.getStatus.mock.calls[0][1]).toMatchObject({
      environment: 'staging',
    });
  });

  it('labels each release by version and short digest', async () => {
    await render(mockApi());
    await userEvent.click(
      await screen.findByRole('button', { name: /^Release/ }, slow),
    );
    expect(
      (await screen.findAllByRole('option')).map(o => o.textContent),
    ).toEqual(['v1.3.2 · sha256:3f3f3f3f…']);
  });

  it('says which evidence is per environment and which is about the image', async () => {
    await render(mockApi());
    const policy = (
      await screen.findByText('Policy Enforcement', {}, slow)
    ).closest('tr')!;
    expect(
      within(policy).getByText('per environment (production)'),
    ).toBeInTheDocument();
    const secrets = screen.getByText('Secret Hygiene').closest('tr')!;
    expect(
      within(secrets).getByText('about the image: counts everywhere'),
    ).toBeInTheDocument();
  });
});
