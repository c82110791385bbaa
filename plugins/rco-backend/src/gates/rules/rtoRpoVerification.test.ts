import { context, DAY, HOUR, NOW, record } from '../__testUtils__/context';
import { example } from '../__testUtils__/examples';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { examplesDir } from '../../__testUtils__/fixtures';
import { veleroRestoreParser } from '../../evidence/parsers/velero';
import { rtoRpoVerification } from './rtoRpoVerification';

const backups = () =>
  example('velero-backup', 'velero-backups.yaml', {
    subject: { environment: 'production' },
  });
const restore = () =>
  example('velero-restore', 'velero-restore-drill.yaml', {
    subject: { environment: 'production' },
  });

describe('rto-rpo-verification', () => {
  it.each([
    {
      name: 'no runbook: missing',
      ctx: () => context([...backups(), ...restore()], { runbook: undefined }),
      status: 'missing',
      reason: 'No valid runbook',
    },
    {
      name: 'no completed backup: missing',
      ctx: () => context([]),
      status: 'missing',
      reason: 'No completed Velero backup',
    },
    {
      name: 'backups within RPO but no restore drill: missing',
      ctx: () => context(backups()),
      status: 'missing',
      reason: 'No restore drill recorded',
    },
    {
      name: "the demo's backups every five minutes and a nine-minute drill: pass",
      ctx: () => context([...backups(), ...restore()]),
      status: 'pass',
      reason: 'Restore drill rco-restore-drill-2026-11 finished in 9 min',
    },
    {
      name: 'the real Velero sample (completed years ago): beyond RPO, fail',
      ctx: () =>
        context([
          record('velero-backup', 'velero-backup-completed.yaml'),
          ...restore(),
        ]),
      status: 'fail',
      reason: 'beyond RPO',
    },
  ])('$name', ({ ctx, status, reason }) => {
    const outcome = rtoRpoVerification(ctx());
    expect(outcome.status).toBe(status);
    expect(outcome.reasons.join('\n')).toContain(reason);
  });

  it('refuses: backups that completed with no items backed up are no recovery points', () => {
    const r = backups();
    const empty = r.map(b => ({
      ...b,
      summary: { ...(b.summary as object), itemsBackedUp: 0, totalItems: 0 },
    })) as typeof r;
    const outcome = rtoRpoVerification(context([...empty, ...restore()]));
    expect(outcome.status).toBe('missing');
    expect(outcome.reasons.join('\n')).toMatch(
      /No completed Velero backup\nNot counted: .+ completed with no items backed up/,
    );
    // With items, the same backups count again.
    expect(rtoRpoVerification(context([...r, ...restore()])).status).toBe(
      'pass',
    );
  });

  it('refuses: a restore drill that restored no items proves nothing', () => {
    const [drill] = restore();
    const empty = {
      ...drill,
      summary: { ...(drill.summary as object), itemsRestored: 0 },
    } as typeof drill;
    const outcome = rtoRpoVerification(context([...backups(), empty]));
    expect(outcome.status).toBe('fail');
    expect(outcome.reasons.join('\n')).toContain('restored no items');
  });

  it('refuses: Velero leaves out a zero count (omitempty): a restore with an empty progress restored nothing', () => {
    const doc = parse(
      readFileSync(
        join(examplesDir, 'rco/evidence/velero-restore-drill.yaml'),
        'utf8',
      ),
    );
    doc.status.progress = {};
    expect(veleroRestoreParser.parse(doc).summary).toMatchObject({
      itemsRestored: 0,
    });
    // No progress at all (an older Velero): unknown, not zero.
    delete doc.status.progress;
    const { summary } = veleroRestoreParser.parse(doc);
    expect(
      (summary as { itemsRestored?: number }).itemsRestored,
    ).toBeUndefined();
  });

  it('says when time alone fails it: the newest backup plus the RPO, judged again then (stored verdicts)', () => {
    const passing = rtoRpoVerification(context([...backups(), ...restore()]));
    expect(passing.status).toBe('pass');
    const deadline = passing.changesAt!.getTime();
    expect(deadline).toBeGreaterThan(NOW.getTime());
    // Judged at that moment it fails, a millisecond before it still passes.
    expect(
      rtoRpoVerification(
        context([...backups(), ...restore()], { now: new Date(deadline + 1) }),
      ).status,
    ).toBe('fail');
    expect(
      rtoRpoVerification(
        context([...backups(), ...restore()], { now: new Date(deadline - 1) }),
      ).status,
    ).toBe('pass');
  });

  it('the same backups judged an hour later are beyond an RPO of minutes', () => {
    const later = context([...backups(), ...restore()], {
      now: new Date(NOW.getTime() + HOUR),
    });
    expect(rtoRpoVerification(later).status).toBe('fail');
    expect(DAY).toBeGreaterThan(HOUR);
  });

  it('judges the newest drill by when it finished, whatever order the records come in', () => {
    // Collected drills are all current objects: a newer drill can come after an older one that
    // was merely observed more recently (issue 13). The older drill here is two days old.
    const [drill] = restore();
    const s = drill.summary as any;
    const older = {
      ...drill,
      id: 'older',
      summary: {
        ...s,
        name: 'rco-restore-drill-old',
        startTimestamp: new Date(
          Date.parse(s.startTimestamp) - 2 * DAY,
        ).toISOString(),
        completionTimestamp: new Date(
          Date.parse(s.completionTimestamp) - 2 * DAY,
        ).toISOString(),
      },
    };
    const outcome = rtoRpoVerification(context([...backups(), older, drill]));
    expect(outcome.status).toBe('pass');
    expect(outcome.reasons.join('\n')).toContain(
      `Restore drill ${s.name} finished`,
    );
    expect(outcome.used).toContain(drill);
    expect(outcome.used).not.toContain(older);
  });
});
