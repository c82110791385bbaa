import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { captureSaves, renderWith } from '../../__testUtils__/roadFixtures';
import { policy, replayResult } from '../Metrics/testFixtures';
import { GatePolicyPage } from './GatePolicyPage';
import { durationWords } from './PolicyTable';

jest.setTimeout(30_000);

function api(replay = jest.fn(async () => replayResult())) {
  return { getGatePolicy: jest.fn(async () => policy()), replay } as any;
}

/** Issue 17: the Gate policy page replays a proposed threshold and changes nothing. */
describe('Gate policy page', () => {
  it('lists the thresholds in force and says it changes nothing', async () => {
    await renderWith(<GatePolicyPage header={false} />, api());
    const table = await screen.findByTestId('rco-gate-policy-table');
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('Image scanning');
    expect(rows[1]).toHaveTextContent('P7D (1 week)');
    expect(rows[1]).toHaveTextContent('CRITICAL, HIGH');
    expect(rows[3]).toHaveTextContent('Passed by people signing');
    expect(within(rows[3]).queryByRole('button')).toBeNull();
    expect(
      screen.getByTestId('rco-gate-policy-changes-nothing'),
    ).toHaveTextContent('This page changes nothing');
  });

  it('sends only the edited change, then shows the replay’s counts, baseline and tables with CSV', async () => {
    const saved = captureSaves();
    const replay = jest.fn(async () => replayResult());
    await renderWith(<GatePolicyPage header={false} />, api(replay));
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'Try a change of Image scanning',
      }),
    );
    const age = screen.getByLabelText(/Maximum evidence age/);
    const replayButton = screen.getByRole('button', { name: 'Replay' });
    expect(replayButton).toBeDisabled();
    fireEvent.change(age, { target: { value: 'seven days' } });
    expect(screen.getByText(/Not a duration/)).toBeInTheDocument();
    expect(replayButton).toBeDisabled();
    fireEvent.change(age, { target: { value: 'P3D' } });
    fireEvent.click(screen.getByRole('checkbox', { name: 'HIGH' }));
    fireEvent.click(replayButton);
    await waitFor(() => expect(replay).toHaveBeenCalledTimes(1));
    expect(replay).toHaveBeenCalledWith(undefined, {
      change: {
        gate: 'image-scanning',
        maxAge: 'P3D',
        blockingSeverities: ['CRITICAL'],
      },
    });
    const result = await screen.findByTestId('rco-replay-policy');
    expect(result).toHaveTextContent(
      '1 past deploys would be judged differently (1 allowed deploys would have been blocked, 0 blocked ones allowed); 1 of 14 releases in flight would change.',
    );
    expect(result).toHaveTextContent('reproduces 118 of 120 stored judgements');
    expect(result).toHaveTextContent(
      'op-mm-1 (image-scanning: stored pass, replayed stale)',
    );
    const past = screen.getByTestId('rco-chart-table-policy-past');
    expect(within(past).getAllByRole('row')[1]).toHaveTextContent('op-past-1');
    const inFlight = screen.getByTestId('rco-chart-table-policy-in-flight');
    expect(within(inFlight).getAllByRole('row')[1]).toHaveTextContent(
      'component:default/billing',
    );
    fireEvent.click(
      within(screen.getByTestId('rco-chart-policy-past')).getByRole('button', {
        name: /Download CSV/,
      }),
    );
    const csv = await saved[0].blob.text();
    expect(csv.split('\r\n')[1]).toBe(
      '2026-11-10 10:00 UTC,component:default/rco,production,v1.2.9,pass,stale,allowed,blocked,op-past-1',
    );
  });

  it('does not show image scanning’s replay under the RTO/RPO form after switching gate', async () => {
    await renderWith(<GatePolicyPage header={false} />, api());
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'Try a change of Image scanning',
      }),
    );
    fireEvent.change(screen.getByLabelText(/Maximum evidence age/), {
      target: { value: 'P3D' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Replay' }));
    await screen.findByTestId('rco-replay-policy');
    // Now the lead tries another gate: its form starts fresh, so must the result below it.
    fireEvent.click(
      screen.getByRole('button', {
        name: 'Try a change of RTO/RPO verification',
      }),
    );
    await waitFor(() =>
      expect(
        screen.getByText('What if: RTO/RPO verification'),
      ).toBeInTheDocument(),
    );
    expect(screen.queryByTestId('rco-replay-policy')).toBeNull();
  });

  it('shows a result only beside the form values it was asked for, and says which change it is', async () => {
    await renderWith(<GatePolicyPage header={false} />, api());
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'Try a change of Image scanning',
      }),
    );
    const age = screen.getByLabelText(/Maximum evidence age/);
    fireEvent.change(age, { target: { value: 'P3D' } });
    fireEvent.click(screen.getByRole('checkbox', { name: 'HIGH' }));
    fireEvent.click(screen.getByRole('button', { name: 'Replay' }));
    expect(
      await screen.findByTestId('rco-replay-policy-change'),
    ).toHaveTextContent(
      'Replayed: Image scanning with maximum evidence age P3D; failing severities CRITICAL.',
    );
    fireEvent.change(age, { target: { value: 'PT1H' } });
    await waitFor(() =>
      expect(screen.queryByTestId('rco-replay-policy')).toBeNull(),
    );
    // Back to the values replayed: their result is the one shown again.
    fireEvent.change(age, { target: { value: 'P3D' } });
    expect(await screen.findByTestId('rco-replay-policy')).toBeInTheDocument();
  });

  it('says a failed replay in words and keeps the form', async () => {
    const replay = jest.fn(async () => {
      throw new Error('replay refused: maxAge too long');
    });
    await renderWith(<GatePolicyPage header={false} />, api(replay));
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'Try a change of RTO/RPO verification',
      }),
    );
    fireEvent.change(screen.getByLabelText(/Maximum evidence age/), {
      target: { value: 'PT12H' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Replay' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The replay failed: replay refused: maxAge too long',
    );
    expect(replay).toHaveBeenCalledWith(undefined, {
      change: { gate: 'rto-rpo-verification', maxAge: 'PT12H' },
    });
    expect(screen.getByRole('button', { name: 'Replay' })).toBeEnabled();
  });

  it('says when the backend listed only the first of many changed judgements', async () => {
    const replay = jest.fn(async () =>
      replayResult({ pastCount: 812, inFlightCount: 3 }),
    );
    await renderWith(<GatePolicyPage header={false} />, api(replay));
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'Try a change of Image scanning',
      }),
    );
    fireEvent.change(screen.getByLabelText(/Maximum evidence age/), {
      target: { value: 'P1D' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Replay' }));
    const result = await screen.findByTestId('rco-replay-policy');
    expect(result).toHaveTextContent(
      '812 past deploys would be judged differently (1 allowed deploys would have been blocked, 0 blocked ones allowed among the first 1); 3 of 14 releases in flight would change.',
    );
    expect(
      screen
        .getByTestId('rco-chart-table-policy-past')
        .querySelector('caption'),
    ).toHaveTextContent('(the first 1 of 812)');
  });

  it('sends configured severities as configured, whatever their case', async () => {
    const replay = jest.fn(async () => replayResult());
    const lower = policy();
    lower.gates[0].blockingSeverities = ['critical', 'high'];
    await renderWith(<GatePolicyPage header={false} />, {
      getGatePolicy: jest.fn(async () => lower),
      replay,
    } as any);
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'Try a change of Image scanning',
      }),
    );
    // One box a severity: the configured spelling stands for the scanners' word.
    expect(
      screen.getAllByRole('checkbox').map(c => c.getAttribute('name')),
    ).toEqual(['critical', 'high', 'MEDIUM', 'LOW', 'UNKNOWN']);
    fireEvent.click(screen.getByRole('checkbox', { name: 'high' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'MEDIUM' }));
    fireEvent.click(screen.getByRole('button', { name: 'Replay' }));
    await waitFor(() =>
      expect(replay).toHaveBeenCalledWith(undefined, {
        change: {
          gate: 'image-scanning',
          blockingSeverities: ['critical', 'MEDIUM'],
        },
      }),
    );
  });

  it('refuses a maximum age longer than 64 characters in the form, in a sentence', async () => {
    const replay = jest.fn(async () => replayResult());
    await renderWith(<GatePolicyPage header={false} />, api(replay));
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'Try a change of RTO/RPO verification',
      }),
    );
    // A valid duration, but 65 characters: the backend would refuse it.
    fireEvent.change(screen.getByLabelText(/Maximum evidence age/), {
      target: { value: `P${'0'.repeat(62)}1D` },
    });
    expect(
      screen.getByText('Too long: a duration is at most 64 characters.'),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Replay' })).toBeDisabled();
    expect(replay).not.toHaveBeenCalled();
  });

  it('words durations', () => {
    expect(durationWords('PT12H')).toBe('PT12H (12 hours)');
    expect(durationWords(undefined)).toBe('none');
  });
});
