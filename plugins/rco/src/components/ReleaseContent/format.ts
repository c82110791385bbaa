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
  ({ ci: 'CI', cluster: 'cluster', system: 'console', human: 'person' }[
    source ?? ''
  ] ??
  source ??
  'unknown');
