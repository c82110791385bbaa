import { renderInTestApp } from '@backstage/test-utils';
import { GateResult, OverrideResponse } from '@helix-portal/plugin-rco-common';
import { screen } from '@testing-library/react';
import { ActiveExceptions } from '../ReleaseContent/ActiveExceptions';
import { RichText } from './RichText';
import { localTime } from './When';

describe('times in sentences (issue 12 review, point 4)', () => {
  const inSixDays = new Date(
    Date.now() + 6 * 86_400_000 + 60_000,
  ).toISOString();
  const aMinuteAgo = new Date(Date.now() - 61_000).toISOString();

  it('says "until <local time> (in 6 days)", never "until in 6 days"', async () => {
    await renderInTestApp(
      <div data-testid="t">
        <RichText text={`Waived until ${inSixDays}: fix lands Monday`} />
      </div>,
    );
    const t = screen.getByTestId('t');
    expect(t).toHaveTextContent(
      `Waived until ${localTime(inSixDays)} (in 6 days): fix lands Monday`,
    );
    expect(t).not.toHaveTextContent('until in');
  });

  it('says "Approved by … 1 minute ago", never "at 1 minute ago"', async () => {
    await renderInTestApp(
      <div data-testid="t">
        <RichText
          text={`Approved by DPO user:default/lena.vogel at ${aMinuteAgo}`}
        />
      </div>,
    );
    const t = screen.getByTestId('t');
    expect(t).toHaveTextContent(
      `Approved by DPO lena.vogel at ${localTime(aMinuteAgo)} (1 minute ago)`,
    );
  });

  const override = {
    id: 'o1',
    environment: 'production',
    release: { version: '1.3.2', digest: `sha256:${'3f'.repeat(32)}` },
    createdBy: 'user:default/samir.haddad',
    createdAt: aMinuteAgo,
    expiresAt: inSixDays,
    justification: 'INC-42',
  } as OverrideResponse;
  const waived = {
    id: 'image-scanning',
    title: 'Image Scanning',
    status: 'waived',
    waiver: {
      grantedBy: 'user:default/samir.haddad',
      expiresAt: inSixDays,
      justification: 'Scanner down',
    },
  } as GateResult;

  it('the header says a waiver lasts "until <local time> (in 6 days)"', async () => {
    await renderInTestApp(<ActiveExceptions gates={[waived]} overrides={[]} />);
    const banner = screen.getByRole('status', {
      name: 'Image Scanning is waived',
    });
    expect(banner).toHaveTextContent(
      `until ${localTime(inSixDays)} (in 6 days): Scanner down`,
    );
  });

  it('the header banners announce once: their ticking times are not live', async () => {
    await renderInTestApp(
      <ActiveExceptions gates={[waived]} overrides={[override]} />,
    );
    for (const name of [
      'Image Scanning is waived',
      'Break-glass override active in production',
    ]) {
      const banner = screen.getByRole('status', { name });
      const times = banner.querySelectorAll('time');
      expect(times.length).toBeGreaterThan(0);
      times.forEach(t => expect(t).toHaveAttribute('aria-live', 'off'));
    }
  });
});
