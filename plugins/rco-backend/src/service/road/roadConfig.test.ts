import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { readRcoConfig } from '../../config';

/** rco.promotion, rco.environments[].soak and rco.freezes, as the backend reads them at start. */
const ENVIRONMENTS = [
  { name: 'staging', driver: 'simulated', soak: 'PT24H' },
  { name: 'production', driver: 'simulated' },
];
const read = (rco: JsonObject) =>
  readRcoConfig(
    new ConfigReader({ rco: { environments: ENVIRONMENTS, ...rco } }),
  );
const weekend = {
  name: 'weekend-freeze',
  rrule: 'FREQ=WEEKLY;BYDAY=SA;BYHOUR=0;BYMINUTE=0;BYSECOND=0',
  dtstart: '2026-01-03T00:00:00',
  duration: 'P2D',
  timeZone: 'Europe/Berlin',
  environments: ['production'],
  entities: ['Component:Default/RCO'],
};

describe('road configuration', () => {
  it('reads nothing as no rule: no order, no soak, no freezes', () => {
    const config = readRcoConfig(new ConfigReader({}));
    expect(config.promotion).toEqual({ order: [], soak: 'PT0S' });
    expect(config.freezes).toEqual([]);
  });

  it('reads the order, the soaks and the freezes of the contract', () => {
    const config = read({
      promotion: { order: ['staging', 'production'], soak: 'PT12H' },
      freezes: [
        weekend,
        {
          name: 'year-end',
          start: '2026-12-20T00:00:00',
          end: '2027-01-04T00:00:00',
          timeZone: 'Europe/Berlin',
        },
      ],
    });
    expect(config.promotion).toEqual({
      order: ['staging', 'production'],
      soak: 'PT12H',
    });
    expect(config.environments.map(e => e.soak)).toEqual(['PT24H', undefined]);
    expect(config.freezes).toEqual([
      {
        name: 'weekend-freeze',
        timeZone: 'Europe/Berlin',
        environments: ['production'],
        entities: ['component:default/rco'],
        recurring: {
          rrule: weekend.rrule,
          dtstart: weekend.dtstart,
          duration: 'P2D',
        },
      },
      {
        name: 'year-end',
        timeZone: 'Europe/Berlin',
        once: { start: '2026-12-20T00:00:00', end: '2027-01-04T00:00:00' },
      },
    ]);
  });

  it.each([
    [
      'an unknown environment in the order',
      { promotion: { order: ['staging', 'prod'] } },
      /rco\.promotion\.order names "prod", which is not one of rco\.environments \(staging, production\)/,
    ],
    [
      'an environment twice in the order',
      { promotion: { order: ['staging', 'staging'] } },
      /rco\.promotion\.order names an environment twice/,
    ],
    [
      'a soak that is no duration',
      { promotion: { soak: 'a day' } },
      /rco\.promotion\.soak must be an ISO 8601 duration/,
    ],
    [
      'a broken RRULE',
      { freezes: [{ ...weekend, rrule: 'EVERY SATURDAY' }] },
      /rco\.freezes\[weekend-freeze\]\.rrule is not an RRULE/,
    ],
    [
      'an unknown time zone',
      { freezes: [{ ...weekend, timeZone: 'Mars/Olympus' }] },
      /rco\.freezes\[weekend-freeze\]\.timeZone "Mars\/Olympus" is not an IANA time zone/,
    ],
    [
      'end before start',
      {
        freezes: [
          {
            name: 'x',
            start: '2026-12-20T00:00:00',
            end: '2026-12-01T00:00:00',
            timeZone: 'UTC',
          },
        ],
      },
      /rco\.freezes\[x\]\.end \(2026-12-01T00:00:00\) must be after start/,
    ],
    [
      'a freeze of an unknown environment',
      { freezes: [{ ...weekend, environments: ['prod'] }] },
      /rco\.freezes\[weekend-freeze\]\.environments names "prod", which is not one of rco\.environments/,
    ],
    [
      'a freeze of a bad entity ref',
      { freezes: [{ ...weekend, entities: ['component:'] }] },
      /rco\.freezes\[weekend-freeze\]\.entities: "component:" is not an entity ref/,
    ],
    [
      'a freeze declared twice',
      { freezes: [weekend, weekend] },
      /rco\.freezes: "weekend-freeze" is declared twice/,
    ],
  ])('stops the start on %s, naming the key', (_what, rco, error) => {
    expect(() => read(rco as JsonObject)).toThrow(error);
  });

  it('stops the start on an environment soak that is no duration', () => {
    expect(() =>
      readRcoConfig(
        new ConfigReader({
          rco: {
            environments: [
              { name: 'staging', driver: 'simulated', soak: '1d' },
            ],
          },
        }),
      ),
    ).toThrow(
      /rco\.environments\[staging\]\.soak must be an ISO 8601 duration/,
    );
  });
});
