import {
  documentTime,
  duration,
  evidenceOf,
  humanAge,
  summaryOf,
} from '../helpers';
import { missing, Rule } from './shared';

export const migrationControls: Rule = ctx => {
  if (!ctx.runbook) return missing(['No valid runbook declares RTO and RPO']);
  const maxAge = duration(ctx.runbook.targets.rollbackDryRunMaxAge);
  const reasons = [
    `Runbook declares RTO ${ctx.runbook.targets.rto} and RPO ${ctx.runbook.targets.rpo}`,
  ];
  const [dryRun] = evidenceOf(ctx, ['rollback-dry-run']);
  if (!dryRun)
    return missing([
      ...reasons,
      `No rollback dry-run recorded (required within ${ctx.runbook.targets.rollbackDryRunMaxAge})`,
    ]);
  const s = summaryOf(dryRun, 'attestation')!;
  const at = documentTime(s.performedAt, dryRun);
  if (!s.succeeded)
    return {
      status: 'fail',
      reasons: [...reasons, `Rollback dry-run of ${at.toISOString()} failed`],
      used: [dryRun],
      freshness: [{ what: 'rollback dry-run', at }],
    };
  return {
    status: 'pass',
    reasons: [
      ...reasons,
      `Rollback dry-run succeeded ${humanAge(
        ctx.now.getTime() - at.getTime(),
      )} ago (max ${maxAge.toISO()})`,
    ],
    used: [dryRun],
    freshness: [{ what: 'rollback dry-run', at }],
  };
};
