import { Duration } from 'luxon';
import {
  checkWindowSpan,
  describeWindow,
  missingRoles,
  parseWindowTime,
  requireZone,
  toWindowView,
  windowCoversRelease,
  windowState,
} from './windowRules';
import { DeployWindowRecord } from './WindowStore';

const utc = (iso: string) => new Date(iso);

describe('parseWindowTime', () => {
  it.each([
    // [what, input, zone, UTC instant]
    [
      'winter local time in Berlin (UTC+1)',
      '2026-12-14T22:00:00',
      'Europe/Berlin',
      '2026-12-14T21:00:00.000Z',
    ],
    [
      'summer local time in Berlin (UTC+2)',
      '2026-07-14T22:00',
      'Europe/Berlin',
      '2026-07-14T20:00:00.000Z',
    ],
    [
      'New York in winter (UTC-5)',
      '2026-12-14T22:00:00',
      'America/New_York',
      '2026-12-15T03:00:00.000Z',
    ],
    [
      'a half-hour zone (Kolkata, UTC+5:30)',
      '2026-12-14T00:30:00',
      'Asia/Kolkata',
      '2026-12-13T19:00:00.000Z',
    ],
    [
      'Z ignores the zone',
      '2026-12-14T22:00:00Z',
      'Europe/Berlin',
      '2026-12-14T22:00:00.000Z',
    ],
    [
      'an explicit offset ignores the zone',
      '2026-12-14T22:00:00+05:00',
      'Europe/Berlin',
      '2026-12-14T17:00:00.000Z',
    ],
    [
      'UTC as the zone',
      '2026-12-14T22:00:00.250',
      'UTC',
      '2026-12-14T22:00:00.250Z',
    ],
    [
      'the day clocks go forward, before the gap',
      '2026-03-29T01:59:00',
      'Europe/Berlin',
      '2026-03-29T00:59:00.000Z',
    ],
    [
      'the day clocks go forward, after the gap',
      '2026-03-29T03:00:00',
      'Europe/Berlin',
      '2026-03-29T01:00:00.000Z',
    ],
    [
      'the day clocks go back, before the repeated hour',
      '2026-10-25T01:30:00',
      'Europe/Berlin',
      '2026-10-24T23:30:00.000Z',
    ],
    [
      'the day clocks go back, after it',
      '2026-10-25T03:00:00',
      'Europe/Berlin',
      '2026-10-25T02:00:00.000Z',
    ],
    [
      'US spring forward, after the gap',
      '2026-03-08T03:30:00',
      'America/New_York',
      '2026-03-08T07:30:00.000Z',
    ],
  ])('%s', (_what, input, zone, expected) => {
    expect(parseWindowTime(input, zone, 'start').toISOString()).toBe(expected);
  });

  it.each([
    [
      'a time the clocks skip (Berlin, spring)',
      '2026-03-29T02:30:00',
      'Europe/Berlin',
      /does not exist in Europe\/Berlin/,
    ],
    [
      'a time the clocks skip (New York, spring)',
      '2026-03-08T02:15:00',
      'America/New_York',
      /does not exist in America\/New_York/,
    ],
    [
      'a time that happens twice (Berlin, autumn)',
      '2026-10-25T02:30:00',
      'Europe/Berlin',
      /happens twice in Europe\/Berlin .*2026-10-25T00:30:00.000Z or 2026-10-25T01:30:00.000Z/,
    ],
    [
      'a time that happens twice (New York, autumn)',
      '2026-11-01T01:30:00',
      'America/New_York',
      /happens twice/,
    ],
    [
      'an unknown zone',
      '2026-12-14T22:00:00',
      'Mars/Olympus_Mons',
      /Unknown time zone "Mars\/Olympus_Mons"/,
    ],
    ['a date without a time', '2026-12-14', 'UTC', /must be a date and time/],
    ['words', 'tomorrow evening', 'UTC', /must be a date and time/],
    [
      'an impossible date',
      '2026-02-30T10:00:00',
      'UTC',
      /not a valid date and time/,
    ],
    [
      'an hour past 23',
      '2026-12-14T24:30:00',
      'UTC',
      /not a valid date and time/,
    ],
  ])('refuses %s', (_what, input, zone, message) => {
    expect(() => parseWindowTime(input, zone, 'start')).toThrow(message);
  });

  it('names the zone it does not know, whatever else is wrong', () => {
    expect(() => requireZone('Europe/Atlantis')).toThrow(
      'Unknown time zone "Europe/Atlantis"',
    );
    expect(requireZone('Asia/Tokyo')).toBe('Asia/Tokyo');
  });
});

