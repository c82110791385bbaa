import { GATE_IDS } from '@helix-portal/plugin-rco-common';
import { screen, within } from '@testing-library/react';
import {
  DIGEST,
  mockApi,
  render,
  slow,
} from '../../__testUtils__/releaseFixtures';

jest.setTimeout(30_000);

const override = (id: string, extra: Record<string, string> = {}) => ({
  id,
  entityRef: 'component:default/rco',
  environment: 'production',
  release: { version: '1.3.2', digest: DIGEST },
  justification: 'Incident INC-42: hotfix for the payment outage',
  createdBy: 'user:default/samir.haddad',
  createdAt: new Date(Date.now() - 600_000).toISOString(),
  // A few minutes over: relative times round down.
  expiresAt: new Date(Date.now() + 3 * 3600_000 + 300_000).toISOString(),
  ...extra,
});

describe('Issue 12, point 7: people and times, not identifiers', () => {
  it('names evidence submitters with the ref on hover, and says times relatively with the local time on hover', async () => {
    await render(mockApi());
    const row = (await screen.findByText('Secret Hygiene', {}, slow)).closest(
      'tr',
    )!;
    const name = within(row).getByText('Alice Moreau');
    expect(name.closest('[title]')).toHaveAttribute(
      'title',
      'user:default/alice',
    );
    const collected = within(row).getByText('1 hour ago');
    expect(collected.tagName).toBe('TIME');
    expect(collected).toHaveAttribute('title', expect.stringMatching(/\d/));
    expect(row).not.toHaveTextContent(/\d{4}-\d{2}-\d{2}T/);
  });

  it('counts pillar requirements in words and links their gates by title', async () => {
    await render(mockApi());
    expect(
      await screen.findByText('1 of 2 requirements unmet', {}, slow),
    ).toBeInTheDocument();
    const pillar = screen.getByRole('list', {
      name: 'Trust-by-Design requirements',
    });
    expect(
      within(pillar).getAllByRole('link', {
        name: 'Image & Dependency Scanning',
      })[0],
    ).toHaveAttribute('href', expect.stringContaining('#gate-image-scanning'));
    expect(pillar).toHaveTextContent('Image & Dependency Scanning: stale');
  });

  it('shows gate titles, never gate ids, in the text of the page', async () => {
    await render(mockApi());
    await screen.findByRole('status', { name: /^Verdict:/ }, slow);
    const ids = new RegExp(`\\b(${GATE_IDS.join('|')})\\b`);
    expect(document.body.textContent).not.toMatch(ids);
    expect(
      screen.getByText(
        /Blocked by 5 gates: Secret Hygiene, Migration Controls, Image & Dependency Scanning, Monitoring & Alerting, DPO Sign-off/,
      ),
    ).toBeInTheDocument();
  });

  it('shows an active break-glass override in the page header, and not an expired or revoked one', async () => {
    await render(
      mockApi({
        listOverrides: jest.fn(async () => [
          override('ov-active'),
          override('ov-expired', {
            environment: 'staging',
            expiresAt: new Date(Date.now() - 60_000).toISOString(),
          }),
          override('ov-revoked', {
            environment: 'staging',
            revokedAt: new Date().toISOString(),
          }),
        ]),
      }),
    );
    const banner = await screen.findByRole(
      'status',
      { name: 'Break-glass override active in production' },
      slow,
    );
    expect(banner).toHaveTextContent(
      /^Break-glass override active in production for v1\.3\.2 · sha256:3f3f3f3f…, granted by Samir Haddad 10 minutes ago, ends in 3 hours: Incident INC-42/,
    );
    // In the header card, above the gate checklist, not only in the Deploy section.
    expect(
      banner.compareDocumentPosition(
        screen.getByRole('group', { name: 'This release in each environment' }),
      ) & Node.DOCUMENT_POSITION_PRECEDING,
    ).toBeTruthy();
    expect(
      screen.queryByRole('status', {
        name: 'Break-glass override active in staging',
      }),
    ).not.toBeInTheDocument();
  });
});
