import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { caps } from '../../__testUtils__/operationsFixtures';
import {
  api,
  ENTITY,
  RELEASE,
  refused,
  renderWith,
  window,
} from '../../__testUtils__/roadFixtures';
import { browserTimeZone, localDateTime, timeZones } from './timeZones';
import { WindowsPanel } from './WindowsPanel';

jest.setTimeout(30_000);

const owner = caps(); // user:default/alice, an owner (may deploy), in no sign-off role
const security = {
  ...caps(),
  actor: 'user:default/mei',
  signoff: { po: false, dpo: false, security: true },
  operations: undefined,
};

function panel(
  rco: ReturnType<typeof api>,
  props: Partial<Parameters<typeof WindowsPanel>[0]> = {},
) {
  const onChanged = jest.fn();
  return {
    onChanged,
    rendered: renderWith(
      <WindowsPanel
        api={rco}
        entityRef={ENTITY}
        release={RELEASE}
        environments={['staging', 'production']}
        environment="production"
        capabilities={owner}
        windows={[]}
        onChanged={onChanged}
        {...props}
      />,
      rco,
    ),
  };
}

describe('time zones', () => {
  it("offers the browser's zone first, then UTC, then every zone once", () => {
    const zones = timeZones('Europe/Berlin');
    expect(zones.slice(0, 2)).toEqual(['Europe/Berlin', 'UTC']);
    expect(new Set(zones).size).toBe(zones.length);
    expect(zones).toContain('America/New_York');
    expect(browserTimeZone()).toBeTruthy();
  });

  it('sends a datetime-local value with seconds, anything else as it is', () => {
    expect(localDateTime('2026-12-14T22:00')).toBe('2026-12-14T22:00:00');
    expect(localDateTime('2026-12-14T22:00:30')).toBe('2026-12-14T22:00:30');
  });
});

