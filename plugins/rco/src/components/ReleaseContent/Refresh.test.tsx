import { alertApiRef } from '@backstage/core-plugin-api';
import {
  EntityProvider,
  entityPresentationApiRef,
} from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router-dom';
import { RcoApi, rcoApiRef } from '../../api/RcoApi';
import {
  caps,
  currentSearch,
  DIGEST,
  entity,
  mockApi,
  presentation,
  slow,
  status,
} from '../../__testUtils__/releaseFixtures';
import * as ops from '../../__testUtils__/operationsFixtures';
import { fakeSignals } from '../../__testUtils__/fakeSignals';
import { ReleaseContent } from './ReleaseContent';

/**
 * Background re-reads (a poll, focus, a nudge on the release channel) keep the Release tab as
 * it is: the release judged, the open dialogs, an enabled Deploy. Found in review.
 */
jest.setTimeout(60_000);
const CHANNEL = 'rco:release:5eed';

function LocationProbe() {
  const { search } = useLocation();
  return (
    <output data-testid="location" hidden>
      {search}
    </output>
  );
}

async function renderPage(
  api: RcoApi,
  options: { routeEntries?: string[] } = {},
  signals = fakeSignals(),
) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [rcoApiRef, api],
        [alertApiRef, { post: jest.fn(), alert$: jest.fn() }],
        [entityPresentationApiRef, presentation],
        [signalApiRef, signals.api],
      ]}
    >
      <EntityProvider entity={entity}>
        <ReleaseContent />
        <LocationProbe />
      </EntityProvider>
    </TestApiProvider>,
    options,
  );
  return signals;
}

const settle = () =>
  act(async () => {
    await new Promise(r => setTimeout(r, 300));
  });

/** A release ready for production, with a deploy side that knows production. */
function readyApi(overrides: Partial<RcoApi> = {}) {
  const ready = ops.status(
    {},
    ops.fourEyes({
      po: ops.approved('user:default/pat'),
      dpo: ops.approved('user:default/dana'),
      security: ops.approved('user:default/sam'),
    }),
  );
  return {
    ...ops.mockApi(),
    ...mockApi({
      getCapabilities: jest.fn(async () => ({
        ...ops.caps(),
        releaseChannel: CHANNEL,
      })),
      getStatus: jest.fn(async () => ({
        ...ready,
        release: { ...ready.release, environment: 'production' },
      })),
      listEnvironments: jest.fn(async () => [ops.production()]),
      ...overrides,
    }),
  } as unknown as RcoApi;
}

describe('a failed background re-read', () => {
  it('keeps an open waiver dialog and its text, and says the page could not refresh', async () => {
    let fail = false;
    const api = mockApi({
      getCapabilities: jest.fn(async () =>
        caps({ releaseChannel: CHANNEL, waive: true }),
      ),
      getStatus: jest.fn(async (_e, r) => {
        if (fail) throw new Error('502 Bad Gateway');
        return status(r.environment ?? 'production');
      }),
    });
    const signals = await renderPage(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Waive a gate' }, slow),
    );
    await userEvent.type(
      screen.getByLabelText(/Justification/),
      'Reachable only from the admin network',
    );
    await waitFor(() => expect(signals.listening(CHANNEL)).toBe(true));
    fail = true;
    signals.publish(CHANNEL, { what: 'evidence' });
    await settle();
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    expect(screen.getByLabelText(/Justification/)).toHaveValue(
      'Reachable only from the admin network',
    );
    expect(
      screen.getByText(
        /Could not refresh: 502 Bad Gateway; showing what was read/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByLabelText(/^Verdict:/)).toBeInTheDocument();
  });

  it('offers Retry in the note, and the note goes once a read succeeds', async () => {
    let fail = false;
    const api = mockApi({
      getCapabilities: jest.fn(async () => caps({ releaseChannel: CHANNEL })),
      getStatus: jest.fn(async (_e, r) => {
        if (fail) throw new Error('502 Bad Gateway');
        return status(r.environment ?? 'production');
      }),
    });
    const signals = await renderPage(api);
    await screen.findByLabelText(/^Verdict:/, {}, slow);
    await waitFor(() => expect(signals.listening(CHANNEL)).toBe(true));
    fail = true;
    signals.publish(CHANNEL, { what: 'evidence' });
    await screen.findByText(/Could not refresh/, {}, slow);
    fail = false;
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(
      () => expect(screen.queryByText(/Could not refresh/)).toBeNull(),
      slow,
    );
  });

  it('keeps the deploy confirmation and the name typed into it', async () => {
    let fail = false;
    const api = readyApi();
    const getStatus = api.getStatus as jest.Mock;
    const good = getStatus.getMockImplementation()!;
    getStatus.mockImplementation(async (...args: any[]) => {
      if (fail) throw new Error('502 Bad Gateway');
      return good(...args);
    });
    (api.listEnvironments as jest.Mock).mockImplementation(async () => {
      if (fail) throw new Error('502 Bad Gateway');
      return [ops.production()];
    });
    const signals = await renderPage(api);
    const deploy = await screen.findByRole('button', { name: 'Deploy' }, slow);
    await waitFor(() => expect(deploy).toBeEnabled(), slow);
    await userEvent.click(deploy);
    const dialog = await screen.findByRole('dialog', {}, slow);
    const input = within(dialog).getByLabelText(/Type rco to confirm/);
    await userEvent.type(input, 'rco');
    await waitFor(() => expect(signals.listening(CHANNEL)).toBe(true));
    fail = true;
    signals.publish(CHANNEL, { what: 'evidence' });
    await settle();
    expect(screen.getByRole('dialog')).toBe(dialog);
    expect(input).toHaveValue('rco');
  });

  it('shows the full error panel only when nothing was ever read', async () => {
    const api = mockApi({
      getStatus: jest.fn(async () => {
        throw new Error('connect ECONNREFUSED');
      }),
    });
    await renderPage(api);
    expect(
      await screen.findByRole('button', { name: 'Try again' }, slow),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Could not refresh/)).toBeNull();
  });
});

