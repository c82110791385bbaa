import { WaiverProposalView } from '@helix-portal/plugin-rco-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DateTime } from 'luxon';
import {
  caps,
  mockApi,
  render,
  slow,
} from '../../__testUtils__/releaseFixtures';

jest.setTimeout(30_000);

const EXPIRES = DateTime.now().plus({ days: 2 }).startOf('minute');
const proposal = (o: Partial<WaiverProposalView> = {}): WaiverProposalView => ({
  id: 'p1',
  ledgerSeq: 7,
  gate: 'image-scanning',
  environment: 'production',
  justification: 'CVE-2024-34156 is not reachable from the gateway',
  expiresAt: EXPIRES.toUTC().toISO()!,
  proposedBy: 'user:default/guest',
  proposedAt: new Date().toISOString(),
  state: 'open',
  ...o,
});

/** Issue 16: a proposed waiver (from a person or their assistant) reaches the waiver group here. */
describe('waiver proposals on the Release tab', () => {
  it('lets a member of the waiver group grant a proposal as proposed', async () => {
    const api = mockApi({
      getCapabilities: jest.fn(async () => caps({ waive: true })),
      listWaiverProposals: jest.fn(async () => [
        proposal(),
        proposal({ id: 'p0', gate: 'policy-enforcement', state: 'granted' }),
      ]),
      createWaiver: jest.fn(async () => ({} as any)),
    });
    await render(api);
    const section = await screen.findByRole(
      'region',
      { name: 'Waiver proposals' },
      slow,
    );
    // Only the open one: a granted proposal is history (the timeline has it).
    expect(section).toHaveTextContent(
      'Guest User proposes waiving Image & Dependency Scanning until',
    );
    expect(section).toHaveTextContent('not reachable from the gateway');
    expect(section).not.toHaveTextContent('Policy Enforcement');
    await userEvent.click(
      within(section).getByRole('button', { name: /Review and grant/ }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Waive a gate' });
    expect(within(dialog).getByLabelText(/Justification/)).toHaveValue(
      'CVE-2024-34156 is not reachable from the gateway',
    );
    expect(within(dialog).getByLabelText(/Expires/)).toHaveValue(
      EXPIRES.toFormat("yyyy-LL-dd'T'HH:mm"),
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: /Waive/ }),
    );
    expect(api.createWaiver).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'rco' }),
      {
        gate: 'image-scanning',
        justification: 'CVE-2024-34156 is not reachable from the gateway',
        expiresAt: EXPIRES.toUTC().toISO(),
        environment: 'production',
      },
    );
  });

  const grantFrom = async (p: WaiverProposalView) => {
    const api = mockApi({
      getCapabilities: jest.fn(async () => caps({ waive: true })),
      listWaiverProposals: jest.fn(async () => [p]),
      createWaiver: jest.fn(async () => ({} as any)),
    });
    await render(api);
    const section = await screen.findByRole(
      'region',
      { name: 'Waiver proposals' },
      slow,
    );
    await userEvent.click(
      within(section).getByRole('button', { name: /Review and grant/ }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Waive a gate' });
    await userEvent.click(
      within(dialog).getByRole('button', { name: /Waive/ }),
    );
    return { api, dialog, section };
  };

  it('grants the gate and release proposed, even a gate waived here (an extension), never another', async () => {
    const { api, dialog, section } = await grantFrom(
      proposal({ gate: 'progressive-delivery', releaseVersion: '1.4.0' }),
    );
    expect(section).toHaveTextContent(
      'Release: 1.4.0 · Environment: production',
    );
    expect(dialog).toHaveTextContent(
      'As Guest User proposed:Release: 1.4.0 · Environment: production',
    );
    expect(api.createWaiver).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'rco' }),
      expect.objectContaining({
        gate: 'progressive-delivery',
        environment: 'production',
        releaseVersion: '1.4.0',
      }),
    );
  });

  it('reviews a proposal for every environment from any and grants it for every environment', async () => {
    const { api, section } = await grantFrom(
      proposal({ environment: undefined }),
    );
    expect(section).toHaveTextContent(
      'Release: every release · Environment: every environment',
    );
    const [, body] = api.createWaiver.mock.calls[0];
    expect(body).toMatchObject({ gate: 'image-scanning' });
    expect(body.environment).toBeUndefined();
    expect(body.releaseVersion).toBeUndefined();
  });

  it('sets the proposer’s words apart: a version label cannot pass for the scope, a ref in the justification names nobody', async () => {
    await render(
      mockApi({
        listWaiverProposals: jest.fn(async () => [
          proposal({
            environment: undefined,
            releaseVersion: '1.5.0, staging) — scanner outage (',
            justification: 'Approved by user:default/samir.haddad already',
          }),
        ]),
      }),
    );
    const section = await screen.findByRole(
      'region',
      { name: 'Waiver proposals' },
      slow,
    );
    // The version is one code span; the wide scope is said in bold, labelled.
    expect(
      within(section).getByText('1.5.0, staging) — scanner outage (').tagName,
    ).toBe('CODE');
    expect(within(section).getByText('every environment').tagName).toBe('B');
    expect(section).toHaveTextContent(
      'Justification: “Approved by user:default/samir.haddad already”',
    );
  });

  it('sends the waiver group to the environment a proposal is for', async () => {
    await render(
      mockApi({
        getCapabilities: jest.fn(async () => caps({ waive: true })),
        listWaiverProposals: jest.fn(async () => [
          proposal({ environment: 'staging' }),
        ]),
      }),
    );
    const section = await screen.findByRole(
      'region',
      { name: 'Waiver proposals' },
      slow,
    );
    expect(section).toHaveTextContent(
      'Pick staging above to review it: its gate is judged there.',
    );
    expect(within(section).queryByRole('button')).toBeNull();
  });

  it('tells everyone else that the proposal waits for the waiver group, with no grant button', async () => {
    await render(
      mockApi({ listWaiverProposals: jest.fn(async () => [proposal()]) }),
    );
    const section = await screen.findByRole(
      'region',
      { name: 'Waiver proposals' },
      slow,
    );
    expect(section).toHaveTextContent(
      'Waits for a member of the waiver group: nothing is waived until one grants it.',
    );
    expect(within(section).queryByRole('button')).toBeNull();
  });

  it('shows nothing when no proposal is open', async () => {
    await render(
      mockApi({
        listWaiverProposals: jest.fn(async () => [
          proposal({ state: 'expired' }),
        ]),
      }),
    );
    await screen.findAllByText(/Image & Dependency Scanning/, undefined, slow);
    expect(
      screen.queryByRole('region', { name: 'Waiver proposals' }),
    ).toBeNull();
  });
});