describe('WindowsPanel', () => {
  it('lets an owner propose a window in local time with a time zone', async () => {
    const proposeWindow = jest.fn(async () => window());
    const { onChanged } = panel(api({ proposeWindow }));
    await userEvent.click(
      await screen.findByRole('button', { name: 'Propose a window' }),
    );
    const dialog = screen.getByRole('dialog', {
      name: 'Propose a deployment window',
    });
    expect(dialog).toHaveTextContent('For v1.3.2 (sha256:3f3f3f3f3f3f…)');
    // The browser's zone by default.
    expect(within(dialog).getByLabelText('Time zone')).toHaveValue(
      browserTimeZone(),
    );
    expect(within(dialog).getByLabelText('Environment')).toHaveValue(
      'production',
    );
    const submit = within(dialog).getByRole('button', {
      name: 'Propose window',
    });
    expect(submit).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText(/^Start/), {
      target: { value: '2026-12-14T22:00' },
    });
    // An end before the start is said, and nothing is sent.
    fireEvent.change(within(dialog).getByLabelText(/^End/), {
      target: { value: '2026-12-14T21:00' },
    });
    expect(dialog).toHaveTextContent('The end must come after the start.');
    expect(submit).toBeDisabled();
    // A window that crosses midnight.
    fireEvent.change(within(dialog).getByLabelText(/^End/), {
      target: { value: '2026-12-15T02:00' },
    });
    await userEvent.selectOptions(
      within(dialog).getByLabelText('Time zone'),
      'Europe/Berlin',
    );
    await userEvent.click(submit);
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(proposeWindow).toHaveBeenCalledWith(ENTITY, {
      environment: 'production',
      version: '1.3.2',
      digest: RELEASE.digest,
      start: '2026-12-14T22:00:00',
      end: '2026-12-15T02:00:00',
      timeZone: 'Europe/Berlin',
    });
    expect(
      screen.queryByRole('dialog', { name: 'Propose a deployment window' }),
    ).not.toBeInTheDocument();
  });

  it("shows a refused proposal as the backend's sentence, in the dialog", async () => {
    const proposeWindow = jest.fn(async () => {
      throw await refused(
        403,
        'Only the owners of component:default/rco may propose a window',
      );
    });
    const { onChanged } = panel(api({ proposeWindow }));
    await userEvent.click(
      await screen.findByRole('button', { name: 'Propose a window' }),
    );
    fireEvent.change(screen.getByLabelText(/^Start/), {
      target: { value: '2026-12-14T22:00' },
    });
    fireEvent.change(screen.getByLabelText(/^End/), {
      target: { value: '2026-12-14T23:00' },
    });
    await userEvent.click(
      screen.getByRole('button', { name: 'Propose window' }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The window was not proposed: Only the owners of component:default/rco may propose a window',
    );
    expect(onChanged).not.toHaveBeenCalled();
  });

  it('shows each required role with its acceptance, the time in the zone proposed and the viewer’s', async () => {
    panel(api(), {
      windows: [
        window({
          acceptances: [
            {
              role: 'po',
              by: 'user:default/pat',
              at: new Date().toISOString(),
            },
          ],
        }),
        window({ id: 'w-old', state: 'cancelled' }),
      ],
    });
    const card = await screen.findByRole('region', {
      name: /^production: Dec 14, 2026, 10:00 PM – 2:00 AM \(Europe\/Berlin\)|^production: .*\(Europe\/Berlin\)$/,
    });
    expect(card).toHaveTextContent('Proposed: waiting for acceptances');
    expect(card).toHaveTextContent(/In your time: opens .*, closes .*\./);
    const acceptances = within(card).getByRole('list', {
      name: /^Acceptances of the production window/,
    });
    expect(acceptances).toHaveTextContent(
      /Product Owner: accepted by Pat Okafor/,
    );
    expect(acceptances).toHaveTextContent('Security: not accepted yet');
    // The owner may cancel, not accept (no sign-off role).
    expect(
      within(card).queryByRole('button', { name: /^Accept/ }),
    ).not.toBeInTheDocument();
    expect(
      within(card).getByRole('button', {
        name: /^Cancel the production window/,
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('1 cancelled or expired window not shown.'),
    ).toBeInTheDocument();
  });

  it('lets a member of a required role accept, then re-reads', async () => {
    const acceptWindow = jest.fn(async () => window({ state: 'accepted' }));
    const { onChanged } = panel(api({ acceptWindow }), {
      capabilities: security,
      windows: [window()],
    });
    const accept = await screen.findByRole('button', {
      name: /^Accept the production window .* as Security$/,
    });
    expect(accept).toHaveTextContent('Accept as Security');
    // Not an owner, not the proposer: no Cancel.
    expect(
      screen.queryByRole('button', { name: /^Cancel the production window/ }),
    ).not.toBeInTheDocument();
    await userEvent.click(accept);
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(acceptWindow).toHaveBeenCalledWith('w1');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows a 403 on accept as a sentence beside the window', async () => {
    const acceptWindow = jest.fn(async () => {
      throw await refused(
        403,
        'user:default/mei is not a member of a role this window requires',
      );
    });
    const { onChanged } = panel(api({ acceptWindow }), {
      capabilities: security,
      windows: [window()],
    });
    await userEvent.click(
      await screen.findByRole('button', {
        name: /^Accept the production window/,
      }),
    );
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'The window was not accepted: Mei Tanaka is not a member of a role this window requires',
    );
    expect(alert).not.toHaveTextContent('Request failed');
    // What holds now is read again.
    expect(onChanged).toHaveBeenCalled();
  });

  it('never offers the proposer to accept their own window', async () => {
    panel(api(), {
      capabilities: { ...security, actor: 'user:default/alice' },
      windows: [window()],
    });
    await screen.findByRole('region', { name: /^production:/ });
    expect(
      screen.queryByRole('button', { name: /^Accept/ }),
    ).not.toBeInTheDocument();
    // The proposer may cancel.
    expect(
      screen.getByRole('button', { name: /^Cancel the production window/ }),
    ).toBeInTheDocument();
  });

  it('lets the owner cancel a window', async () => {
    const cancelWindow = jest.fn(async () => window({ state: 'cancelled' }));
    const { onChanged } = panel(api({ cancelWindow }), {
      windows: [window({ state: 'accepted', openNow: true })],
    });
    const card = await screen.findByRole('region', { name: /^production:/ });
    expect(card).toHaveTextContent('Open now');
    await userEvent.click(
      within(card).getByRole('button', {
        name: /^Cancel the production window/,
      }),
    );
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(cancelWindow).toHaveBeenCalledWith('w1');
  });
});
