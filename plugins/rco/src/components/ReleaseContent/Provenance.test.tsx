import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  collectedStatus,
  collection,
  mockApi,
  render,
  slow,
} from '../../__testUtils__/releaseFixtures';
import { signatureWords } from './collectionWords';

jest.setTimeout(30_000);

const gateRow = async (title: string) =>
  (await screen.findAllByText(title, {}, slow))
    .map(el => el.closest('tr'))
    .find(Boolean)!;

describe('Evidence the console collected, with its provenance (issue 13)', () => {
  const api = (signature?: Parameters<typeof collectedStatus>[0]) =>
    mockApi({
      getStatus: jest.fn(async () => collectedStatus(signature)),
      getCollection: jest.fn(async () => collection()),
    });

  it('the checklist says where the object was read and ages it from its last observation', async () => {
    await render(api());
    const row = await gateRow('Policy Enforcement');
    // Collected three hours ago, last seen unchanged two minutes ago: the age is the latter.
    expect(row).toHaveTextContent(/last observed 2 minutes ago/);
    expect(row).not.toHaveTextContent(/collected 3 hours ago/);
    expect(row).toHaveTextContent(
      'PolicyReport rco-prod/polr-ns-rco-prod in simulated-cluster (simulated cluster), last observed 2 minutes ago',
    );
    expect(row).toHaveTextContent('from cluster');
  });

  it('the evidence drawer shows cluster, namespace, kind, uid, resource version, first seen and last observed', async () => {
    const mocked = api();
    await render(mocked);
    const row = await gateRow('Policy Enforcement');
    await userEvent.click(
      within(row).getByRole('button', {
        name: 'Open policy-report evidence for Policy Enforcement',
      }),
    );
    const drawer = await screen.findByRole('dialog', { name: 'Evidence' });
    expect(
      await within(drawer).findByText('Collected by the console'),
    ).toBeInTheDocument();
    for (const text of [
      'simulated-cluster (simulated cluster)',
      'rco-prod',
      'PolicyReport (wgpolicyk8s.io/v1alpha2) polr-ns-rco-prod',
      '6d1c2f9e-5a1b-4c3d-9e8f-0a1b2c3d4e5f',
      '48213',
      'kubernetes',
    ]) {
      expect(within(drawer).getByText(text)).toBeInTheDocument();
    }
    expect(within(drawer).getByText(/\(3 hours ago\)$/)).toBeInTheDocument();
    expect(within(drawer).getByText(/\(2 minutes ago\)$/)).toBeInTheDocument();
  });

  it('a signature the console verified says so, with the identity', async () => {
    await render(
      api({
        verifiedBy: 'console',
        ok: true,
        identity: {
          issuer: 'https://token.actions.githubusercontent.com',
          subject: 'https://github.com/helix/rco/.github/workflows/release.yml',
        },
      }),
    );
    const row = await gateRow('Image & Dependency Scanning');
    expect(row).toHaveTextContent(
      'Verified by the console (identity https://github.com/helix/rco/.github/workflows/release.yml, issued by https://token.actions.githubusercontent.com)',
    );
  });

  it("a cosign report from CI is shown as CI's claim, not as verified", async () => {
    await render(api({ verifiedBy: 'claim', ok: true }));
    const row = await gateRow('Image & Dependency Scanning');
    expect(row).toHaveTextContent("CI's claim — not verified here");
    expect(row).not.toHaveTextContent('Verified by the console');
  });

  it('a signature that failed verification says why', async () => {
    await render(
      api({
        verifiedBy: 'console',
        ok: false,
        reason: 'the bundle signs sha256:9e1… , not this release’s digest',
      }),
    );
    const row = await gateRow('Image & Dependency Scanning');
    expect(row).toHaveTextContent(
      'Verification by the console failed: the bundle signs sha256:9e1… , not this release’s digest',
    );
  });
});

describe('signature words', () => {
  it('names a key when there is no keyless identity, and a missing reason', () => {
    expect(
      signatureWords({
        verifiedBy: 'console',
        ok: true,
        identity: { keyId: 'rco-release' },
      }).label,
    ).toBe('Verified by the console (identity key rco-release)');
    expect(signatureWords({ verifiedBy: 'console', ok: true }).label).toBe(
      'Verified by the console',
    );
    expect(signatureWords({ verifiedBy: 'console', ok: false }).detail).toBe(
      'no reason given',
    );
  });
});
