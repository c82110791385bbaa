import { EvidenceRecord } from '../../database/EvidenceStore';

/** RFC 3339 timestamps as the tools write them (with or without fractions, Z or an offset). */
const TIMESTAMP =
  /\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})/g;

/** An instant as Velero and Kubernetes write it: seconds, UTC. */
export const rfc3339 = (t: number) =>
  new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A document re-dated by `deltaMs`: every timestamp in it moves by the same amount, so the
 * report says what it said, as if the scan ran again now (ages between its own times kept).
 */
export function redate(text: string, deltaMs: number): string {
  return text.replace(TIMESTAMP, (whole, base, fraction, zone) => {
    const t = Date.parse(`${base}${fraction ?? ''}${zone}`);
    if (!Number.isFinite(t)) return whole;
    const moved = new Date(t + deltaMs).toISOString();
    // Written back in UTC, keeping whether the original carried fractions.
    return fraction ? moved : moved.replace(/\.\d{3}Z$/, 'Z');
  });
}

/** The completed backup that finished last, across the stored records (one per backup). */
export function newestBackup(records: EvidenceRecord[]) {
  let best: { record: EvidenceRecord; at: number } | undefined;
  for (const record of records) {
    const s = record.summary as {
      phase?: string;
      completionTimestamp?: string;
    };
    const at = Date.parse(s.completionTimestamp ?? '');
    if (s.phase !== 'Completed' || !Number.isFinite(at)) continue;
    if (!best || at > best.at) best = { record, at };
  }
  return best;
}

/** `20261129223000` from an instant, as Velero names a schedule's backups. */
const stamp = (t: number) =>
  new Date(t).toISOString().replace(/[-:T]/g, '').slice(0, 14);

/**
 * What `velero backup get -o json` lists for a five-minute schedule at `now`: the newest
 * `count` backups, `every` apart, the newest completed at now, each like `template` (the
 * namespaces and storage location of the backup it continues), named like Velero names a
 * schedule's backups (`<schedule>-YYYYMMDDHHMMSS`).
 */
export function veleroBackupList(
  template: any,
  now: Date,
  count: number,
  every: number,
  schedule = 'rco-5min',
): string {
  const items = [];
  for (let k = 0; k < count; k++) {
    const completed = now.getTime() - k * every;
    const started = completed - 20_000;
    items.push({
      apiVersion: template.apiVersion ?? 'velero.io/v1',
      kind: 'Backup',
      metadata: {
        name: `${schedule}-${stamp(started)}`,
        namespace: template.metadata?.namespace ?? 'velero',
        labels: { 'velero.io/schedule-name': schedule },
      },
      spec: template.spec ?? {},
      status: {
        phase: 'Completed',
        startTimestamp: rfc3339(started),
        completionTimestamp: rfc3339(completed),
        expiration: rfc3339(completed + 72 * 3_600_000),
      },
    });
  }
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2);
}
