import { LoggerService } from '@backstage/backend-plugin-api';
import { GATES, GateId } from '@helix-portal/plugin-rco-common';
import { Duration } from 'luxon';
import { parse } from 'yaml';
import { EvidenceRecord, EvidenceStore } from '../../database/EvidenceStore';
import { EvidenceService } from '../../evidence/EvidenceService';
import { Clock } from '../../lib/clock';
import { DEMO_SUBMITTER } from '../demoEvidence';
import { newestBackup, redate, veleroBackupList } from './redate';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Velero's schedule in the demo: a backup every five minutes (the runbook's RPO). */
const BACKUP_EVERY = 5 * MINUTE;
/**
 * A new backup is reported once the newest is this old, so with the keeper running every 30
 * seconds the newest backup is never older than the RPO between two runs.
 */
const BACKUP_DUE_AFTER = 4 * MINUTE;
/**
 * The most backups one list reports, and the demo backups kept per environment. A clock moved
 * forward gets the backups Velero would have taken meanwhile, up to this many: more than the 25
 * newest records of a kind the gates read (ReleaseService), so the RTO/RPO rule never sees a gap
 * the schedule would not have left, whatever older backups (an owner's own upload) stay stored.
 */
const BACKUPS_KEPT = 30;
/** Background scans and reports (policy reports, restore drills…) are re-reported this often. */
const REPORT_EVERY = 12 * HOUR;
/** Image scans run nightly at this UTC hour of the portal clock. */
const NIGHTLY_HOUR_UTC = 2;
/** Superseded demo records kept per kind, environment and image. */
const KEEP = 3;
/** The page's own action: the demo's dry-run is deliberately too old (the user runs one). */
const NEVER_REFRESHED = new Set(['rollback-dry-run']);
const NIGHTLY = new Set(['trivy', 'grype']);

/** The start of the newest nightly scan slot at or before `now`. */
export function lastNightly(now: Date): Date {
  const slot = new Date(now);
  slot.setUTCHours(NIGHTLY_HOUR_UTC, 0, 0, 0);
  if (slot > now) slot.setUTCDate(slot.getUTCDate() - 1);
  return slot;
}

/**
 * How long a superseded demo record stays: the longest maximum evidence age of any gate, the
 * catalogue's or the configured one. A gate may still count a record that young (every scan in
 * age stands for image-scanning: a later clean scan does not erase a finding), so pruning it
 * would change a verdict by deleting evidence, not by time.
 */
export function pruneAfter(
  configured: Partial<Record<GateId, string>> = {},
): number {
  return Math.max(
    ...[...GATES.map(g => g.maxAge), ...Object.values(configured)].map(v =>
      v ? Duration.fromISO(v).toMillis() || 0 : 0,
    ),
  );
}

type Pruner = {
  prune(entityRef: string, ids: string[], reason: string): Promise<number>;
};

/**
 * Keeps the local portal's demo evidence current the way real tools would, asking on each run
 * "what is due at the portal clock's now?": Velero's five-minute backups, the nightly image
 * scans, and any other report a background scan would send again (the newest stored record of
 * that kind and environment, re-dated, so an owner's own fix is kept rather than reverted).
 * One run catches up a clock moved forward by reporting once at the new now, never each missed
 * slot. The demo's own superseded records are pruned, so the evidence list stays bounded.
 * Every group of the demo entity is kept current, the demo's own and those its owner uploaded
 * (staging's backups, after a journey follows the page there): once a tool reports, its schedule
 * goes on, as Velero's would. Only the demo's own re-reports are ever pruned, and other entities'
 * evidence is never touched.
 */
export class DemoEvidenceKeeper {
  private running?: Promise<number>;

  constructor(
    private readonly o: {
      entityRef: string;
      evidenceService: EvidenceService;
      evidenceStore: EvidenceStore;
      pruner: Pruner;
      clock: Clock;
      logger: LoggerService;
      /** Told when evidence changed (the release cache and the page's signals channel). */
      changed?: (entityRef: string) => void;
      /** Superseded records younger than this are kept (pruneAfter); default the catalogue's. */
      keepFor?: number;
    },
  ) {}

  /** One run at a time: a run asked for while one is under way waits for it, then runs. */
  async tick(): Promise<number> {
    const previous = this.running;
    const run = (async () => {
      await previous?.catch(() => undefined);
      return this.run();
    })();
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }

