import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { operation } from '../../__testUtils__/operationsFixtures';
import { localTime } from '../shared';
import { HistoryTable } from './HistoryTable';

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
