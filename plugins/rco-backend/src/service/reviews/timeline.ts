import {
  GateSnapshot,
  OperationStep,
  TimelineEvent,
  TimelineEventType,
} from '@helix-portal/plugin-rco-common';
import { LedgerEntry } from '../../database/Ledger';

export interface TimelineRelease {
  version?: string;
  digest?: string;
}

/** What the timeline reads besides the ledger: each operation's stored steps and gate snapshot. */
export interface TimelineOperation {
  id: string;
  steps: OperationStep[];
  gateSnapshot?: GateSnapshot;
}

type Payload = Record<string, unknown>;
const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** A record names this release: the digest decides when both name one, else the version. */
export function sameRelease(record: unknown, release: TimelineRelease) {
  if (!record || typeof record !== 'object') return false;
  const r = record as TimelineRelease;
  if (r.digest && release.digest) return r.digest === release.digest;
  return !!r.version && r.version === release.version;
}

const namesRelease = (p: Payload, release: TimelineRelease) =>
  sameRelease(p.release, release) ||
  sameRelease(p.subject, release) ||
  (!!release.version && p.releaseVersion === release.version);

/** The records an entry points at: its `id`, `revokes` and every `…Id` field. */
const referencesOf = (p: Payload) =>
  Object.entries(p)
    .filter(([k]) => k === 'id' || k === 'revokes' || /Id$/.test(k))
    .map(([, v]) => text(v))
    .filter((v): v is string => !!v);

/**
 * Collected evidence seen again unchanged is written on every collection run: the story keeps
 * the arrival and the disappearance, not each sighting.
 */
const NOISE = new Set(['evidence-observed']);

/**
 * The entries of one entity's ledger chain that tell a release's story, in ledger order: those
 * that name it (a release, an evidence subject, a waiver's version), waivers for every release
 * in force once it appeared, runbook versions recorded during its life, and every entry that
 * points at a record already taken (a revocation, an operation's changes, a window's acceptance,
 * a review). Kinds of entry this code does not know join the same way, by what they name.
 */
export function releaseStory(
  entries: readonly LedgerEntry[],
  release: TimelineRelease,
): LedgerEntry[] {
  const firstSeen = entries.find(e =>
    namesRelease(e.payload, release),
  )?.createdAt;
  if (!firstSeen) return [];
  const taken = new Set<string>();
  const out: LedgerEntry[] = [];
  for (const entry of entries) {
    if (NOISE.has(entry.entryType)) continue;
    const p = entry.payload;
    let about = namesRelease(p, release);
    if (!about && entry.entryType === 'waiver' && !p.releaseVersion) {
      const expires = text(p.expiresAt);
      about = !expires || new Date(expires) > firstSeen;
    }
    if (!about && entry.entryType === 'runbook-version')
      about = entry.createdAt >= firstSeen;
    if (!about) about = referencesOf(p).some(ref => taken.has(ref));
    if (!about) continue;
    out.push(entry);
    const own = text(p.id);
    if (own) taken.add(own);
  }
  return out;
}

const words = (s: string) => s.replace(/-/g, ' ');

/**
 * One ledger entry as a timeline event. `entityPath` is the API path of the entity
 * (`/entities/component/default/rco`); `href`s are API paths under the plugin's base URL.
 */