  private async run(): Promise<number> {
    const now = this.o.clock.now();
    const { entityRef } = this.o;
    const records = await this.o.evidenceStore.list(entityRef, { limit: 1000 });
    const groups = new Map<string, EvidenceRecord[]>();
    for (const r of records) {
      // What the console collects itself (issue 13: the simulated clusters) is kept current
      // by its collector, never re-reported as an upload.
      if (r.provenance) continue;
      const key = [r.kind, r.subject.environment, r.subject.digest].join('|');
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    let reported = 0;
    for (const group of groups.values()) {
      const [newest] = group; // the store lists newest first
      if (NEVER_REFRESHED.has(newest.kind)) continue;
      try {
        reported +=
          newest.kind === 'velero-backup'
            ? await this.backups(group, now)
            : await this.report(newest, now);
      } catch (error) {
        this.o.logger.warn(
          `Demo evidence ${newest.kind} not kept current: ${error}`,
        );
      }
    }
    if (reported) this.o.changed?.(entityRef);
    return reported;
  }

  /** A new `velero backup get` list whose newest backup completed at now, when one is due. */
  private async backups(group: EvidenceRecord[], now: Date) {
    const newest = newestBackup(group);
    if (newest && now.getTime() - newest.at < BACKUP_DUE_AFTER) return 0;
    const template = newest
      ? await this.o.evidenceStore.get(newest.record.id)
      : undefined;
    if (!template) return 0;
    // Every backup the schedule took since the newest one reported (at least one), each
    // reported when it completed, as a pipeline posting Velero's newest backup every five
    // minutes would have: the gates read the newest records of a kind, so the backups they see
    // are always the newest ones, without a gap the schedule would not have left.
    const missed = newest
      ? Math.ceil((now.getTime() - newest.at) / BACKUP_EVERY)
      : BACKUPS_KEPT;
    const schedule = `${this.o.entityRef.split('/').pop()}-5min`;
    let stored = 0;
    for (let k = Math.min(BACKUPS_KEPT, Math.max(1, missed)) - 1; k >= 0; k--) {
      const at = new Date(now.getTime() - k * BACKUP_EVERY);
      const body = veleroBackupList(
        parse(template.raw),
        at,
        1,
        BACKUP_EVERY,
        schedule,
      );
      stored += await this.upload(template, body, at);
    }
    // The newest backups by completion stay: older lists are superseded by the new one.
    const demo = (
      await this.o.evidenceStore.list(this.o.entityRef, {
        kinds: ['velero-backup'],
        limit: 1000,
      })
    )
      .filter(
        r =>
          r.submitter === DEMO_SUBMITTER &&
          r.subject.environment === template.subject.environment,
      )
      .map(r => ({ r, at: Date.parse((r.summary as any).completionTimestamp) }))
      .sort(
        (a, b) =>
          b.at - a.at || b.r.collectedAt.getTime() - a.r.collectedAt.getTime(),
      );
    await this.o.pruner.prune(
      this.o.entityRef,
      demo.slice(BACKUPS_KEPT).map(d => d.r.id),
      'superseded by a newer demo backup list',
    );
    return stored;
  }

  /** The newest record of a kind, re-dated to now, when its cadence says a new one is due. */
  private async report(newest: EvidenceRecord, now: Date) {
    const due = NIGHTLY.has(newest.kind)
      ? newest.collectedAt < lastNightly(now)
      : now.getTime() - newest.collectedAt.getTime() >= REPORT_EVERY;
    if (!due) return 0;
    const original = await this.o.evidenceStore.get(newest.id);
    if (!original) return 0;
    const body = redate(
      original.raw,
      now.getTime() - original.collectedAt.getTime(),
    );
    const stored = await this.upload(original, body, now);
    const superseded = (
      await this.o.evidenceStore.list(this.o.entityRef, {
        kinds: [newest.kind],
        limit: 1000,
      })
    ).filter(
      r =>
        r.submitter === DEMO_SUBMITTER &&
        r.subject.environment === newest.subject.environment &&
        r.subject.digest === newest.subject.digest,
    );
    // The seed's own report is one of these: once an owner's fix is the newest and re-reported,
    // only age may take the seed's finding away, as it would in a real portal.
    const keepFor = this.o.keepFor ?? pruneAfter();
    await this.o.pruner.prune(
      this.o.entityRef,
      superseded
        .slice(KEEP)
        .filter(r => now.getTime() - r.collectedAt.getTime() >= keepFor)
        .map(r => r.id),
      'superseded by a newer demo report',
    );
    return stored;
  }

  private async upload(
    like: EvidenceRecord,
    body: string,
    now: Date,
  ): Promise<number> {
    const results = await this.o.evidenceService.upload({
      entityRef: this.o.entityRef,
      body: Buffer.from(body),
      kind: like.kind,
      version: like.subject.version,
      digest: like.subject.digest,
      commit: like.subject.commit,
      environment: like.subject.environment,
      // Re-reported with the trust of the report it repeats: an owner's upload stays theirs.
      source: like.source,
      submitter: DEMO_SUBMITTER,
      now,
    });
    return results.filter(r => r.created).length;
  }
}