describe('the release judged', () => {
  it('is written into the URL the first time the page shows it', async () => {
    await renderPage(mockApi());
    await screen.findByLabelText(/^Verdict:/, {}, slow);
    await waitFor(() => {
      const search = currentSearch();
      expect(search.get('version')).toBe('1.3.2');
      expect(search.get('digest')).toBe(DIGEST);
      expect(search.get('environment')).toBe('production');
    });
  });

  it('an open sign-off dialog signs the release it was opened for, after CI uploads a newer build', async () => {
    let newer = false;
    const NEW_DIGEST = `sha256:${'4e'.repeat(32)}`;
    const api = mockApi({
      getCapabilities: jest.fn(async () =>
        caps({
          releaseChannel: CHANNEL,
          signoff: { po: false, dpo: true, security: false },
        }),
      ),
      getStatus: jest.fn(async (_e, r) => {
        const s = status(r.environment ?? 'production');
        return newer && !r.version
          ? {
              ...s,
              release: { ...s.release, version: '1.3.3', digest: NEW_DIGEST },
            }
          : s;
      }),
      signOff: jest.fn(async () => ({} as any)),
    });
    const signals = await renderPage(api);
    await userEvent.click(
      await screen.findByRole(
        'button',
        { name: 'Sign as Data Protection Officer' },
        slow,
      ),
    );
    expect(screen.getByRole('dialog')).toHaveTextContent('Sign v1.3.2');
    await waitFor(() => expect(signals.listening(CHANNEL)).toBe(true));
    newer = true;
    signals.publish(CHANNEL, { what: 'evidence' });
    await settle();
    await userEvent.click(
      within(screen.getByRole('dialog')).getByRole('button', {
        name: 'Approve',
      }),
    );
    expect(api.signOff).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({
        release: { version: '1.3.2', digest: DIGEST },
      }),
    );
  });

  it('says a version no evidence names was not found, and offers the newest', async () => {
    const api = mockApi({
      getStatus: jest.fn(async (_e, r) => {
        const s = status(r.environment ?? 'production');
        return r.version === '9.9.9'
          ? { ...s, release: { version: '9.9.9', environment: r.environment } }
          : s;
      }),
    });
    await renderPage(api, {
      routeEntries: ['/?version=9.9.9&environment=production'],
    });
    expect(
      await screen.findByText('No evidence names release v9.9.9', {}, slow),
    ).toBeInTheDocument();
    expect(screen.queryByText(/no digest/)).toBeNull();
    await userEvent.click(
      screen.getByRole('button', { name: 'Show the newest release' }),
    );
    expect(
      await screen.findByLabelText(/^Verdict:/, {}, slow),
    ).toBeInTheDocument();
    await waitFor(() => expect(currentSearch().get('version')).toBe('1.3.2'));
    expect(screen.queryByText(/No evidence names/)).toBeNull();
  });
});

