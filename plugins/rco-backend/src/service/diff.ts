import {
  Runbook,
  RunbookDiffLine,
  RunbookDiffResponse,
} from '@helix-portal/plugin-rco-common';
import { diffLines } from 'diff';

/** What changed between two runbook versions. */
export type RunbookSectionsDiff = Omit<
  RunbookDiffResponse,
  'entityRef' | 'from' | 'to'
>;

function toLines(from: string, to: string): RunbookDiffLine[] {
  const lines: RunbookDiffLine[] = [];
  for (const part of diffLines(from, to)) {
    let type: RunbookDiffLine['type'] = 'unchanged';
    if (part.added) type = 'added';
    else if (part.removed) type = 'removed';
    for (const text of part.value.replace(/\n$/, '').split('\n')) {
      lines.push({ type, text });
    }
  }
  return lines;
}

const ref = (s: Runbook['sections'][number]) => ({
  id: s.id,
  number: s.number,
  title: s.title,
});

/**
 * Compares two runbooks section by section (matched by id), plus the headline fields a reviewer
 * cares about (targets, status, checklist size).
 */
export function diffRunbooks(from: Runbook, to: Runbook): RunbookSectionsDiff {
  const before = new Map(from.sections.map(s => [s.id, s]));
  const after = new Map(to.sections.map(s => [s.id, s]));
  const result: RunbookSectionsDiff = {
    added: [],
    removed: [],
    changed: [],
    unchanged: 0,
    fields: [],
  };
  for (const section of to.sections) {
    const old = before.get(section.id);
    if (!old) {
      result.added.push(ref(section));
    } else if (old.body !== section.body || old.title !== section.title) {
      result.changed.push({
        ...ref(section),
        ...(old.title !== section.title ? { previousTitle: old.title } : {}),
        lines: toLines(old.body, section.body),
      });
    } else {
      result.unchanged++;
    }
  }
  for (const section of from.sections) {
    if (!after.has(section.id)) {
      result.removed.push(ref(section));
    }
  }
  const fields: Array<[string, string, string]> = [
    ['targets.rto', from.targets.rto, to.targets.rto],
    ['targets.rpo', from.targets.rpo, to.targets.rpo],
    [
      'targets.rollbackDryRunMaxAge',
      from.targets.rollbackDryRunMaxAge,
      to.targets.rollbackDryRunMaxAge,
    ],
    ['metadata.status', from.metadata.status, to.metadata.status],
    [
      'gateChecklist',
      `${from.gateChecklist.length} items`,
      `${to.gateChecklist.length} items`,
    ],
    [
      'glossary',
      from.glossary.map(g => g.term).join(', '),
      to.glossary.map(g => g.term).join(', '),
    ],
  ];
  result.fields = fields
    .filter(([, a, b]) => a !== b)
    .map(([field, a, b]) => ({ field, from: a, to: b }));
  return result;
}
