import { GATE_IDS, GATES } from '@helix-portal/plugin-rco-common';
import { DateTime } from 'luxon';

/** "3 hours ago", "in 6 days". */
export const relative = (iso?: string) =>
  iso ? DateTime.fromISO(iso).toRelative() ?? iso : '—';

export const shortDigest = (digest?: string) =>
  digest ? `${digest.slice(0, 19)}…` : 'no digest';

export const releaseLabel = (r: { version?: string; digest?: string }) =>
  `${r.version ? `v${r.version}` : 'no version'} · ${shortDigest(r.digest)}`;

/** The verdict in words: "Ready", "Blocked by 3 gates", with waivers said aloud. */
export function verdictOf(summary: { blockedBy: string[]; waived: string[] }) {
  const blocked = summary.blockedBy.length;
  const waived = summary.waived.length;
  const head = blocked
    ? `Blocked by ${blocked} gate${blocked > 1 ? 's' : ''}`
    : 'Ready';
  return waived
    ? `${head}, ${waived} gate${waived > 1 ? 's' : ''} waived`
    : head;
}

/** Who attested a piece of evidence, in words: CI, the cluster, the console itself or a person. */
export const sourceLabel = (source?: string) =>
  ({
    ci: 'CI',
    cluster: 'cluster',
    monitoring: 'monitoring stack',
    system: 'console',
    human: 'person',
  }[source ?? ''] ??
  source ??
  'unknown');

/** "v1.3.2 · sha256:3f6c2a9d…": the release picker's label, short enough to scan a list. */
export const pickerLabel = (r: { version?: string; digest?: string }) =>
  `${r.version ? `v${r.version}` : 'no version'} · ${
    r.digest ? `${r.digest.slice(0, 15)}…` : 'no digest'
  }`;

/** Gate ids (summary.blockedBy, pillar requirements) as the titles people read. */
export const gateTitles = (
  ids: string[],
  gates: ReadonlyArray<{ id: string; title: string }> = GATES,
) =>
  ids.map(
    id =>
      gates.find(g => g.id === id)?.title ??
      GATES.find(g => g.id === id)?.title ??
      id,
  );

/**
 * The verdict about one environment, in words: "Blocked in production", "Ready for staging";
 * without an environment, "Blocked" or "Ready".
 */
export function verdictIn(
  summary: { ready: boolean },
  environment?: string,
): string {
  if (summary.ready) return environment ? `Ready for ${environment}` : 'Ready';
  return environment ? `Blocked in ${environment}` : 'Blocked';
}

/**
 * What blocks, by title: "Blocked by 2 gates: Policy Enforcement, DPO Sign-off", with waived
 * gates said aloud ("1 gate waived: Secret Hygiene").
 */
export function blockedSentence(
  summary: { blockedBy: string[]; waived: string[] },
  gates: ReadonlyArray<{ id: string; title: string }> = GATES,
): string {
  const parts: string[] = [];
  const blocked = gateTitles(summary.blockedBy, gates);
  const waived = gateTitles(summary.waived, gates);
  if (blocked.length) {
    parts.push(
      `Blocked by ${blocked.length} gate${
        blocked.length > 1 ? 's' : ''
      }: ${blocked.join(', ')}`,
    );
  } else {
    parts.push('No gate blocks');
  }
  if (waived.length) {
    parts.push(
      `${waived.length} gate${
        waived.length > 1 ? 's' : ''
      } waived: ${waived.join(', ')}`,
    );
  }
  return parts.join('; ');
}

const GATE_ID = new RegExp(`\\b(${GATE_IDS.join('|')})\\b`, 'g');

/** A backend sentence with the gate ids in it ("image-scanning: stale") as titles. */
export const withGateTitles = (text: string) =>
  text.replace(GATE_ID, id => gateTitles([id])[0]);
