import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApi, render, slow } from '../../__testUtils__/releaseFixtures';

jest.setTimeout(30_000);

describe('Issue 12, point 10: skip links to the gate table and to Deploy', () => {
  it('reaches Deploy in three key presses from the start of the tab, and the next Tab continues inside it', async () => {
    await render(mockApi());
    await screen.findByRole('status', { name: /^Verdict:/ }, slow);
    const deploy = document.getElementById('rco-deploy')!;
    (document.activeElement as HTMLElement | null)?.blur();

    let presses = 0;
    await userEvent.tab();
    presses++;
    expect(
      screen.getByRole('link', { name: 'Skip to the gate checklist' }),
    ).toHaveFocus();
    await userEvent.tab();
    presses++;
    expect(screen.getByRole('link', { name: 'Skip to Deploy' })).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    presses++;
    expect(deploy).toHaveFocus();
    expect(presses).toBeLessThanOrEqual(3);

    await userEvent.tab();
    expect(deploy).toContainElement(document.activeElement as HTMLElement);
  });

  it('moves focus to the gate checklist, which takes focus only by script', async () => {
    await render(mockApi());
    await screen.findByRole('status', { name: /^Verdict:/ }, slow);
    const gates = document.getElementById('rco-gate-checklist')!;
    expect(gates).toHaveAttribute('tabindex', '-1');
    expect(document.getElementById('rco-deploy')).toHaveAttribute(
      'tabindex',
      '-1',
    );
    await userEvent.click(
      screen.getByRole('link', { name: 'Skip to the gate checklist' }),
    );
    expect(gates).toHaveFocus();
    expect(gates).toContainElement(
      screen.getByText('Final Review Gate Checklist'),
    );
  });
});
