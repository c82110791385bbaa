import { DateTime } from 'luxon';
import { parsePeriod, weekFinder, weekOf, weeksOf } from './periods';

const HOUR = 3_600_000;
// Summer time both ways, a half-hour and a quarter-hour offset, a half-hour shift (Lord Howe),
// the date line, and UTC.
const ZONES = [
  'Europe/Berlin',
  'America/St_Johns',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Kiritimati',
  'America/Los_Angeles',
  'UTC',
];

describe('weekFinder', () => {
  it.each(ZONES)(
    'gives each instant the week weekOf gives it, across summer time, in %s',
    tz => {
      // 90 days over both of the year's changes, and instants before and after the period.
      const period = parsePeriod(
        { from: '2026-02-20', to: '2026-11-10', tz },
        new Date(),
      );
      const find = weekFinder(period);
      const from = period.from.getTime() - 20 * 24 * HOUR;
      const to = period.to.getTime() + 20 * 24 * HOUR;
      let checked = 0;
      // Every 37 minutes and 13 seconds: over the period every hour of the day is met, on each
      // side of midnight (the minute around a week's start is the test below).
      for (let t = from; t < to; t += 2_233_000) {
        const at = new Date(t);
        expect(find(at)).toBe(weekOf(at, tz));
        checked += 1;
      }
      expect(checked).toBeGreaterThan(10_000);
    },
  );

  it.each([
    // Clocks turned back at a Monday midnight: luxon resolves that midnight to one of its two
    // instants, not always the week's first (review of the speed-ups: 16 instants of 25 million).
    ['Asia/Jerusalem', '2001-09-01', '2001-10-01', '2001-09-23T21:00:00Z'],
    ['Antarctica/Vostok', '2023-12-01', '2024-01-01', '2023-12-17T17:00:00Z'],
  ])(
    'gives weekOf’s week around a Monday midnight a clock change repeats (%s)',
    (tz, from, to, change) => {
      const find = weekFinder(parsePeriod({ from, to, tz }, new Date()));
      const at = Date.parse(change);
      for (let t = at - 4 * HOUR; t <= at + 4 * HOUR; t += 60_000)
        expect(find(new Date(t))).toBe(weekOf(new Date(t), tz));
    },
  );

  it.each(ZONES)(
    'gives the first instant of each week its own week and the instant before it the previous (%s)',
    tz => {
      // Spring of the north and autumn of the south: summer time starts or ends in the period.
      const period = parsePeriod(
        { from: '2026-03-01', to: '2026-04-15', tz },
        new Date(),
      );
      const find = weekFinder(period);
      const weeks = weeksOf(period);
      expect(weeks.length).toBeGreaterThan(5);
      for (let i = 1; i < weeks.length; i++) {
        // Midnight Monday in the zone, as an instant (in Berlin the week of 30 March starts in
        // summer time).
        const at = DateTime.fromISO(weeks[i], { zone: tz }).toJSDate();
        expect(find(at)).toBe(weeks[i]);
        expect(find(new Date(at.getTime() - 1))).toBe(weeks[i - 1]);
      }
    },
  );
});
