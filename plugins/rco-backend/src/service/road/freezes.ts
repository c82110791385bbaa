import { FreezeView } from '@helix-portal/plugin-rco-common';
import { DateTime, Duration, IANAZone } from 'luxon';
import { RRule } from 'rrule';

/**
 * One `rco.freezes[]` entry, validated at start (compileFreeze): a recurring freeze (RRULE,
 * DTSTART and a duration) or a one-off one (start and end), with the time zone its local times
 * are in, and optionally the environments and entities it holds.
 */
export interface FreezeRule {
  name: string;
  timeZone: string;
  /** Absent: every environment. */
  environments?: string[];
  /** Normalised entity refs; absent: every entity. */
  entities?: string[];
  recurring?: { rrule: string; dtstart: string; duration: string };
  once?: { start: string; end: string };
}

/** One occurrence of a freeze, as instants. */
export interface FreezeOccurrence {
  freeze: FreezeRule;
  from: Date;
  until: Date;
}

const DAY_MS = 86_400_000;
/** How far a chain of back-to-back freezes is followed before it is called endless. */
const CHAIN_LIMIT_MS = 366 * DAY_MS;
/** Freezes shown ahead: active now or starting within this. */
export const FREEZE_HORIZON_MS = 7 * DAY_MS;

/** A local wall time of `zone` as the same digits in UTC (how rrule computes "floating" times). */
const floating = (t: DateTime) =>
  new Date(Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second, 0));
/** The instant a floating date's digits name in `zone` (DST-correct: luxon resolves it). */
const unfloat = (d: Date, zone: string) =>
  DateTime.fromObject(
    {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
    },
    { zone },
  );

function localTime(text: string, zone: string, key: string): DateTime {
  const t = DateTime.fromISO(text, { zone });
  if (!t.isValid)
    throw new Error(
      `${key} must be a local date and time such as 2026-01-03T00:00:00, got "${text}"`,
    );
  return t.setZone(zone);
}

/** The rrule object of a recurring freeze, on floating time (DTSTART's local digits). */
function ruleOf(rule: FreezeRule, key = `rco.freezes[${rule.name}]`): RRule {
  const r = rule.recurring!;
  let options;
  try {
    options = RRule.parseString(r.rrule.replace(/^RRULE:/i, ''));
  } catch (error) {
    throw new Error(
      `${key}.rrule is not an RRULE: ${(error as Error).message}`,
    );
  }
  if (options.freq === undefined)
    throw new Error(`${key}.rrule needs FREQ (for example FREQ=WEEKLY)`);
  if (options.dtstart || options.tzid)
    throw new Error(
      `${key}.rrule: give DTSTART and TZID as dtstart and timeZone, not inside the rule`,
    );
  const weekdays = options.byweekday;
  if (
    Array.isArray(weekdays) &&
    weekdays.some(w => w === null || w === undefined)
  )
    throw new Error(`${key}.rrule has an unknown BYDAY day`);
  return new RRule({
    ...options,
    dtstart: floating(localTime(r.dtstart, rule.timeZone, `${key}.dtstart`)),
  });
}

/**
 * Checks a freeze as configuration gives it; the error names the key (the backend does not
 * start with a freeze it cannot compute).
 */
export function compileFreeze(rule: FreezeRule): FreezeRule {
  const key = `rco.freezes[${rule.name}]`;
  if (!IANAZone.isValidZone(rule.timeZone))
    throw new Error(
      `${key}.timeZone "${rule.timeZone}" is not an IANA time zone such as Europe/Berlin`,
    );
  if (!!rule.recurring === !!rule.once)
    throw new Error(
      `${key}: give either rrule, dtstart and duration (recurring) or start and end (one-off)`,
    );
  if (rule.recurring) {
    const duration = Duration.fromISO(rule.recurring.duration);
    if (!duration.isValid || duration.toMillis() <= 0)
      throw new Error(
        `${key}.duration must be a positive ISO 8601 duration such as P2D, got "${rule.recurring.duration}"`,
      );
    ruleOf(rule, key).after(new Date(0), true);
  } else {
    const start = localTime(rule.once!.start, rule.timeZone, `${key}.start`);
    const end = localTime(rule.once!.end, rule.timeZone, `${key}.end`);
    if (end <= start)
      throw new Error(
        `${key}.end (${rule.once!.end}) must be after start (${
          rule.once!.start
        })`,
      );
  }
  return rule;
}

