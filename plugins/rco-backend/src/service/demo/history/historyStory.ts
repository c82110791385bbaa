/**
 * The plan of the demo history (issue 17): which releases each service built when, and which of
 * them ran into trouble. Pure and seeded, so the same start gives the same story.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** mulberry32: a small seeded PRNG (the history must be the same on every start). */
export function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What happens to a release on its way to production. */
export type Trouble =
  /**
   * Staging's Kyverno report failed (an init container ran as root); fixed there, its next
   * report passed. (Not the image scan: a later clean scan of an image never erases a finding.)
   */
  | 'policy-then-fix'
  /** The same finding, waived by Security; the release failed in production (an escape). */
  | 'scan-then-waiver'
  /** A new scan found a HIGH finding just before production; break-glass deployed it anyway. */
  | 'break-glass'
  /** Production was rolled back within hours. */
  | 'rollback'
  /** Rolled back, and that rollback rolled back in turn (the problem was elsewhere). */
  | 'rollback-twice';

export interface PlannedRelease {
  index: number;
  builtAt: Date;
  trouble?: Trouble;
}

/** The next working hour (Monday to Friday, 08:00–15:00 UTC) at or after `t`, plus jitter. */
export function workingTime(t: number, rand: () => number): number {
  const d = new Date(t);
  const inHours = () =>
    d.getUTCDay() >= 1 &&
    d.getUTCDay() <= 5 &&
    d.getUTCHours() >= 8 &&
    d.getUTCHours() < 15;
  if (inHours()) return d.getTime();
  for (let k = 0; k < 8 && !inHours(); k++) {
    if (d.getUTCHours() >= 15 || d.getUTCDay() === 0 || d.getUTCDay() === 6) {
      d.setUTCDate(d.getUTCDate() + 1);
    }
    d.setUTCHours(8, Math.floor(rand() * 120), 0, 0);
  }
  return d.getTime();
}

/**
 * Releases every two to four days from `from`, built on working days. Troubles: the first
 * policy block early on, the waiver a third of the way, break-glass at two thirds, and production
 * rollbacks for about a tenth of the rest (the first of them rolled back twice).
 */
export function planReleases(
  from: Date,
  to: Date,
  seed: number,
  /** How long a release takes from build to production (the last must be done by `to`). */
  spanMs = 3 * DAY,
): PlannedRelease[] {
  const rand = seeded(seed);
  const releases: PlannedRelease[] = [];
  let t = workingTime(from.getTime() + rand() * DAY, rand);
  while (t + spanMs < to.getTime()) {
    releases.push({ index: releases.length, builtAt: new Date(t) });
    t = workingTime(t + (2 + rand() * 2) * DAY, rand);
  }
  const n = releases.length;
  const at = (k: number, trouble: Trouble) => {
    if (releases[k] && !releases[k].trouble) releases[k].trouble = trouble;
  };
  at(Math.floor(n * 0.15), 'policy-then-fix');
  at(Math.floor(n * 0.35), 'scan-then-waiver');
  at(Math.floor(n * 0.7), 'break-glass');
  at(Math.floor(n * 0.55), 'policy-then-fix');
  let twice = false;
  for (const r of releases) {
    if (r.trouble || r.index === 0) continue;
    if (rand() < 0.09) {
      r.trouble = twice ? 'rollback' : 'rollback-twice';
      twice = true;
    }
  }
  // Every service had at least one bad day in production.
  if (!twice) {
    const spare = releases.find(r => !r.trouble && r.index > 0);
    if (spare) spare.trouble = 'rollback-twice';
  }
  return releases;
}

export const TIME = { HOUR, DAY };
