import {
  activeFreeze,
  compileFreeze,
  FreezeRule,
  freezeMessage,
  freezesFor,
  freezeViews,
} from './freezes';

const weekend: FreezeRule = compileFreeze({
  name: 'weekend-freeze',
  timeZone: 'Europe/Berlin',
  environments: ['production'],
  recurring: {
    rrule: 'FREQ=WEEKLY;BYDAY=SA;BYHOUR=0;BYMINUTE=0;BYSECOND=0',
    dtstart: '2026-01-03T00:00:00',
    duration: 'P2D',
  },
});
const nightly: FreezeRule = compileFreeze({
  name: 'nightly',
  timeZone: 'America/New_York',
  recurring: {
    rrule: 'FREQ=DAILY;BYHOUR=22;BYMINUTE=0;BYSECOND=0',
    dtstart: '2026-01-01T22:00:00',
    duration: 'PT4H',
  },
});
const yearEnd: FreezeRule = compileFreeze({
  name: 'year-end',
  timeZone: 'Europe/Berlin',
  once: { start: '2026-12-20T00:00:00', end: '2027-01-04T00:00:00' },
});
const mondayMaintenance: FreezeRule = compileFreeze({
  name: 'monday-maintenance',
  timeZone: 'Europe/Berlin',
  once: { start: '2026-01-12T00:00:00', end: '2026-01-12T06:00:00' },
});

const at = (iso: string) => new Date(iso);

