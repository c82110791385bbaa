import { LedgerEntry } from '../../database/Ledger';

export interface Release {
  version?: string;
  digest?: string;
}

/**
 * Whether a record's release is this one: the image digest decides when both name one (a
 * decision about the image holds under any version label of it), else the version.
 */
export function sameRelease(record: unknown, release: Release): boolean {
  if (!record || typeof record !== 'object') return false;
  const r = record as Release;
  if (r.digest && release.digest) return r.digest === release.digest;
  return !!r.version && r.version === release.version;
}

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * The ids a payload points at: its own `id`, `ids` (an observation run lists many), `revokes`,
 * and every `…Id` field (operationId, overrideId, windowId, reviewId…), so records of kinds added
 * later (deploy windows, reviews) join the release through what they name, without code here.
 */
function referencesOf(payload: Record<string, unknown>): string[] {
  const refs: string[] = [];
  for (const [key, value] of Object.entries(payload)) {
    if (key === 'id' || key === 'revokes' || /Id$/.test(key)) {
      if (text(value)) refs.push(value as string);
    } else if (key === 'ids' && Array.isArray(value)) {
      refs.push(...value.filter((v): v is string => typeof v === 'string'));
    }
  }
  return refs;
}

/** Whether a payload names the release: `release`, an evidence `subject`, a waiver's version. */
function namesRelease(payload: Record<string, unknown>, release: Release) {
  if (sameRelease(payload.release, release)) return true;
  if (sameRelease(payload.subject, release)) return true;
  return !!release.version && payload.releaseVersion === release.version;
}

/**
 * The ledger entries of one entity that are about a release, in ledger order: entries that
 * name it, the evidence it was judged on (`evidenceIds`, which includes evidence about the place
 * that names no release), waivers for every release that were in force during its life, and
 * every later entry that points at a record already taken (a revocation, an operation's state
 * changes, a review of its operation).
 *
 * Evidence is taken only by id: an upload naming the release that the gates did not read (one
 * past the newest few of its kind) is not part of what the release was judged on.
 */
export function releaseEntries(
  entries: LedgerEntry[],
  release: Release,
  evidenceIds: ReadonlySet<string>,
): LedgerEntry[] {
  const taken = new Set<string>();
  const out: LedgerEntry[] = [];
  // Waivers without a version count for every release: those still in force once it existed.
  const firstSeen = entries.find(
    e =>
      (e.entryType === 'evidence-upload' &&
        evidenceIds.has(String(e.payload.id))) ||
      namesRelease(e.payload, release),
  )?.createdAt;
  for (const entry of entries) {
    const p = entry.payload;
    const own = text(p.id);
    let about: boolean;
    if (entry.entryType === 'evidence-upload') {
      about = !!own && evidenceIds.has(own);
    } else if (entry.entryType === 'waiver' && !p.releaseVersion) {
      const expires = text(p.expiresAt);
      about = !!firstSeen && (!expires || new Date(expires) > firstSeen);
    } else {
      about = namesRelease(p, release);
    }
    if (!about) {
      // A change of a record already taken (a revocation, a state change, an observation run
      // that saw this release's evidence among others), or a record about one (a review).
      about = referencesOf(p).some(ref => taken.has(ref));
    }
    if (!about) continue;
    out.push(entry);
    if (own) taken.add(own);
  }
  return out;
}
