import { alertApiRef } from '@backstage/core-plugin-api';
import { entityPresentationApiRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { DateTime, Duration } from 'luxon';
import { RcoApi, rcoApiRef } from '../../api/RcoApi';
import { presentation, status } from '../../__testUtils__/releaseFixtures';
import { BreakGlassDialog } from '../Operations/BreakGlass';
import { WaiverDialog } from '../ReleaseContent/WaiverDialog';
import { durationUntil } from './OverrideInsight';
import { ENTITY, metrics, replayResult } from './testFixtures';

jest.setTimeout(30_000);

function renderDialog(el: JSX.Element) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [rcoApiRef, { getRecord: jest.fn() } as unknown as RcoApi],
        [alertApiRef, { post: jest.fn(), alert$: jest.fn() }],
        [entityPresentationApiRef, presentation],
      ]}
    >
      {el}
    </TestApiProvider>,
  );
}

const waiverDialog = (api: Partial<RcoApi>) => (
  <WaiverDialog
    api={api as RcoApi}
    entityRef={ENTITY}
    gates={status('production').gates}
    environment="production"
    initialGate="image-scanning"
    open
    onClose={jest.fn()}
  />
);

/** Issue 17, points 5 and 6: the override dialogs show history and a what-if, and never depend on them. */
describe('Waiver dialog history and what-if', () => {
  it('lists this gate’s past waivers in the dialog’s environment with how each ended', async () => {
    const getMetrics = jest.fn(async () => metrics());
    await renderDialog(waiverDialog({ getMetrics, replay: jest.fn() }));
    const past = await screen.findByRole('region', {
      name: "This gate's past waivers",
    });
    const history = await within(past).findByTestId('rco-override-history');
    const rows = within(history).getAllByRole('row').slice(1);
    // w-1 waived image scanning; w-2 (another gate) and bg-1 (break-glass) are not listed.
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent('Failed: a deploy through it failed');
    expect(rows[0]).toHaveTextContent('Justified w-1');
    // The gate by its title, as the metrics' own tables name it.
    expect(rows[0].querySelectorAll('td')[0]).toHaveTextContent(
      /^Image scanning$/,
    );
    expect(
      within(rows[0]).getByRole('button', { name: /Open operation op-esc-1/ }),
    ).toBeInTheDocument();
    expect(getMetrics).toHaveBeenCalledWith(ENTITY, {
      environment: 'production',
    });
  });

  it('replays the waiver as the dialog would grant it and shows what would change', async () => {
    const replay = jest.fn(async () => replayResult());
    await renderDialog(
      waiverDialog({ getMetrics: jest.fn(async () => metrics()), replay }),
    );
    const expires = DateTime.now()
      .plus({ days: 2 })
      .toFormat("yyyy-LL-dd'T'HH:mm");
    fireEvent.change(screen.getByLabelText(/Expires/), {
      target: { value: expires },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Replay this waiver' }));
    const result = await screen.findByTestId('rco-replay-waiver');
    const [entity, request] = replay.mock.calls[0] as any[];
    expect(entity).toEqual(ENTITY);
    expect(request.change.gate).toBe('image-scanning');
    expect(request.change.waiver.environment).toBe('production');
    const hours = Duration.fromISO(request.change.waiver.duration).as('hours');
    expect(hours).toBeGreaterThan(47.9);
    expect(hours).toBeLessThanOrEqual(48);
    expect(result).toHaveTextContent('reproduces 118 of 120');
    expect(
      within(screen.getByTestId('rco-chart-table-waiver-past')).getAllByRole(
        'row',
      )[1],
    ).toHaveTextContent('op-past-1');
    expect(
      within(
        screen.getByTestId('rco-chart-table-waiver-in-flight'),
      ).getAllByRole('row')[1],
    ).toHaveTextContent('component:default/billing');
    // Another expiry is another waiver: the result asked for the old one goes.
    fireEvent.change(screen.getByLabelText(/Expires/), {
      target: {
        value: DateTime.now().plus({ days: 1 }).toFormat("yyyy-LL-dd'T'HH:mm"),
      },
    });
    expect(screen.queryByTestId('rco-replay-waiver')).toBeNull();
  });

  it('stays usable when the replay and the history fail: says why, still grants', async () => {
    const createWaiver = jest.fn(async () => ({} as any));
    await renderDialog(
      waiverDialog({
        getMetrics: jest.fn(async () => {
          throw new Error('metrics route missing');
        }),
        replay: jest.fn(async () => {
          throw new Error('replay is down');
        }),
        createWaiver,
      }),
    );
    expect(
      await screen.findByText(
        /The history could not be read: metrics route missing/,
      ),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Replay this waiver' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The replay failed: replay is down. You can still grant the waiver.',
    );
    fireEvent.change(screen.getByLabelText(/Justification/), {
      target: { value: 'Scanner outage, image unchanged since 1.3.1' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Waive' }));
    await waitFor(() => expect(createWaiver).toHaveBeenCalledTimes(1));
  });

  it('words the waiver’s length as an ISO duration from now', () => {
    const now = DateTime.fromISO('2026-11-30T10:00:00') as DateTime<true>;
    expect(durationUntil('2026-12-03T12:30', now)).toBe('P3DT2H30M');
  });
});

describe('Break-glass dialog history', () => {
  it('lists the entity’s break-glass overrides in this environment with outcomes', async () => {
    const getMetrics = jest.fn(async () => metrics());
    await renderDialog(
      <BreakGlassDialog
        api={{ getMetrics } as unknown as RcoApi}
        entityRef={ENTITY}
        environment="production"
        release={{ version: '1.3.2' }}
        maxDuration={Duration.fromISO('PT4H')}
        onClose={jest.fn()}
      />,
    );
    const past = await screen.findByRole('region', {
      name: 'Past break-glass overrides in production',
    });
    const rows = within(await within(past).findByTestId('rco-override-history'))
      .getAllByRole('row')
      .slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent('every gate');
    expect(rows[0]).toHaveTextContent('Unused: no deploy went through it');
    expect(getMetrics).toHaveBeenCalledWith(ENTITY, {
      environment: 'production',
    });
  });

  it('asks the history of no environment when the waiver has none, and says a waiver would apply to every one', async () => {
    const getMetrics = jest.fn(async () => metrics());
    await renderDialog(
      <WaiverDialog
        api={{ getMetrics } as unknown as RcoApi}
        entityRef={ENTITY}
        gates={status('production').gates}
        initialGate="image-scanning"
        open
        onClose={jest.fn()}
      />,
    );
    const history = await screen.findByTestId('rco-override-history');
    expect(getMetrics).toHaveBeenCalledWith(ENTITY, {});
    // The history read is the backend's default environment's; the waiver would hold in all.
    expect(history.querySelector('caption')).toHaveTextContent(
      'Past waivers of this gate (the history of production; a waiver without an environment applies to every environment)',
    );
  });

  it('labels a what-if replayed over the demo history as demo data, and a real one not', async () => {
    for (const demo of [true, false]) {
      const replay = jest.fn(async () => replayResult({ demo }));
      const view = await renderDialog(
        waiverDialog({ getMetrics: jest.fn(async () => metrics()), replay }),
      );
      fireEvent.change(screen.getByLabelText(/Expires/), {
        target: {
          value: DateTime.now()
            .plus({ days: 2 })
            .toFormat("yyyy-LL-dd'T'HH:mm"),
        },
      });
      fireEvent.click(
        screen.getByRole('button', { name: 'Replay this waiver' }),
      );
      const result = await screen.findByTestId('rco-replay-waiver');
      expect(
        within(result).queryByText(/^Demo data: generated history/) !== null,
      ).toBe(demo);
      view.unmount();
    }
  });

  it('labels demo history as demo data in the waiver dialog, as the metrics do', async () => {
    const getMetrics = jest.fn(async () => metrics({ demo: true }));
    await renderDialog(waiverDialog({ getMetrics }));
    const past = await screen.findByRole('region', {
      name: "This gate's past waivers",
    });
    await within(past).findByTestId('rco-override-history');
    expect(past).toHaveTextContent(
      'Demo data: generated history of the local portal',
    );
  });
});
