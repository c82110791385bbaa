import { InputError } from '@backstage/errors';
import { Duration } from 'luxon';
import { parseDuration } from '../config';

/**
 * The time the gates judge by. Production reads the system clock; the local portal's demo
 * clock can be moved forward (DemoClock), so a long-running portal can be tried in minutes.
 */
export interface Clock {
  now(): Date;
}

/** The system clock: what every deployed backend uses. */
export const systemClock: Clock = { now: () => new Date() };

/** The longest single step the demo clock takes (a typo of P1000D should not be accepted). */
const MAX_STEP_MS = Duration.fromObject({ days: 31 }).toMillis();

/**
 * The local portal's clock: the system clock plus an offset that only grows (time never runs
 * backwards for evidence already dated). Exists only while rco.demoEvidence is on, which the
 * portal's production guard refuses in production.
 */
export class DemoClock implements Clock {
  private offset = 0;

  constructor(private readonly system: Clock = systemClock) {}

  now(): Date {
    return new Date(this.system.now().getTime() + this.offset);
  }

  get offsetMs() {
    return this.offset;
  }

  /** Moves the clock forward by an ISO 8601 duration (`PT10M`, `PT1H`, `P1D`). */
  advance(iso: unknown): number {
    const step = parseStep(iso);
    this.offset += step;
    return step;
  }
}

/** A positive ISO 8601 duration of at most 31 days, in milliseconds; InputError otherwise. */
export function parseStep(iso: unknown): number {
  if (typeof iso !== 'string' || !iso) {
    throw new InputError(
      'advance must be an ISO 8601 duration such as PT10M, PT1H or P1D',
    );
  }
  const ms = parseDuration(iso)?.toMillis() ?? NaN;
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new InputError(
      `advance must be a positive ISO 8601 duration such as PT10M, PT1H or P1D, got "${iso.slice(
        0,
        40,
      )}"`,
    );
  }
  if (ms > MAX_STEP_MS) {
    throw new InputError('advance may be at most P31D at a time');
  }
  return ms;
}
