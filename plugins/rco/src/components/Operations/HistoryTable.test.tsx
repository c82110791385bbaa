import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { operation } from '../../__testUtils__/operationsFixtures';
import { localTime } from '../shared';
import { HISTORY_PAGE, HistoryTable } from './HistoryTable';

describe('Deploy history names operations by what they were (issue 12 review, point 7)', () => {
  it('names the snapshot and reasons by type, version, environment and time, never the operation id', async () => {
    const op = operation({
      id: '5f0c1d2e-8a7b-4c3d-9e8f-0a1b2c3d4e5f',
      state: 'succeeded',
      environment: 'staging',
      release: { version: '1.5.0', digest: `sha256:${'ab'.repeat(32)}` },
      reasons: ['Preflight passed'],
      gateSnapshot: {
        hash: 'cd'.repeat(32),
        evaluatedAt: new Date(Date.now() - 3_600_000).toISOString(),
        gates: [{ id: 'policy-enforcement', status: 'pass' }],
        signoffs: [],
      },
    });
    await renderInTestApp(<HistoryTable operations={[op]} />);
    await userEvent.click(screen.getByRole('button', { name: /gates pass/ }));
    const what = `Deploy rco 1.5.0 to staging, ${localTime(op.createdAt)}`;
    expect(
      screen.getByRole('list', { name: `Gates of ${what}` }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('list', { name: `Reasons of ${what}` }),
    ).toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'Deploy history' });
    for (const el of within(table).queryAllByLabelText(/./))
      expect(el.getAttribute('aria-label')).not.toContain(op.id);
  });
});

describe('Deploy history of months of deploys', () => {
  const ops = Array.from({ length: 23 }, (_, i) =>
    operation({
      id: `op-${i}`,
      state: 'succeeded',
      environment: 'staging',
      release: { version: `1.${23 - i}.0` },
      createdAt: new Date(Date.UTC(2026, 10, 23 - i)).toISOString(),
    }),
  );
  const versions = () =>
    within(screen.getByRole('table', { name: 'Deploy history' }))
      .getAllByRole('row')
      .slice(1)
      .map(r => /1\.\d+\.0/.exec(r.textContent ?? '')?.[0]);

  it('shows the newest operations first and the older ones a page at a time', async () => {
    await renderInTestApp(<HistoryTable operations={ops} />);
    expect(versions()).toEqual(
      ops.slice(0, HISTORY_PAGE).map(o => o.release.version),
    );
    expect(screen.getByRole('status')).toHaveTextContent(
      `The newest ${HISTORY_PAGE} of 23 operations`,
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Show 10 older' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Show 3 older' }));
    expect(versions()).toEqual(ops.map(o => o.release.version));
    await userEvent.click(
      screen.getByRole('button', { name: 'Show the newest 10 only' }),
    );
    expect(versions()).toHaveLength(HISTORY_PAGE);
  });

  it('says nothing of pages when every operation fits', async () => {
    await renderInTestApp(<HistoryTable operations={ops.slice(0, 4)} />);
    expect(versions()).toHaveLength(4);
    expect(screen.queryByRole('button', { name: /older/ })).toBeNull();
  });
});