describe('Deploy during a background re-read', () => {
  it('stays enabled, says nothing of evaluating, and keeps keyboard focus', async () => {
    let hold: (() => void) | undefined;
    let holding = false;
    const api = readyApi();
    const getStatus = api.getStatus as jest.Mock;
    const good = getStatus.getMockImplementation()!;
    getStatus.mockImplementation(async (...args: any[]) => {
      if (holding) await new Promise<void>(r => (hold = r));
      return good(...args);
    });
    const signals = await renderPage(api);
    const deploy = await screen.findByRole('button', { name: 'Deploy' }, slow);
    await waitFor(() => expect(deploy).toBeEnabled(), slow);
    await waitFor(() => expect(signals.listening(CHANNEL)).toBe(true));
    await settle();
    deploy.focus();
    holding = true;
    signals.publish(CHANNEL, { what: 'evidence' });
    await settle();
    const during = {
      enabled: !(deploy as HTMLButtonElement).disabled,
      evaluating: !!screen.queryByText(/Evaluating the gates/),
      focused: document.activeElement === deploy,
    };
    hold?.();
    await settle();
    expect(during).toEqual({ enabled: true, evaluating: false, focused: true });
    expect(document.activeElement).toBe(deploy);
  });
});

describe('Deploy after a change of environment', () => {
  it('waits, "Evaluating the gates", until the gates of the environment picked are read', async () => {
    let hold: (() => void) | undefined;
    const api = readyApi({
      listEnvironments: jest.fn(async () => [
        ops.production(),
        ops.production({ name: 'staging' }),
      ]),
    });
    const getStatus = api.getStatus as jest.Mock;
    const good = getStatus.getMockImplementation()!;
    getStatus.mockImplementation(async (e: any, r: any) => {
      if (r.environment === 'staging') {
        await new Promise<void>(res => (hold = res));
      }
      const s = await good(e, r);
      return { ...s, release: { ...s.release, environment: r.environment } };
    });
    await renderPage(api);
    await waitFor(
      async () =>
        expect(
          await screen.findByRole('button', { name: 'Deploy' }),
        ).toBeEnabled(),
      slow,
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Work on staging' }, slow),
    );
    expect(
      await screen.findByText(/Evaluating the gates for staging/, {}, slow),
    ).toBeInTheDocument();
    act(() => hold?.());
    await waitFor(
      () => expect(screen.queryByText(/Evaluating the gates/)).toBeNull(),
      slow,
    );
  });
});

describe('a nudge on the release channel', () => {
  it('an override granted elsewhere shows in the Deploy section too', async () => {
    let granted = false;
    const failing = ops.status(
      { 'image-scanning': 'fail' },
      ops.fourEyes({
        po: ops.approved('user:default/pat'),
        security: ops.approved('user:default/sam'),
      }),
    );
    const override = {
      id: 'ov-1',
      entityRef: 'component:default/rco',
      environment: 'production',
      release: ops.RELEASE,
      justification: 'Incident INC-4711',
      createdBy: 'user:default/mei',
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    };
    let evaluated = 0;
    const api = readyApi({
      getStatus: jest.fn(async () => ({
        ...failing,
        evaluatedAt: new Date(Date.now() + ++evaluated).toISOString(),
        release: { ...failing.release, environment: 'production' },
      })),
      listOverrides: jest.fn(async () => (granted ? [override] : [])),
    });
    const signals = await renderPage(api);
    const region = await screen.findByRole(
      'region',
      { name: 'Operations in production' },
      slow,
    );
    await waitFor(() => expect(signals.listening(CHANNEL)).toBe(true));
    granted = true;
    signals.publish(CHANNEL, { what: 'override' });
    expect(
      await screen.findByRole('status', {
        name: 'Break-glass override active in production',
      }),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(
        within(region).queryByText(/Image & Dependency Scanning: fail/),
      ).toBeNull(),
    );
  });
});

describe('the capabilities', () => {
  it('are read again after a failure, and live updates then start', async () => {
    const signals = fakeSignals();
    const api = mockApi({
      getCapabilities: jest
        .fn()
        .mockRejectedValueOnce(new Error('502 Bad Gateway'))
        .mockResolvedValue(caps({ releaseChannel: CHANNEL, waive: true })),
    });
    await renderPage(api, {}, signals);
    await screen.findByLabelText(/^Verdict:/, {}, slow);
    expect(signals.listening(CHANNEL)).toBe(false);
    // The fallback poll (or focus) re-reads them.
    act(() => {
      window.dispatchEvent(new Event('focus'));
    });
    await waitFor(() => expect(signals.listening(CHANNEL)).toBe(true), slow);
    expect(
      await screen.findByRole('button', { name: 'Waive a gate' }, slow),
    ).toBeInTheDocument();
  });
});

describe('the skip links', () => {
  it('land on labelled regions', async () => {
    await renderPage(mockApi());
    await screen.findByLabelText(/^Verdict:/, {}, slow);
    expect(
      screen.getByRole('region', { name: 'Gate checklist' }),
    ).toHaveAttribute('id', 'rco-gate-checklist');
    expect(screen.getByRole('region', { name: 'Deploy' })).toHaveAttribute(
      'id',
      'rco-deploy',
    );
  });
});
