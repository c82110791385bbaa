import {
  documentTime,
  duration,
  evidenceOf,
  humanAge,
  newestPerObject,
  summaryOf,
} from '../helpers';
import { missing, Rule } from './shared';

export const rtoRpoVerification: Rule = ctx => {
  if (!ctx.runbook) return missing(['No valid runbook declares RTO and RPO']);
  const rpo = duration(ctx.runbook.targets.rpo).toMillis();
  const rto = duration(ctx.runbook.targets.rto).toMillis();
  const completed = newestPerObject(
    evidenceOf(ctx, ['velero-backup']),
    r => summaryOf(r, 'velero')!.name,
  )
    .map(r => {
      const s = summaryOf(r, 'velero')!;
      return { r, s, at: documentTime(s.completionTimestamp, r).getTime() };
    })
    .filter(
      b =>
        b.s.phase === 'Completed' &&
        Number.isFinite(Date.parse(b.s.completionTimestamp ?? '')),
    );
  // "Completed" with nothing backed up (a selector or namespace that matched nothing) restores
  // nothing: it is no recovery point. Velero before 1.x reports no progress: counted.
  const empty = completed.filter(b => b.s.itemsBackedUp === 0);
  const backups = completed
    .filter(b => b.s.itemsBackedUp !== 0)
    .sort((a, b) => b.at - a.at);
  const emptyNote = empty.length
    ? [
        `Not counted: ${empty
          .slice(0, 3)
          .map(b => b.s.name)
          .join(', ')}${
          empty.length > 3 ? ` and ${empty.length - 3} more` : ''
        } completed with no items backed up`,
      ]
    : [];
  if (!backups.length)
    return missing(
      ['No completed Velero backup', ...emptyNote],
      empty.map(b => b.r),
    );
  const used = backups.map(b => b.r);
  const reasons: string[] = [...emptyNote];
  let ok = true;
  const newest = backups[0].at;
  if (ctx.now.getTime() - newest > rpo) {
    ok = false;
    reasons.push(
      `Newest backup ${backups[0].s.name} completed ${humanAge(
        ctx.now.getTime() - newest,
      )} ago, beyond RPO ${ctx.runbook.targets.rpo}`,
    );
  } else
    reasons.push(
      `Newest backup ${humanAge(ctx.now.getTime() - newest)} old (RPO ${
        ctx.runbook.targets.rpo
      })`,
    );
  for (let i = 1; i < backups.length; i++) {
    const gap = backups[i - 1].at - backups[i].at;
    if (gap > rpo) {
      ok = false;
      reasons.push(
        `Backups ${backups[i].s.name} and ${
          backups[i - 1].s.name
        } are ${humanAge(gap)} apart, beyond RPO`,
      );
      break;
    }
  }
  // The drill that finished last, by its own time: collected restores are all current objects,
  // so the order records come in says nothing about which drill is newest.
  const [restore] = evidenceOf(ctx, ['velero-restore'])
    .map(r => ({
      r,
      at: documentTime(
        summaryOf(r, 'velero')!.completionTimestamp,
        r,
      ).getTime(),
    }))
    .sort((a, b) => b.at - a.at)
    .map(x => x.r);
  if (!restore) return missing([...reasons, 'No restore drill recorded'], used);
  used.push(restore);
  const s = summaryOf(restore, 'velero')!;
  const took =
    Date.parse(s.completionTimestamp ?? '') -
    Date.parse(s.startTimestamp ?? '');
  if (s.phase !== 'Completed') {
    ok = false;
    reasons.push(
      `Restore drill ${s.name} ended ${s.phase ?? 'without a phase'}`,
    );
  } else if (s.itemsRestored === 0) {
    // A drill that restored nothing (a backup without the namespace's objects) proves nothing.
    ok = false;
    reasons.push(`Restore drill ${s.name} restored no items`);
  } else if (!(took >= 0 && took <= rto)) {
    ok = false;
    reasons.push(
      `Restore drill ${s.name} took ${
        Number.isNaN(took) ? 'an unknown time' : humanAge(took)
      }, beyond RTO ${ctx.runbook.targets.rto}`,
    );
  } else
    reasons.push(
      `Restore drill ${s.name} finished in ${humanAge(took)} (RTO ${
        ctx.runbook.targets.rto
      })`,
    );
  return {
    status: ok ? 'pass' : 'fail',
    reasons,
    used,
    // Passing now, it fails once the newest backup is older than the RPO (no write needed).
    ...(ok ? { changesAt: new Date(newest + rpo) } : {}),
    freshness: [
      { what: 'newest backup', at: new Date(newest) },
      {
        what: 'restore drill',
        at: documentTime(s.completionTimestamp, restore),
      },
    ],
  };
};