/** Occurrences of one freeze that overlap [from, to). */
export function occurrences(
  rule: FreezeRule,
  from: Date,
  to: Date,
): FreezeOccurrence[] {
  const zone = rule.timeZone;
  if (rule.once) {
    const start = localTime(rule.once.start, zone, 'start').toJSDate();
    const end = localTime(rule.once.end, zone, 'end').toJSDate();
    return start < to && end > from
      ? [{ freeze: rule, from: start, until: end }]
      : [];
  }
  const duration = Duration.fromISO(rule.recurring!.duration);
  // Starts that can still overlap `from`: back by the duration and a day (DST shifts an hour).
  const lookBack = duration.toMillis() + DAY_MS;
  const fromLocal = floating(
    DateTime.fromJSDate(new Date(from.getTime() - lookBack), { zone }),
  );
  const toLocal = floating(DateTime.fromJSDate(to, { zone }));
  return ruleOf(rule)
    .between(fromLocal, toLocal, true)
    .map(start => {
      const begin = unfloat(start, zone);
      // Added in local time: P2D from Saturday 00:00 ends Monday 00:00 local, whatever DST did.
      return {
        freeze: rule,
        from: begin.toJSDate(),
        until: begin.plus(duration).toJSDate(),
      };
    })
    .filter(o => o.from < to && o.until > from);
}

/** The freezes that hold an entity's deploys to an environment. */
export function freezesFor(
  rules: FreezeRule[],
  entityRef: string,
  environment: string,
): FreezeRule[] {
  const ref = entityRef.toLowerCase();
  return rules.filter(
    r =>
      (!r.environments || r.environments.includes(environment)) &&
      (!r.entities || r.entities.includes(ref)),
  );
}

/** What holds deploys at `at`, and when deploying can actually resume. */
export interface ActiveFreeze {
  /** The occurrences active at `at`, the one ending last first. */
  active: FreezeOccurrence[];
  /**
   * When no freeze holds any more: the end of the active ones, carried on through freezes that
   * start before or as another ends. Undefined when that is not within a year (endless).
   */
  resumesAt?: Date;
}

/** The occurrences holding at `at`, the one ending last first. */
const holdingAt = (rules: FreezeRule[], at: Date) =>
  rules
    .flatMap(r => occurrences(r, at, new Date(at.getTime() + 1)))
    .filter(o => o.from <= at && o.until > at)
    .sort((a, b) => b.until.getTime() - a.until.getTime());

/** The freeze active at `at` for these rules (already narrowed by freezesFor), if any. */
export function activeFreeze(
  rules: FreezeRule[],
  at: Date,
): ActiveFreeze | undefined {
  const active = holdingAt(rules, at);
  if (!active.length) return undefined;
  let end = active[0].until;
  const limit = at.getTime() + CHAIN_LIMIT_MS;
  // Back-to-back or overlapping freezes: deploying resumes only when none holds.
  for (;;) {
    const next = holdingAt(rules, end)[0];
    if (!next) return { active, resumesAt: end };
    end = next.until;
    if (end.getTime() > limit) return { active, resumesAt: undefined };
  }
}

/** Freezes active at `now` or starting within the horizon, soonest first, as the API shows them. */
export function freezeViews(
  rules: FreezeRule[],
  now: Date,
  horizonMs = FREEZE_HORIZON_MS,
): FreezeView[] {
  return rules
    .flatMap(r => occurrences(r, now, new Date(now.getTime() + horizonMs)))
    .sort((a, b) => a.from.getTime() - b.from.getTime())
    .map(o => ({
      name: o.freeze.name,
      source: 'config' as const,
      from: o.from.toISOString(),
      until: o.until.toISOString(),
      active: o.from <= now && o.until > now,
      ...(o.freeze.recurring ? { rule: o.freeze.recurring.rrule } : {}),
      timeZone: o.freeze.timeZone,
    }));
}

/** The sentence a refusal gives: the freeze's name and when deploying can resume. */
export function freezeMessage(
  freeze: ActiveFreeze,
  environment: string,
): string {
  const names = [...new Set(freeze.active.map(o => o.freeze.name))].join(', ');
  const zone = freeze.active[0].freeze.timeZone;
  const resumes = freeze.resumesAt
    ? `deploying to ${environment} resumes at ${freeze.resumesAt.toISOString()} (${DateTime.fromJSDate(
        freeze.resumesAt,
        { zone },
      ).toFormat('ccc d LLL yyyy HH:mm ZZZZ')} ${zone})`
    : `no end of the freezes within a year is configured`;
  return `Freeze ${names} holds deploys to ${environment}: ${resumes}`;
}