describe('freezes: which one holds at an instant, and when deploying resumes', () => {
  it.each([
    // [what, rules, instant, active names or none, resumes at (UTC)]
    [
      'Friday 23:59 local, winter: not yet',
      [weekend],
      '2026-01-09T22:59:00Z',
      [],
      undefined,
    ],
    [
      'Saturday 00:00 local (CET, 23:00Z Friday)',
      [weekend],
      '2026-01-09T23:00:00Z',
      ['weekend-freeze'],
      '2026-01-11T23:00:00.000Z',
    ],
    [
      'Sunday, winter',
      [weekend],
      '2026-01-11T12:00:00Z',
      ['weekend-freeze'],
      '2026-01-11T23:00:00.000Z',
    ],
    [
      'Monday 00:00 local: over',
      [weekend],
      '2026-01-11T23:00:00Z',
      [],
      undefined,
    ],
    // DST starts Sunday 29 March 2026: starts 00:00 CET, ends Monday 00:00 CEST (47 hours).
    [
      'the spring-forward weekend: starts in CET',
      [weekend],
      '2026-03-27T23:00:00Z',
      ['weekend-freeze'],
      '2026-03-29T22:00:00.000Z',
    ],
    [
      'the spring-forward weekend: 22:30Z Sunday is Monday 00:30 CEST',
      [weekend],
      '2026-03-29T22:30:00Z',
      [],
      undefined,
    ],
    [
      'summer: Saturday 00:00 CEST is 22:00Z Friday',
      [weekend],
      '2026-07-03T22:00:00Z',
      ['weekend-freeze'],
      '2026-07-05T22:00:00.000Z',
    ],
    [
      'summer: 21:59Z Friday is still Friday',
      [weekend],
      '2026-07-03T21:59:00Z',
      [],
      undefined,
    ],
    // DST ends Sunday 25 October 2026: starts 00:00 CEST, ends Monday 00:00 CET (49 hours).
    [
      'the fall-back weekend',
      [weekend],
      '2026-10-25T22:30:00Z',
      ['weekend-freeze'],
      '2026-10-25T23:00:00.000Z',
    ],
    // A nightly freeze crossing midnight in New York, across the US spring-forward (8 March).
    [
      'nightly, 23:00 EST',
      [nightly],
      '2026-01-15T04:00:00Z',
      ['nightly'],
      '2026-01-15T07:00:00.000Z',
    ],
    [
      'nightly, 01:30 EST after midnight',
      [nightly],
      '2026-01-15T06:30:00Z',
      ['nightly'],
      '2026-01-15T07:00:00.000Z',
    ],
    [
      'nightly, 02:00 EST: over',
      [nightly],
      '2026-01-15T07:00:00Z',
      [],
      undefined,
    ],
    [
      'nightly across spring-forward: 22:00 EST + 4 h = 03:00 EDT',
      [nightly],
      '2026-03-08T06:30:00Z',
      ['nightly'],
      '2026-03-08T07:00:00.000Z',
    ],
    [
      'nightly in summer: 22:00 EDT is 02:00Z',
      [nightly],
      '2026-07-01T02:00:00Z',
      ['nightly'],
      '2026-07-01T06:00:00.000Z',
    ],
    // One-off, local time in Berlin.
    [
      'year-end from 20 December 00:00 CET',
      [yearEnd],
      '2026-12-19T23:00:00Z',
      ['year-end'],
      '2027-01-03T23:00:00.000Z',
    ],
    [
      'year-end: not on 19 December',
      [yearEnd],
      '2026-12-19T22:59:59Z',
      [],
      undefined,
    ],
    // Consecutive: the weekend ends Monday 00:00 as maintenance starts; resumes at 06:00.
    [
      'back-to-back freezes',
      [weekend, mondayMaintenance],
      '2026-01-10T12:00:00Z',
      ['weekend-freeze'],
      '2026-01-12T05:00:00.000Z',
    ],
    // Overlapping: a weekend inside year-end; year-end's end wins.
    [
      'a weekend inside year-end',
      [weekend, yearEnd],
      '2026-12-26T12:00:00Z',
      ['weekend-freeze', 'year-end'],
      '2027-01-03T23:00:00.000Z',
    ],
  ] as const)('%s', (_what, rules, instant, names, resumes) => {
    const found = activeFreeze([...rules], at(instant));
    expect(found?.active.map(o => o.freeze.name).sort() ?? []).toEqual(
      [...names].sort(),
    );
    expect(found?.resumesAt?.toISOString()).toBe(resumes);
  });

  it('calls a freeze that never ends endless instead of looping', () => {
    const always = compileFreeze({
      name: 'always',
      timeZone: 'UTC',
      recurring: {
        rrule: 'FREQ=DAILY',
        dtstart: '2026-01-01T00:00:00',
        duration: 'P1D',
      },
    });
    const found = activeFreeze([always], at('2026-02-01T00:00:00Z'))!;
    expect(found.active).toHaveLength(1);
    expect(found.resumesAt).toBeUndefined();
    expect(freezeMessage(found, 'production')).toMatch(
      /Freeze always holds deploys to production: no end of the freezes within a year/,
    );
  });

  it('says the freeze and when deploying resumes, in UTC and in its own time zone', () => {
    const found = activeFreeze([weekend], at('2026-01-10T12:00:00Z'))!;
    expect(freezeMessage(found, 'production')).toBe(
      'Freeze weekend-freeze holds deploys to production: deploying to production resumes at 2026-01-11T23:00:00.000Z (Mon 12 Jan 2026 00:00 GMT+1 Europe/Berlin)',
    );
  });
});

describe('freezesFor: per environment and per entity', () => {
  const perEntity = compileFreeze({
    ...yearEnd,
    name: 'rco-only',
    entities: ['component:default/rco'],
  });
  it.each([
    [
      'component:default/rco',
      'production',
      ['weekend-freeze', 'year-end', 'rco-only'],
    ],
    ['component:default/rco', 'staging', ['year-end', 'rco-only']],
    ['Component:Default/RCO', 'staging', ['year-end', 'rco-only']],
    ['component:default/other', 'production', ['weekend-freeze', 'year-end']],
  ])('%s in %s', (ref, env, names) => {
    expect(
      freezesFor([weekend, yearEnd, perEntity], ref, env).map(r => r.name),
    ).toEqual(names);
  });
});

