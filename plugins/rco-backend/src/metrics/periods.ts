import { InputError } from '@backstage/errors';
import { DateTime, IANAZone } from 'luxon';

/** A period of the metrics: [from, to), weeks counted in a time zone. */
export interface Period {
  from: Date;
  to: Date;
  timeZone: string;
}

const DAY_MS = 86_400_000;
/** The longest period asked for: a year (the replay of a longer one is not a page's job). */
const MAX_DAYS = 366;

function instant(value: unknown, name: string, zone: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new InputError(`${name} must be a date`);
  // A time without an offset is a time in the asked zone, never the server's.
  const parsed = DateTime.fromISO(value, { zone });
  if (!parsed.isValid) {
    throw new InputError(
      `${name} must be an ISO 8601 date or time, got "${value.slice(0, 40)}"`,
    );
  }
  return parsed.toJSDate();
}

/**
 * The period a request asks for: `from`/`to` as ISO 8601 (default the 90 days before now) and
 * `tz` an IANA zone (default UTC). A date without a time starts at midnight in that zone.
 */
export function parsePeriod(
  query: { from?: unknown; to?: unknown; tz?: unknown },
  now: Date,
): Period {
  const timeZone =
    query.tz === undefined || query.tz === '' ? 'UTC' : String(query.tz);
  if (!IANAZone.isValidZone(timeZone)) {
    throw new InputError(
      `tz must be an IANA time zone such as Europe/Berlin, got "${timeZone.slice(
        0,
        40,
      )}"`,
    );
  }
  // A date alone is midnight in the zone: luxon reads it so, and refuses 2026-02-30.
  const to = instant(query.to, 'to', timeZone) ?? now;
  const from =
    instant(query.from, 'from', timeZone) ??
    new Date(to.getTime() - 90 * DAY_MS);
  if (from >= to) throw new InputError('from must be before to');
  if (to.getTime() - from.getTime() > MAX_DAYS * DAY_MS) {
    throw new InputError(`A period is at most ${MAX_DAYS} days`);
  }
  return { from, to, timeZone };
}

/** The first day (yyyy-MM-dd) of the week holding `at`, weeks starting Monday in the zone. */
export function weekOf(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone })
    .startOf('week')
    .toISODate()!;
}

/**
 * How near a week's start an instant is converted as weekOf does: luxon resolves a local Monday
 * midnight that a clock change repeats or skips to one instant, which can be off the first
 * instant of that week by the change (hours at most; Asia/Jerusalem 2001, Antarctica/Vostok 2023).
 */
const NEAR_START_MS = 3 * 3_600_000;

/**
 * weekOf for many instants of one period: the zone's week starts over the period are computed
 * once (luxon, so summer time and odd offsets are its), and each instant is found among them by
 * bisection. A zone conversion per item was a fifth of a cold portfolio answer. An instant
 * outside the period's weeks (the look-back before it), or within hours of a week's start, is
 * converted as weekOf does, so the answer is weekOf's for every instant.
 */
export function weekFinder(period: Period): (at: Date) => string {
  const names = weeksOf(period);
  const zone = period.timeZone;
  // Each week's start, and the end of the last.
  const bounds = names.map(week => DateTime.fromISO(week, { zone }).toMillis());
  if (bounds.length)
    bounds.push(
      DateTime.fromMillis(bounds[bounds.length - 1], { zone })
        .plus({ weeks: 1 })
        .toMillis(),
    );
  return (at: Date) => {
    const t = at.getTime();
    if (bounds.length < 2 || t < bounds[0] || t >= bounds[bounds.length - 1])
      return weekOf(at, zone);
    // The last start at or before t.
    let lo = 0;
    let hi = bounds.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bounds[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    if (t - bounds[lo] < NEAR_START_MS || bounds[lo + 1] - t < NEAR_START_MS)
      return weekOf(at, zone);
    return names[lo];
  };
}

/** Every week the period touches, in order. */
export function weeksOf(period: Period): string[] {
  const weeks: string[] = [];
  let cursor = DateTime.fromJSDate(period.from, {
    zone: period.timeZone,
  }).startOf('week');
  const end = period.to.getTime();
  while (cursor.toMillis() < end) {
    weeks.push(cursor.toISODate()!);
    cursor = cursor.plus({ weeks: 1 });
  }
  return weeks;
}

export const inPeriod = (at: Date | undefined, period: Period) =>
  !!at && at >= period.from && at < period.to;

export const hoursBetween = (a: Date, b: Date) =>
  Math.round(((b.getTime() - a.getTime()) / 3_600_000) * 100) / 100;

export const daysOf = (period: Period) =>
  (period.to.getTime() - period.from.getTime()) / DAY_MS;

/** The median and 90th percentile (nearest rank) of some numbers; null for none. */
export function spread(values: number[]) {
  if (!values.length) return { median: null, p90: null };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  const mid = sorted.length / 2;
  const median =
    sorted.length % 2
      ? sorted[Math.floor(mid)]
      : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median: Math.round(median * 100) / 100, p90: rank(0.9) };
}

/**
 * The items by a key, each group in the order given (delivery groups facts by service,
 * effectiveness blocks and escapes by gate; one helper so both count the same way).
 */
export function groupBy<T>(items: T[], key: (item: T) => string) {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