export function eventOf(entry: LedgerEntry, entityPath: string): TimelineEvent {
  const p = entry.payload;
  const id = text(p.id) ?? String(entry.seq);
  const base = {
    at: entry.createdAt.toISOString(),
    actor: entry.actor,
    ledgerSeq: entry.seq,
  };
  const ev = (
    type: TimelineEventType,
    title: string,
    link: TimelineEvent['link'],
    detail?: string,
  ): TimelineEvent => ({
    ...base,
    type,
    title,
    ...(detail ? { detail } : {}),
    ...(link ? { link } : {}),
  });
  const opLink = (opId: string) => ({
    kind: 'operation',
    id: opId,
    href: `/operations/${encodeURIComponent(opId)}`,
  });
  switch (entry.entryType) {
    case 'evidence-upload':
      return ev(
        'evidence',
        `${text(p.kind) ?? 'Evidence'} arrived`,
        { kind: 'evidence', id, href: `/evidence/${encodeURIComponent(id)}` },
        [text(p.source), text((p.subject as Payload)?.environment)]
          .filter(Boolean)
          .join(', ') || undefined,
      );
    case 'evidence-gone':
      return ev('evidence', 'Collected evidence no longer seen', {
        kind: 'evidence',
        id,
      });
    case 'release-request':
      return ev('request', 'Release requested', {
        kind: 'release-request',
        id,
        href: `${entityPath}/releases`,
      });
    case 'signoff':
    case 'signoff-revoke':
      return ev(
        'signoff',
        `${String(p.role ?? '').toUpperCase()} sign-off: ${
          text(p.decision) ?? 'recorded'
        }`,
        { kind: 'signoff', id, href: `${entityPath}/signoffs` },
        text(p.comment),
      );
    case 'waiver':
      return ev(
        'waiver',
        `${text(p.gate) ?? 'Gate'} waived${
          p.releaseVersion ? '' : ' for every release'
        }${text(p.environment) ? ` in ${p.environment}` : ''}`,
        { kind: 'waiver', id, href: `${entityPath}/waivers` },
        text(p.expiresAt) ? `until ${p.expiresAt}` : undefined,
      );
    case 'waiver-revoke':
      return ev('waiver', 'Waiver revoked', {
        kind: 'waiver',
        id,
        href: `${entityPath}/waivers`,
      });
    case 'break-glass':
      return ev(
        'override',
        `Break-glass override in ${text(p.environment) ?? 'an environment'}`,
        { kind: 'override', id, href: `${entityPath}/overrides` },
        text(p.expiresAt) ? `until ${p.expiresAt}` : undefined,
      );
    case 'break-glass-revoke':
      return ev('override', 'Break-glass override revoked', {
        kind: 'override',
        id,
        href: `${entityPath}/overrides`,
      });
    case 'operation-requested':
      return ev(
        'operation',
        `${words(text(p.type) ?? 'operation')} to ${
          text(p.environment) ?? '?'
        } requested`,
        opLink(id),
      );
    case 'operation-state': {
      if (p.action === 'promote')
        return ev(
          'canary-step',
          `Canary promoted${
            typeof p.step === 'number' ? ` past step ${p.step + 1}` : ''
          }`,
          opLink(id),
        );
      if (p.action === 'abort')
        return ev('operation', 'Abort sent to the driver', opLink(id));
      if (p.confirmed)
        return ev('operation', `Confirmed: ${p.confirmed}`, opLink(id));
      const reasons = Array.isArray(p.reasons)
        ? (p.reasons as unknown[]).filter(r => typeof r === 'string').join('; ')
        : undefined;
      return ev(
        'operation',
        `Operation ${text(p.from) ?? '?'} → ${text(p.to) ?? '?'}`,
        opLink(id),
        reasons || undefined,
      );
    }
    case 'release-review':
      return ev(
        'review',
        `Review after the ${text(p.operationType) ?? 'operation'}: ${words(
          text(p.result) ?? '',
        )}`,
        { kind: 'review', id, href: `/reviews/${encodeURIComponent(id)}` },
      );
    case 'runbook-version':
      return ev('runbook', `Runbook ${text(p.version) ?? ''} recorded`, {
        kind: 'runbook-version',
        id: text(p.version) ?? id,
        href: text(p.version)
          ? `${entityPath}/runbook/versions/${encodeURIComponent(
              p.version as string,
            )}`
          : undefined,
      });
    default:
      return unknownEvent(entry, entityPath, base);
  }
}

/** Entries of kinds added after this code (deploy windows, say): by their name and record. */
function unknownEvent(
  entry: LedgerEntry,
  entityPath: string,
  base: Pick<TimelineEvent, 'at' | 'actor' | 'ledgerSeq'>,
): TimelineEvent {
  const p = entry.payload;
  const window = /window/.test(entry.entryType);
  const id = text(p.windowId) ?? text(p.id) ?? String(entry.seq);
  return {
    ...base,
    type: window ? 'window' : 'other',
    title: words(entry.entryType).replace(/^./, c => c.toUpperCase()),
    link: {
      kind: window ? 'window' : entry.entryType,
      id,
      ...(window ? { href: `${entityPath}/windows` } : {}),
    },
  };
}

/**
 * Events the ledger does not hold entry by entry: an operation's steps as the runner stored
 * them, and the gates it was judged under at preflight (its gate snapshot). Gate changes are
 * shown this way: judging the release again at every event would need the evidence and
 * decisions as they stood then, which the stores do not keep apart from the ledger.
 */
export function operationEvents(op: TimelineOperation): TimelineEvent[] {
  const link = {
    kind: 'operation',
    id: op.id,
    href: `/operations/${encodeURIComponent(op.id)}`,
  };
  const events: TimelineEvent[] = [];
  const snap = op.gateSnapshot;
  if (snap) {
    const counts = new Map<string, number>();
    for (const g of snap.gates)
      counts.set(g.status, (counts.get(g.status) ?? 0) + 1);
    const failing = snap.gates
      .filter(g => g.status !== 'pass' && g.status !== 'waived')
      .map(g => `${g.id} (${g.status})`);
    events.push({
      at: snap.evaluatedAt,
      type: 'gate',
      title: `Gates at preflight: ${[...counts]
        .map(([s, n]) => `${n} ${s}`)
        .join(', ')}`,
      ...(failing.length ? { detail: failing.join(', ') } : {}),
      link,
    });
  }
  for (const step of op.steps) {
    if (!step.finishedAt || step.id === 'preflight') continue;
    events.push({
      at: step.finishedAt,
      type: 'operation',
      title: `Step ${step.title}: ${step.status}`,
      ...(step.message ? { detail: step.message } : {}),
      link,
    });
  }
  return events;
}

/** The story in time order; entries of one instant keep their ledger order. */
export function sortTimeline(events: TimelineEvent[]): TimelineEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort(
      (a, b) =>
        a.e.at.localeCompare(b.e.at) ||
        (a.e.ledgerSeq ?? Infinity) - (b.e.ledgerSeq ?? Infinity) ||
        a.i - b.i,
    )
    .map(x => x.e);
}
