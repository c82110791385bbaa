import {
  MarkedRelease,
  RoadBlocker,
  RoadResponse,
  RoadStage,
  RoadStageState,
} from '@helix-portal/plugin-rco-common';
import { DateTime } from 'luxon';

type Release = { version?: string; digest?: string };

export const STATE_WORDS: Record<RoadStageState, string> = {
  empty: 'Nothing deployed',
  deploying: 'Deploying',
  soaking: 'Soaking',
  soaked: 'Soaked',
  failed: 'Failed',
  'rolled-back': 'Rolled back',
};

export const ANALYSIS_WORDS: Record<RoadStage['analysis'], string> = {
  green: 'Canary analysis green',
  failed: 'Canary analysis failed',
  none: 'No canary analysis',
};

export const MARK_WORDS: Record<MarkedRelease['reason'], string> = {
  failed: 'its deploy failed',
  'rolled-back': 'it was rolled back',
  'analysis-failed': 'its canary analysis failed',
};

/** What lifts by itself at `until`, in words that lead into a local time ("… at 22:00"). */
export const UNTIL_WORDS: Record<RoadBlocker['kind'], string> = {
  soak: 'The soak ends at',
  window: 'The window opens at',
  freeze: 'The freeze ends at',
  promotion: 'Lifts at',
  analysis: 'Lifts at',
  marked: 'Lifts at',
};

/** "v1.3.2 (sha256:3f3f3f3f3f3f…)", "v1.3.2", or the short digest. */
export function releaseWords(release?: Release): string {
  if (!release || (!release.version && !release.digest)) return 'no release';
  const digest = release.digest
    ? `${release.digest.slice(0, 'sha256:'.length + 12)}…`
    : undefined;
  if (release.version && digest) return `v${release.version} (${digest})`;
  return release.version ? `v${release.version}` : digest!;
}

/** Same release: by digest when both name one, else by version. */
export function sameRelease(a: Release, b: Release): boolean {
  if (a.digest && b.digest) return a.digest === b.digest;
  return !!a.version && a.version === b.version;
}

/** The backend's sentence, then when it lifts by itself (RichText shows the instant locally). */
export function blockerSentence(blocker: RoadBlocker): string {
  const message = blocker.message.trim();
  if (!blocker.until || message.includes(blocker.until)) return message;
  const stop = /[.!?]$/.test(message) ? '' : '.';
  return `${message}${stop} ${UNTIL_WORDS[blocker.kind]} ${blocker.until}.`;
}

/**
 * Why Deploy must wait on the road to production: every blocker of the environment's stage that
 * no break-glass override lifts. `overridden`: an active override for this environment and
 * release is on screen; the backend's preflight lets it lift every road blocker (its reasons
 * name them), so the page does too. The backend judges again on every request.
 */
export function roadDeployBlockers(
  stage: RoadStage | undefined,
  overridden = false,
): string[] {
  if (!stage) return [];
  return stage.blockers
    .filter(b => !b.overriddenBy)
    .filter(() => !overridden)
    .map(blockerSentence);
}

/** "14 Dec 2026, 22:00 – 15 Dec 2026, 02:00 (Europe/Berlin)": a window in its own time zone. */
export function windowWords(w: {
  start: string;
  end: string;
  timeZone: string;
}): string {
  const start = DateTime.fromISO(w.start, { zone: w.timeZone });
  const end = DateTime.fromISO(w.end, { zone: w.timeZone });
  if (!start.isValid || !end.isValid) return `${w.start} – ${w.end}`;
  const sameDay = start.hasSame(end, 'day');
  return `${start.toLocaleString(DateTime.DATETIME_MED)} – ${
    sameDay
      ? end.toLocaleString(DateTime.TIME_SIMPLE)
      : end.toLocaleString(DateTime.DATETIME_MED)
  } (${w.timeZone})`;
}

/**
 * The stage of an environment in a road read for this release; none while the road on screen
 * is still the previous release's (the tab picked another and the re-read runs).
 */
export function roadStageFor(
  road: RoadResponse | undefined,
  environment: string,
  release: Release,
): RoadStage | undefined {
  if (!road) return undefined;
  if (
    (release.version || release.digest) &&
    !sameRelease(road.release, release)
  )
    return undefined;
  return road.stages.find(s => s.environment === environment);
}