describe('freezeViews: active now or starting within 7 days', () => {
  it('lists the active weekend and the next one is beyond the horizon', () => {
    const views = freezeViews([weekend, yearEnd], at('2026-01-10T12:00:00Z'));
    expect(views).toEqual([
      {
        name: 'weekend-freeze',
        source: 'config',
        from: '2026-01-09T23:00:00.000Z',
        until: '2026-01-11T23:00:00.000Z',
        active: true,
        rule: 'FREQ=WEEKLY;BYDAY=SA;BYHOUR=0;BYMINUTE=0;BYSECOND=0',
        timeZone: 'Europe/Berlin',
      },
      // The next Saturday 17 January starts 6 days 11 hours later: within 7 days.
      expect.objectContaining({
        from: '2026-01-16T23:00:00.000Z',
        active: false,
      }),
    ]);
  });

  it('shows a one-off freeze starting within 7 days, not one further out', () => {
    expect(
      freezeViews([yearEnd], at('2026-12-14T00:00:00Z')).map(v => v.name),
    ).toEqual(['year-end']);
    expect(freezeViews([yearEnd], at('2026-12-12T00:00:00Z'))).toEqual([]);
  });
});

describe('compileFreeze: bad configuration stops the start, naming the key', () => {
  const base = {
    name: 'f',
    timeZone: 'Europe/Berlin',
    recurring: {
      rrule: 'FREQ=WEEKLY;BYDAY=SA',
      dtstart: '2026-01-03T00:00:00',
      duration: 'P2D',
    },
  };
  it.each([
    [
      'an unknown time zone',
      { ...base, timeZone: 'Europe/Atlantis' },
      /rco\.freezes\[f\]\.timeZone "Europe\/Atlantis" is not an IANA time zone/,
    ],
    [
      'a broken RRULE',
      { ...base, recurring: { ...base.recurring, rrule: 'EVERY SATURDAY' } },
      /rco\.freezes\[f\]\.rrule is not an RRULE/,
    ],
    [
      'an unknown day',
      {
        ...base,
        recurring: { ...base.recurring, rrule: 'FREQ=WEEKLY;BYDAY=XX' },
      },
      /rco\.freezes\[f\]\.rrule has an unknown BYDAY day/,
    ],
    [
      'no FREQ',
      { ...base, recurring: { ...base.recurring, rrule: 'BYDAY=SA' } },
      /rco\.freezes\[f\]\.rrule needs FREQ/,
    ],
    [
      'DTSTART inside the rule',
      {
        ...base,
        recurring: {
          ...base.recurring,
          rrule: 'FREQ=WEEKLY;DTSTART=20260101T000000Z',
        },
      },
      /give DTSTART and TZID as dtstart and timeZone/,
    ],
    [
      'a bad dtstart',
      { ...base, recurring: { ...base.recurring, dtstart: 'Saturday' } },
      /rco\.freezes\[f\]\.dtstart must be a local date and time/,
    ],
    [
      'a zero duration',
      { ...base, recurring: { ...base.recurring, duration: 'PT0S' } },
      /rco\.freezes\[f\]\.duration must be a positive ISO 8601 duration/,
    ],
    [
      'end before start',
      {
        name: 'f',
        timeZone: 'UTC',
        once: { start: '2026-12-20T00:00:00', end: '2026-12-19T00:00:00' },
      },
      /rco\.freezes\[f\]\.end \(2026-12-19T00:00:00\) must be after start/,
    ],
    [
      'both forms',
      {
        ...base,
        once: { start: '2026-12-20T00:00:00', end: '2026-12-21T00:00:00' },
      },
      /give either rrule, dtstart and duration \(recurring\) or start and end/,
    ],
  ])('%s', (_what, rule, error) => {
    expect(() => compileFreeze(rule as FreezeRule)).toThrow(error);
  });
});