describe('checkWindowSpan', () => {
  const now = utc('2026-12-10T12:00:00Z');
  const max = Duration.fromISO('P1D');
  it.each([
    [
      'a window crossing midnight',
      '2026-12-14T22:00:00Z',
      '2026-12-15T02:00:00Z',
      undefined,
    ],
    [
      'a window that started and is still open',
      '2026-12-10T11:00:00Z',
      '2026-12-10T13:00:00Z',
      undefined,
    ],
    [
      'exactly the longest',
      '2026-12-14T00:00:00Z',
      '2026-12-15T00:00:00Z',
      undefined,
    ],
    [
      'a minute too long',
      '2026-12-14T00:00:00Z',
      '2026-12-15T00:01:00Z',
      /at most P1D \(rco\.windows\.maxDuration\); this one lasts 24 hr, 1 min/,
    ],
    [
      'end before start',
      '2026-12-14T22:00:00Z',
      '2026-12-14T21:00:00Z',
      /must come before its end/,
    ],
    [
      'an empty window',
      '2026-12-14T22:00:00Z',
      '2026-12-14T22:00:00Z',
      /must come before its end/,
    ],
    [
      'a window that has ended',
      '2026-12-10T10:00:00Z',
      '2026-12-10T12:00:00Z',
      /ended already/,
    ],
  ])('%s', (_what, start, end, error) => {
    const outcome = () => {
      try {
        checkWindowSpan(utc(start), utc(end), now, max);
        return 'allowed';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(outcome()).toMatch(error ?? /^allowed$/);
  });

  it('a local window crossing midnight on the night clocks go back lasts an hour longer than its wall clock says', () => {
    // 22:00 to 04:00 local on 24/25 October 2026 in Berlin: 7 hours, not 6.
    const start = parseWindowTime(
      '2026-10-24T22:00:00',
      'Europe/Berlin',
      'start',
    );
    const end = parseWindowTime('2026-10-25T04:00:00', 'Europe/Berlin', 'end');
    expect(end.getTime() - start.getTime()).toBe(7 * 3_600_000);
    const october = utc('2026-10-01T00:00:00Z');
    expect(() =>
      checkWindowSpan(start, end, october, Duration.fromISO('PT6H')),
    ).toThrow(/this one lasts 7 hr/);
    expect(() =>
      checkWindowSpan(
        start,
        end,
        utc('2026-10-01T00:00:00Z'),
        Duration.fromISO('PT7H'),
      ),
    ).not.toThrow();
  });
});

const base: DeployWindowRecord = {
  id: 'w1',
  entityRef: 'component:default/rco',
  environment: 'production',
  release: { version: '1.5.0' },
  start: utc('2026-12-14T21:00:00Z'),
  end: utc('2026-12-14T23:00:00Z'),
  timeZone: 'Europe/Berlin',
  requiredRoles: ['po', 'security'],
  proposedBy: 'user:default/alice',
  proposedAt: utc('2026-12-10T09:00:00Z'),
  acceptances: [],
};
const acc = (role: 'po' | 'dpo' | 'security', by: string) => ({
  id: `${role}-${by}`,
  role,
  by,
  at: utc('2026-12-10T10:00:00Z'),
});

describe('windowState and the acceptances that count', () => {
  const before = utc('2026-12-12T00:00:00Z');
  it.each([
    ['nobody accepted', [], 'proposed', ['po', 'security']],
    [
      'one role of two',
      [acc('po', 'user:default/priya')],
      'proposed',
      ['security'],
    ],
    [
      'both roles',
      [acc('po', 'user:default/priya'), acc('security', 'user:default/samir')],
      'accepted',
      [],
    ],
    [
      'one person holding both roles',
      [acc('po', 'user:default/pat'), acc('security', 'user:default/pat')],
      'accepted',
      [],
    ],
    [
      "the proposer's acceptance never counts (four eyes)",
      [acc('po', 'user:default/alice'), acc('security', 'user:default/samir')],
      'proposed',
      ['po'],
    ],
    [
      'nor in another spelling of the ref',
      [acc('po', 'User:Default/Alice'), acc('security', 'user:default/samir')],
      'proposed',
      ['po'],
    ],
    [
      'a role the window does not need does not count',
      [acc('dpo', 'user:default/dana'), acc('security', 'user:default/samir')],
      'proposed',
      ['po'],
    ],
  ] as const)('%s', (_what, acceptances, state, missing) => {
    const w = { ...base, acceptances: [...acceptances] };
    expect(windowState(w, before)).toBe(state);
    expect(missingRoles(w)).toEqual(missing);
  });

  it.each([
    ['before the start', '2026-12-14T20:59:59Z', 'accepted', false],
    ['at the start', '2026-12-14T21:00:00Z', 'accepted', true],
    [
      'a millisecond before the end',
      '2026-12-14T22:59:59.999Z',
      'accepted',
      true,
    ],
    ['at the end (exclusive)', '2026-12-14T23:00:00Z', 'expired', false],
  ])('an accepted window %s', (_what, at, state, open) => {
    const w = {
      ...base,
      acceptances: [
        acc('po', 'user:default/priya'),
        acc('security', 'user:default/samir'),
      ],
    };
    const view = toWindowView(w, utc(at));
    expect(view.state).toBe(state);
    expect(view.openNow).toBe(open);
  });

  it('a proposed window inside its span is not open; a cancelled one stays cancelled after its end', () => {
    expect(toWindowView(base, utc('2026-12-14T22:00:00Z'))).toMatchObject({
      state: 'proposed',
      openNow: false,
    });
    const cancelled = { ...base, cancelledAt: utc('2026-12-11T00:00:00Z') };
    expect(windowState(cancelled, utc('2027-01-01T00:00:00Z'))).toBe(
      'cancelled',
    );
  });

  it('the view lists only the acceptances that count', () => {
    const w = {
      ...base,
      acceptances: [
        acc('po', 'user:default/alice'),
        acc('security', 'user:default/samir'),
      ],
    };
    expect(toWindowView(w, before).acceptances).toEqual([
      {
        role: 'security',
        by: 'user:default/samir',
        at: '2026-12-10T10:00:00.000Z',
      },
    ]);
  });
});

describe('windowCoversRelease', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  it.each([
    ['a window for any release', {}, { version: '1.5.0', digest }, true],
    [
      'the same version',
      { version: '1.5.0' },
      { version: '1.5.0', digest },
      true,
    ],
    [
      'another version',
      { version: '1.5.0' },
      { version: '1.6.0', digest },
      false,
    ],
    [
      'the same digest, another case',
      { digest },
      { version: '1.5.0', digest: digest.toUpperCase() },
      true,
    ],
    [
      'version and digest, digest differs',
      { version: '1.5.0', digest },
      { version: '1.5.0', digest: `sha256:${'b'.repeat(64)}` },
      false,
    ],
    [
      'a digest asked for a release without one',
      { digest },
      { version: '1.5.0' },
      false,
    ],
  ])('%s', (_what, windowRelease, release, covers) => {
    expect(windowCoversRelease({ release: windowRelease }, release)).toBe(
      covers,
    );
  });
});

describe('describeWindow', () => {
  it.each([
    [
      '2026-12-14T21:00:00Z',
      '2026-12-14T22:00:00Z',
      'Europe/Berlin',
      'Mon 14 Dec 2026, 22:00–23:00 Europe/Berlin',
    ],
    [
      '2026-12-14T21:00:00Z',
      '2026-12-15T01:00:00Z',
      'Europe/Berlin',
      'Mon 14 Dec 2026, 22:00–Tue 15 Dec 2026, 02:00 Europe/Berlin',
    ],
  ])('%s–%s in %s', (start, end, timeZone, text) => {
    expect(describeWindow({ start: utc(start), end: utc(end), timeZone })).toBe(
      text,
    );
  });
});
