import {
  overdueReason,
  runbookReviewCadence,
} from '../../service/reviews/cadence';
import { missing, Rule } from './shared';

export const documentationCompleteness: Rule = ctx => {
  if (!ctx.runbook) return missing(['No valid runbook']);
  const { runbook } = ctx;
  const empty = runbook.sections.filter(s => !s.body.trim());
  const reasons: string[] = [];
  if (empty.length)
    reasons.push(`Empty sections: ${empty.map(s => s.title).join(', ')}`);
  if (!runbook.glossary.length) reasons.push('No glossary');
  const repo = runbook.metadata.repository ?? '';
  if (!repo.includes(ctx.config.helixCoreRepository)) {
    reasons.push(
      `Artefacts are not linked to the Helix Core repository (${
        ctx.config.helixCoreRepository
      }): ${repo || 'no repository'}`,
    );
  }
  // The periodic review (issue 15): judged only when rco.runbookReview.enforce asks for it.
  const cadence = runbookReviewCadence(runbook.metadata, ctx.now);
  const overdue = ctx.config.runbookReviewEnforce
    ? overdueReason(cadence)
    : undefined;
  if (overdue) reasons.push(overdue);
  // Enforced, a runbook cannot leave the cadence out (or date its last review ahead) to never be
  // overdue: removing the fields would walk around the rule.
  if (ctx.config.runbookReviewEnforce && !cadence.dueAt)
    reasons.push(
      'The runbook declares no periodic review: set metadata.reviewEvery (an ISO 8601 duration) and metadata.lastReviewed (a date)',
    );
  const { lastReviewed } = runbook.metadata;
  if (
    ctx.config.runbookReviewEnforce &&
    lastReviewed &&
    Date.parse(lastReviewed) > ctx.now.getTime()
  )
    reasons.push(
      `metadata.lastReviewed (${lastReviewed}) is after today: a review cannot have happened yet`,
    );
  // A passing gate turns at the due instant: stored verdicts are judged again then.
  const changesAt =
    ctx.config.runbookReviewEnforce && cadence.dueAt && !cadence.overdue
      ? new Date(cadence.dueAt)
      : undefined;
  return reasons.length
    ? { status: 'fail', reasons, used: [] }
    : {
        status: 'pass',
        reasons: [
          `All ${runbook.sections.length} sections present, glossary of ${runbook.glossary.length} terms, artefacts in ${repo}`,
        ],
        used: [],
        ...(changesAt ? { changesAt } : {}),
      };
};
