import {
  EvidenceKind,
  EvidenceSummary,
  evidenceScope,
} from '@helix-portal/plugin-rco-common';
import { Duration } from 'luxon';
import { EvidenceRecord } from '../database/EvidenceStore';
import { GateContext, ReleaseRef } from './types';

/**
 * Evidence about another release, image or environment does not count. Evidence about an image
 * is about its digest: when both name one, the version or commit label a record was filed under
 * does not split the image's evidence (a clean scan filed as 9.9.9 and a failing one filed as
 * 1.5.0 are both about the same image). Only cluster state is bound to an environment: image,
 * commit and service evidence counts in every environment, whichever one it was uploaded with
 * (evidenceScope, issue 12 point 4), except collected evidence, which is always about the
 * environment it was read in. DatabaseEvidenceStore.listForRelease filters alike.
 */
export function matchesRelease(
  record: EvidenceRecord,
  release: ReleaseRef,
): boolean {
  const { subject } = record;
  const byDigest = !!(release.digest && subject.digest);
  if (byDigest && subject.digest !== release.digest) return false;
  if (
    !byDigest &&
    release.version &&
    subject.version &&
    subject.version !== release.version
  )
    return false;
  if (
    !byDigest &&
    release.commit &&
    subject.commit &&
    subject.commit !== release.commit
  )
    return false;
  if (
    release.environment &&
    subject.environment &&
    subject.environment !== release.environment &&
    // Collected evidence is what one environment's cluster or monitoring stack showed: it is
    // about that environment whatever its kind's scope (a PrometheusRule read in staging says
    // nothing about production's alerts).
    (evidenceScope(record.kind) === 'environment' || !!record.provenance)
  ) {
    return false;
  }
  return true;
}

/** Evidence of the given kinds that counts for the release, newest first. */
export function evidenceOf(
  ctx: GateContext,
  kinds: EvidenceKind[],
  extra?: (record: EvidenceRecord) => boolean,
): EvidenceRecord[] {
  return ctx.evidence.filter(
    r =>
      kinds.includes(r.kind) &&
      matchesRelease(r, ctx.release) &&
      (!extra || extra(r)),
  );
}

/** The summary of a record, narrowed to the type its kind produces. */
export function summaryOf<T extends EvidenceSummary['type']>(
  record: EvidenceRecord,
  type: T,
): Extract<EvidenceSummary, { type: T }> | undefined {
  return record.summary.type === type
    ? (record.summary as Extract<EvidenceSummary, { type: T }>)
    : undefined;
}

/** Durations parsed so far: a few distinct values (config, runbooks) read by every judgement. */
const parsedDurations = new Map<string, Duration>();
const PARSED_MAX = 1000;

/**
 * An ISO 8601 duration. Parsed once per value: a replay judges tens of thousands of decisions and
 * parsing was a tenth of its time. Durations are immutable, so sharing one is safe; the memo is
 * bounded (a runbook's values are the only ones from outside config).
 */
export function duration(iso: string): Duration {
  let parsed = parsedDurations.get(iso);
  if (!parsed) {
    if (parsedDurations.size >= PARSED_MAX) parsedDurations.clear();
    parsed = Duration.fromISO(iso);
    parsedDurations.set(iso, parsed);
  }
  return parsed;
}

export function humanAge(ms: number): string {
  const minutes = Math.round(ms / 60000);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} days`;
}

export function shortDigest(digest?: string) {
  if (!digest) return 'the release image';
  return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}

export const describe = (record: EvidenceRecord) =>
  `${record.kind} ${record.sha256.slice(
    0,
    12,
  )} (${record.collectedAt.toISOString()})`;

/** The newest record of each object (by key); older copies of the same object say nothing now. */
export function newestPerObject(
  records: EvidenceRecord[],
  key: (record: EvidenceRecord) => string,
): EvidenceRecord[] {
  const seen = new Map<string, EvidenceRecord>();
  for (const record of records)
    if (!seen.has(key(record))) seen.set(key(record), record);
  return [...seen.values()];
}

/**
 * When the thing a document attests happened: its own timestamp, but never later than the
 * upload (a date in the future would keep evidence fresh for ever) and never an invalid date.
 */
export function documentTime(
  iso: string | undefined,
  record: EvidenceRecord,
): Date {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) && t < record.collectedAt.getTime()
    ? new Date(t)
    : record.collectedAt;
}

/**
 * When a record was last known to hold: an upload when it was uploaded; collected evidence when
 * the console last saw the object unchanged (issue 13: an unchanged object adds no row, its
 * observation moves). A deleted object is no longer seen, so its evidence goes stale.
 */
export const observedAt = <T = Date>(record: {
  collectedAt: T;
  provenance?: { observedAt: T } | null;
}): T => record.provenance?.observedAt ?? record.collectedAt;

/**
 * How much older than its stored observedAt a collected record may really be seen: the store
 * moves an unchanged object's observation only once it is older than
 * rco.collection.observationGranularity (issue 13, R1 M3), so an object listed a minute ago may
 * show an observedAt up to one granularity old. Collected records are judged fresh with that
 * slack (R3 M3), or a runbook maxAge shorter than the granularity would make still-observed
 * evidence stale. Gone objects are not read at all (DatabaseEvidenceStore.listForRelease), so
 * the slack only delays the ageing of an object whose cluster stopped answering, by at most one
 * granularity (a quarter of the app-config maxAge at most, config.ts). Uploads get none.
 */
export function observationSlack(
  config: { observationGranularity?: string },
  /** A record, or a rule's freshness entry (collected: it came from collected evidence). */
  record: { provenance?: unknown; collected?: boolean },
): number {
  if (!(record.provenance || record.collected)) return 0;
  if (!config.observationGranularity) return 0;
  const ms = Duration.fromISO(config.observationGranularity).toMillis();
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/**
 * The records still within the gate's maximum age (all of them when it has none), newest first.
 * An image or a commit does not change: reports about it that disagree within that age all
 * stand, so the rules take the worst of them rather than the newest.
 */
export function inAge(
  ctx: GateContext,
  records: EvidenceRecord[],
): EvidenceRecord[] {
  if (!ctx.maxAge) return records;
  const limit = Duration.fromISO(ctx.maxAge).toMillis();
  if (!Number.isFinite(limit)) return records;
  return records.filter(
    (r, i) =>
      i === 0 ||
      ctx.now.getTime() - observedAt(r).getTime() <=
        limit + observationSlack(ctx.config, r),
  );
}

/**
 * Whether two records are about the same thing: the same image digest when both name one (the
 * labels do not split an image), else digest, version and commit all the same.
 */
export const sameSubject = (a: EvidenceRecord, b: EvidenceRecord) =>
  a.subject.digest && b.subject.digest
    ? a.subject.digest === b.subject.digest
    : a.subject.digest === b.subject.digest &&
      a.subject.version === b.subject.version &&
      a.subject.commit === b.subject.commit;
