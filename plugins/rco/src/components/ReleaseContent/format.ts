import { DateTime } from 'luxon';

/** "3 hours ago", "in 6 days". */
export const relative = (iso?: string) =>
  iso ? DateTime.fromISO(iso).toRelative() ?? iso : '—';

export const shortDigest = (digest?: string) =>
  digest ? `${digest.slice(0, 19)}…` : 'no digest';

export const releaseLabel = (r: { version?: string; digest?: string }) =>
  `${r.version ? `v${r.version}` : 'no version'} · ${shortDigest(r.digest)}`;
