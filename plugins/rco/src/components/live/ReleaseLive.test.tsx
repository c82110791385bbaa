import { alertApiRef } from '@backstage/core-plugin-api';
import {
  EntityProvider,
  entityPresentationApiRef,
} from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { RcoApi, rcoApiRef } from '../../api/RcoApi';
import {
  caps,
  entity,
  mockApi,
  presentation,
  slow,
  status,
} from '../../__testUtils__/releaseFixtures';
import { ReleaseContent } from '../ReleaseContent';
import { fakeSignals } from '../../__testUtils__/fakeSignals';

jest.setTimeout(30_000);
const CHANNEL = 'rco:release:5eed';

async function renderPage(api: RcoApi, signals = fakeSignals()) {
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
      </EntityProvider>
    </TestApiProvider>,
  );
  return signals;
}

describe('the Release tab follows every change live (issue 12 point 2)', () => {
  it('a nudge on the release channel re-reads the page in place, and the header says when it was updated', async () => {
    let runbookVersion = '1.3';
    const api = mockApi({
      getCapabilities: jest.fn(async () => caps({ releaseChannel: CHANNEL })),
      getStatus: jest.fn(async (_e, release) => ({
        ...status(release.environment ?? 'production'),
        runbookVersion,
      })),
    });
    const signals = await renderPage(api);
    expect(
      await screen.findByText(/Runbook v1\.3\./, {}, slow),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/^Updated (just now|\d+ s ago)$/),
    ).toBeInTheDocument();
    await waitFor(() => expect(signals.listening(CHANNEL)).toBe(true));
    const reads = api.getStatus.mock.calls.length;

    // Someone elsewhere signs off: the backend nudges, the page re-reads.
    runbookVersion = '1.4';
    signals.publish(CHANNEL, { what: 'signoff' });
    // The page stays on screen while it re-reads (no spinner replaces it).
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    expect(screen.getByText(/Runbook v1\.3\./)).toBeInTheDocument();
    expect(await screen.findByText(/Runbook v1\.4\./)).toBeInTheDocument();
    expect(api.getStatus.mock.calls.length).toBeGreaterThan(reads);
    expect(api.listSignoffs).toHaveBeenCalledTimes(2);
  });

  it('without signals it polls every 15 seconds', async () => {
    jest.useFakeTimers();
    try {
      let runbookVersion = '1.3';
      const api = mockApi({
        getStatus: jest.fn(async (_e, release) => ({
          ...status(release.environment ?? 'production'),
          runbookVersion,
        })),
      });
      await renderPage(api);
      expect(await screen.findByText(/Runbook v1\.3\./)).toBeInTheDocument();
      const reads = api.getStatus.mock.calls.length;
      runbookVersion = '1.4';
      await act(async () => {
        jest.advanceTimersByTime(10_000);
      });
      expect(api.getStatus.mock.calls.length).toBe(reads);
      await act(async () => {
        jest.advanceTimersByTime(5_000);
      });
      expect(await screen.findByText(/Runbook v1\.4\./)).toBeInTheDocument();
      expect(api.getStatus.mock.calls.length).toBe(reads + 1);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('the Release tab says it shows demo data (issue 12 point 3)', () => {
  it('shows the banner and moves the portal clock forward for a signed-in person', async () => {
    let offset = 0;
    const advanceDemoClock = jest.fn(async (step: string) => {
      offset += { PT10M: 600_000, PT1H: 3_600_000, P1D: 86_400_000 }[step]!;
      return { offsetMs: offset, now: new Date().toISOString() };
    });
    const api = mockApi({
      getCapabilities: jest.fn(async () =>
        caps({
          releaseChannel: CHANNEL,
          demo: { clockOffsetMs: 0, canAdvanceClock: true },
        }),
      ),
      advanceDemoClock,
    });
    await renderPage(api);
    const banner = await screen.findByRole('note', { name: 'Demo data' }, slow);
    expect(banner).toHaveTextContent(
      'Demo data: seeded by the local portal and kept current on a schedule',
    );
    expect(banner).toHaveTextContent('on real time');
    const reads = api.getStatus.mock.calls.length;
    await userEvent.click(
      screen.getByRole('button', {
        name: 'Move the portal clock forward by 1 hour',
      }),
    );
    expect(advanceDemoClock).toHaveBeenCalledWith('PT1H');
    expect(
      await screen.findByText(/1 hour ahead of real time/),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(api.getStatus.mock.calls.length).toBeGreaterThan(reads),
    );
    await userEvent.click(
      screen.getByRole('button', {
        name: 'Move the portal clock forward by 1 day',
      }),
    );
    expect(
      await screen.findByText(/1 day, 1 hour ahead of real time/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: 'Move the portal clock forward by 10 minutes',
      }),
    ).toBeInTheDocument();
  });

  it('says nothing of demo data in a real portal, and offers no clock to a viewer who may not move it', async () => {
    const real = mockApi();
    await renderPage(real);
    await screen.findByText(/Runbook v/, {}, slow);
    expect(screen.queryByRole('note', { name: 'Demo data' })).toBeNull();
  });

  it('offers no clock control when the caller may not move it', async () => {
    const api = mockApi({
      getCapabilities: jest.fn(async () =>
        caps({ demo: { clockOffsetMs: 3_600_000, canAdvanceClock: false } }),
      ),
    });
    await renderPage(api);
    const banner = await screen.findByRole('note', { name: 'Demo data' }, slow);
    expect(banner).toHaveTextContent('1 hour ahead of real time');
    expect(screen.queryByRole('button', { name: /portal clock/ })).toBeNull();
  });
});
