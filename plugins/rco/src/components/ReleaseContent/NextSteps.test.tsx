import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  caps,
  mockApi,
  NEXT,
  PUSH_TRIVY,
  render,
  slow,
  status,
  UPLOAD_KYVERNO,
  UPLOAD_TRIVY,
} from '../../__testUtils__/releaseFixtures';

jest.setTimeout(30_000);

const ENTITY = { kind: 'Component', namespace: 'default', name: 'rco' };
const whatToDo = (title: string) =>
  screen.findByRole('region', { name: `What to do: ${title}` }, slow);

describe('Issue 12, point 1: every gate that does not pass says what would make it pass', () => {
  it('shows the upload command in a block with a named Copy button, says the evidence is about the image, and the condition in words', async () => {
    const writeText = jest.fn(async () => {});
    Object.assign(navigator, { clipboard: { writeText } });
    await render(mockApi());
    const steps = await whatToDo('Image & Dependency Scanning');
    expect(within(steps).getByText(UPLOAD_TRIVY)).toBeInTheDocument();
    expect(steps).toHaveTextContent(
      'About the image: one upload counts in every environment.',
    );
    expect(steps).toHaveTextContent(
      'Passes when: No CRITICAL or HIGH findings in a scan of this image no older than 7 days',
    );
    expect(
      within(steps).getByRole('link', {
        name: 'Runbook: how Image & Dependency Scanning is verified',
      }),
    ).toHaveAttribute(
      'href',
      expect.stringContaining('#section-final-review-gate-checklist'),
    );
    await userEvent.click(
      within(steps).getByRole('button', {
        name: 'Copy the trivy upload command for Image & Dependency Scanning',
      }),
    );
    expect(writeText).toHaveBeenCalledWith(UPLOAD_TRIVY);
    expect(
      within(steps)
        .getAllByRole('status')
        .map(s => s.textContent),
    ).toContain('Copied to the clipboard');
  });

  it('offers the same upload as an rco CLI command, copied whole (issue 16)', async () => {
    const writeText = jest.fn(async () => {});
    Object.assign(navigator, { clipboard: { writeText } });
    await render(mockApi());
    const steps = await whatToDo('Image & Dependency Scanning');
    expect(within(steps).getByText(PUSH_TRIVY)).toBeInTheDocument();
    await userEvent.click(
      within(steps).getByRole('button', {
        name: 'Copy the rco CLI command for Image & Dependency Scanning',
      }),
    );
    expect(writeText).toHaveBeenCalledWith(PUSH_TRIVY);
    // Steps without one (every other fixture step) show no second block.
    expect(
      screen.getAllByRole('button', { name: /rco CLI command/ }),
    ).toHaveLength(1);
  });

  it('says that per-environment evidence counts only in the environment the command names', async () => {
    const failing = status();
    const policy = failing.gates.find(g => g.id === 'policy-enforcement')!;
    policy.status = 'fail';
    policy.next = NEXT['policy-enforcement'];
    await render(mockApi({ getStatus: jest.fn(async () => failing) }));
    const steps = await whatToDo('Policy Enforcement');
    expect(within(steps).getByText(UPLOAD_KYVERNO)).toBeInTheDocument();
    expect(steps).toHaveTextContent(
      'Per environment: this counts in production only; each environment needs its own.',
    );
    expect(
      within(steps).getByRole('button', {
        name: 'Copy the kyverno upload command for Policy Enforcement in production',
      }),
    ).toBeInTheDocument();
  });

  it('runs a rollback dry-run from the gate, in the environment of the step, without a confirmation, and re-reads the gates when it ends', async () => {
    const api = mockApi({
      getCapabilities: jest.fn(async () =>
        caps({
          operations: {
            deploy: true,
            rollback: true,
            control: true,
            breakGlass: false,
          },
        }),
      ),
    });
    await render(api);
    const steps = await whatToDo('Migration Controls');
    const before = api.getStatus.mock.calls.length;
    await userEvent.click(
      within(steps).getByRole('button', {
        name: 'Run a rollback dry-run in staging',
      }),
    );
    expect(api.createOperation).toHaveBeenCalledTimes(1);
    expect(api.createOperation).toHaveBeenCalledWith(
      ENTITY,
      { type: 'rollback-dry-run', environment: 'staging' },
      expect.stringMatching(/^[0-9a-f-]{16,}$/),
    );
    // A dry-run changes nothing: no typed confirmation is asked for.
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(
      await within(steps).findByText(
        'Dry-run in staging succeeded',
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(api.getOperation).toHaveBeenCalledWith('op-dry-1');
    await waitFor(() =>
      expect(api.getStatus.mock.calls.length).toBeGreaterThan(before),
    );
  });

  it('offers no dry-run button to someone who may not roll back, and says who can', async () => {
    await render(mockApi());
    const steps = await whatToDo('Migration Controls');
    expect(within(steps).queryByRole('button')).not.toBeInTheDocument();
    expect(steps).toHaveTextContent(
      'The service’s owners can run it here or in the Deploy section.',
    );
  });

  it('requests the release from the sign-off gate', async () => {
    const api = mockApi();
    await render(api);
    await userEvent.click(
      within(await whatToDo('DPO Sign-off')).getByRole('button', {
        name: 'Request this release',
      }),
    );
    expect(api.requestRelease).toHaveBeenCalledWith(ENTITY, {
      version: '1.3.2',
      digest: expect.stringMatching(/^sha256:/),
    });
  });

  it('names who can sign, and takes someone who may sign to the sign-off panel', async () => {
    await render(
      mockApi({
        getCapabilities: jest.fn(async () =>
          caps({ signoff: { po: false, dpo: true, security: false } }),
        ),
      }),
    );
    const steps = await whatToDo('DPO Sign-off');
    expect(steps).toHaveTextContent(
      'Lena Vogel (Data Protection Officers) can sign as Data Protection Officer.',
    );
    await userEvent.click(
      within(steps).getByRole('button', {
        name: 'Go to sign as Data Protection Officer',
      }),
    );
    expect(
      screen.getByRole('button', { name: 'Sign as Data Protection Officer' }),
    ).toHaveFocus();
  });

  it('offers no sign button to someone outside the role', async () => {
    await render(mockApi());
    const steps = await whatToDo('DPO Sign-off');
    expect(
      within(steps).queryByRole('button', { name: /^Go to sign/ }),
    ).not.toBeInTheDocument();
  });

  it('names who may waive, and opens the waiver dialog on that gate for the waiver group', async () => {
    await render(
      mockApi({ getCapabilities: jest.fn(async () => caps({ waive: true })) }),
    );
    const steps = await whatToDo('Secret Hygiene');
    expect(steps).toHaveTextContent(
      'Samir Haddad (Release Managers) can waive Secret Hygiene.',
    );
    await userEvent.click(
      within(steps).getByRole('button', { name: 'Waive Secret Hygiene' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Waive a gate' });
    expect(
      within(dialog).getByRole('button', { name: /^Gate/ }),
    ).toHaveTextContent('Secret Hygiene');
  });

  it('names the setting a configure step needs, and shows nothing to do for passing gates', async () => {
    await render(mockApi());
    const steps = await whatToDo('Monitoring & Alerting');
    expect(steps).toHaveTextContent(
      'Setting: rco.ci.subjects (the portal’s operators set it in app-config)',
    );
    expect(
      screen.queryByRole('region', { name: 'What to do: Acronym Clarity' }),
    ).not.toBeInTheDocument();
  });
});
