import { InputError } from '@backstage/errors';
import type {
  DeployWindowRole,
  DeployWindowState,
  DeployWindowView,
} from '@helix-portal/plugin-rco-common';
import { DateTime, Duration, IANAZone } from 'luxon';
import { sameActor } from '../../../gates/fourEyes';
import type { DeployWindowRecord } from './WindowStore';

/**
 * The rules of deployment windows, pure and clock-free (every function takes `now`): how a
 * proposer's local times become instants, what a proposal must satisfy, which acceptances count
 * and what state a window is in. WindowService applies them; windowRules.test.ts tables them.
 */

/** A date and a time, optionally seconds and fractions, then Z, an offset, or nothing (local). */
const DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;
const LOCAL_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSS";

/** The zone, or a 400 naming it. `UTC` is a zone too. */
export function requireZone(timeZone: string): string {
  if (typeof timeZone !== 'string' || !IANAZone.isValidZone(timeZone)) {
    throw new InputError(
      `Unknown time zone "${timeZone}": name an IANA time zone such as Europe/Berlin or UTC`,
    );
  }
  return timeZone;
}

/**
 * One instant from what a person typed: a local time in `timeZone`, or a time with `Z` or an
 * offset (then the zone does not move it). A local time the zone skips (clocks go forward) or
 * passes twice (clocks go back) is refused: guessing would move the window by an hour.
 */
export function parseWindowTime(
  text: string,
  timeZone: string,
  field: string,
): Date {
  requireZone(timeZone);
  if (typeof text !== 'string' || !DATE_TIME.test(text)) {
    throw new InputError(
      `${field} must be a date and time such as 2026-12-14T22:00:00 (local in timeZone) or 2026-12-14T21:00:00Z, not "${text}"`,
    );
  }
  const explicit = /(Z|[+-]\d{2}:\d{2})$/.test(text);
  const dt = DateTime.fromISO(text, { zone: timeZone });
  if (!dt.isValid) {
    throw new InputError(`${field} "${text}" is not a valid date and time`);
  }
  if (explicit) return dt.toJSDate();
  // Luxon moves a skipped local time forward: the wall clock it lands on differs from the one asked.
  const asked = DateTime.fromISO(text, { zone: 'UTC' }).toFormat(LOCAL_FORMAT);
  if (dt.toFormat(LOCAL_FORMAT) !== asked) {
    throw new InputError(
      `${field} ${text} does not exist in ${timeZone} (the clocks go forward then): give another time, or UTC with Z`,
    );
  }
  const other = otherReadingOf(dt, timeZone);
  if (other) {
    const [first, second] = [dt, other].map(d => d.toUTC().toISO()).sort();
    throw new InputError(
      `${field} ${text} happens twice in ${timeZone} (the clocks go back then: ${first} or ${second}): give it in UTC with Z`,
    );
  }
  return dt.toJSDate();
}

/** The same wall-clock time under the zone's other offset around then, if that also exists. */
function otherReadingOf(dt: DateTime, timeZone: string): DateTime | undefined {
  const offsets = new Set(
    [-1, 1].map(
      days =>
        DateTime.fromMillis(dt.toMillis() + days * 86_400_000, {
          zone: timeZone,
        }).offset,
    ),
  );
  offsets.delete(dt.offset);
  for (const offset of offsets) {
    const wall = dt.setZone('UTC', { keepLocalTime: true }).toMillis();
    const candidate = DateTime.fromMillis(wall - offset * 60_000, {
      zone: timeZone,
    });
    if (
      candidate.offset === offset &&
      candidate.toFormat(LOCAL_FORMAT) === dt.toFormat(LOCAL_FORMAT)
    ) {
      return candidate;
    }
  }
  return undefined;
}

