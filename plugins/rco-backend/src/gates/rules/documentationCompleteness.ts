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
  return reasons.length
    ? { status: 'fail', reasons, used: [] }
    : {
        status: 'pass',
        reasons: [
          `All ${runbook.sections.length} sections present, glossary of ${runbook.glossary.length} terms, artefacts in ${repo}`,
        ],
        used: [],
      };
};
