import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { ClockProvider } from './clock';
import { personRef } from './Person';
import { RichText } from './RichText';
import { relativeTo, When } from './When';
import { countOf, plural } from './words';

describe('shared display pieces', () => {
  it('reads person and group refs, not other principals', () => {
    expect(personRef('user:default/lena.vogel')).toBe(
      'user:default/lena.vogel',
    );
    expect(personRef('group:default/dpo')).toBe('group:default/dpo');
    expect(personRef('service:demo-ci (demo data)')).toBeUndefined();
    expect(personRef('rco:operation:123')).toBeUndefined();
    expect(personRef('lena.vogel')).toBeUndefined();
  });

  it('shows people in a backend sentence by name, their ref on hover, and instants as relative times', async () => {
    const inAnHour = new Date(Date.now() + 90 * 60_000).toISOString();
    await renderInTestApp(
      <RichText
        text={`Waived by user:default/samir.haddad until ${inAnHour}: not reachable`}
      />,
    );
    // The catalog's default presentation: the name, the full ref in the tooltip.
    expect(screen.getByText('samir.haddad')).toBeInTheDocument();
    expect(screen.queryByText(/user:default\/samir\.haddad/)).toBeNull();
    // After "until", the local time leads, the relative one follows (issue 12 review, point 4).
    const time = screen.getByText(/\(in 1 hour\)$/);
    expect(time.tagName).toBe('TIME');
    expect(time).toHaveAttribute('dateTime', inAnHour);
    expect(time.getAttribute('title')).toMatch(/\d/);
    expect(screen.getByText(/: not reachable/)).toBeInTheDocument();
  });

  it('says ISO 8601 durations in a backend sentence in words, the ISO text on hover', async () => {
    await renderInTestApp(
      <RichText text="Runbook declares RTO PT15M and RPO PT5M; dry-run is 31 days old (max P30D); RTO/RPO kept" />,
    );
    expect(
      screen.getByText(/Runbook declares RTO/).parentElement,
    ).toHaveTextContent(
      'Runbook declares RTO 15 minutes and RPO 5 minutes; dry-run is 31 days old (max 30 days); RTO/RPO kept',
    );
    expect(screen.getByText('30 days')).toHaveAttribute('title', 'P30D');
  });

  it('reads relative times against the portal clock', async () => {
    const at = new Date(Date.now() + 86_400_000).toISOString();
    await renderInTestApp(
      <ClockProvider offsetMs={86_400_000}>
        <When iso={at} />
      </ClockProvider>,
    );
    expect(
      screen.getByText(/0 seconds ago|in 0 seconds|now/),
    ).toBeInTheDocument();
    expect(relativeTo('not a time', Date.now())).toBe('not a time');
  });

  it('says counts in words', () => {
    expect(plural(1, 'gate')).toBe('1 gate');
    expect(plural(3, 'gate')).toBe('3 gates');
    expect(countOf(2, 7, 'requirements', 'unmet')).toBe(
      '2 of 7 requirements unmet',
    );
  });
});