/** What a proposal must satisfy beyond its times parsing: order, not over, not too long. */
export function checkWindowSpan(
  start: Date,
  end: Date,
  now: Date,
  maxDuration: Duration,
) {
  if (!(start.getTime() < end.getTime())) {
    throw new InputError(
      `A window's start (${start.toISOString()}) must come before its end (${end.toISOString()})`,
    );
  }
  if (!(end.getTime() > now.getTime())) {
    throw new InputError(
      `The window ended already (${end.toISOString()}): its end must be in the future`,
    );
  }
  if (end.getTime() - start.getTime() > maxDuration.toMillis()) {
    throw new InputError(
      `A window lasts at most ${maxDuration.toISO()} (rco.windows.maxDuration); this one lasts ${Duration.fromMillis(
        end.getTime() - start.getTime(),
      )
        .shiftTo('hours', 'minutes')
        .toHuman({ unitDisplay: 'short' })}`,
    );
  }
}

/**
 * Acceptances that count: of a required role, never the proposer's (four eyes), nor, at the
 * deploy gate, those of `notBy` (whoever deploys: their own acceptance is no one else's).
 */
export function countedAcceptances(
  w: DeployWindowRecord,
  notBy: readonly string[] = [],
) {
  return w.acceptances.filter(
    a =>
      w.requiredRoles.includes(a.role) &&
      !sameActor(a.by, w.proposedBy) &&
      !notBy.some(actor => sameActor(a.by, actor)),
  );
}

/** The required roles nobody has accepted for yet (in a way that counts). */
export function missingRoles(
  w: DeployWindowRecord,
  notBy: readonly string[] = [],
): DeployWindowRole[] {
  const counted = new Set(countedAcceptances(w, notBy).map(a => a.role));
  return w.requiredRoles.filter(r => !counted.has(r));
}

export function windowState(
  w: DeployWindowRecord,
  now: Date,
  notBy: readonly string[] = [],
): DeployWindowState {
  if (w.cancelledAt) return 'cancelled';
  if (w.end.getTime() <= now.getTime()) return 'expired';
  return missingRoles(w, notBy).length ? 'proposed' : 'accepted';
}

/**
 * Whether a window is for this release: each field the window names must be the release's
 * (digests compare case-insensitively); a window naming neither is for any release.
 */
export function windowCoversRelease(
  w: { release: { version?: string; digest?: string } },
  release: { version?: string; digest?: string },
): boolean {
  const { version, digest } = w.release;
  if (version && version !== release.version) return false;
  if (digest && digest.toLowerCase() !== release.digest?.toLowerCase())
    return false;
  return true;
}

export function toWindowView(
  w: DeployWindowRecord,
  now: Date,
): DeployWindowView {
  const state = windowState(w, now);
  return {
    id: w.id,
    entityRef: w.entityRef,
    environment: w.environment,
    release: {
      ...(w.release.version ? { version: w.release.version } : {}),
      ...(w.release.digest ? { digest: w.release.digest } : {}),
    },
    start: w.start.toISOString(),
    end: w.end.toISOString(),
    timeZone: w.timeZone,
    proposedBy: w.proposedBy,
    proposedAt: w.proposedAt.toISOString(),
    requiredRoles: w.requiredRoles,
    acceptances: countedAcceptances(w).map(a => ({
      role: a.role,
      by: a.by,
      at: a.at.toISOString(),
    })),
    state,
    openNow:
      state === 'accepted' &&
      w.start.getTime() <= now.getTime() &&
      now.getTime() < w.end.getTime(),
  };
}

/** "Mon 14 Dec 2026, 22:00–23:00 Europe/Berlin": how a notification names a window. */
export function describeWindow(w: {
  start: Date;
  end: Date;
  timeZone: string;
}): string {
  const s = DateTime.fromJSDate(w.start, { zone: w.timeZone });
  const e = DateTime.fromJSDate(w.end, { zone: w.timeZone });
  const day = 'ccc d LLL yyyy';
  const endText = s.hasSame(e, 'day')
    ? e.toFormat('HH:mm')
    : e.toFormat(`${day}, HH:mm`);
  return `${s.toFormat(`${day}, HH:mm`)}–${endText} ${w.timeZone}`;
}
