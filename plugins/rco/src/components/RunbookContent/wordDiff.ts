import { RunbookDiffLine } from '@helix-portal/plugin-rco-common';
import { diffWords } from 'diff';

/** Below this share of kept characters, a replacement counts as rewritten. */
const REWRITTEN = 0.5;

/** A run of words: kept, added in the newer version or removed from the older. */
export interface WordPart {
  type: 'unchanged' | 'added' | 'removed';
  text: string;
}

/** What the compare view shows of a section, top to bottom. */
export type DiffBlock =
  /** An unchanged line near a change, for context. */
  | { kind: 'context'; text: string }
  /** Unchanged lines left out between changes ("12 unchanged lines"). */
  | { kind: 'gap'; lines: number }
  /** Lines only added or only removed: shown whole, each with its + or − sign. */
  | { kind: 'lines'; type: 'added' | 'removed'; lines: string[] }
  /** Lines replaced by others: one inline diff word by word. */
  | { kind: 'words'; parts: WordPart[] };

/**
 * A section's line diff (as the backend computes it) turned into what a reader needs: each run
 * of removed lines followed by added lines becomes one word-by-word diff (a changed number reads
 * "30 → 15" instead of two whole lines), and unchanged lines farther than `context` lines from any
 * change are folded into a gap.
 */
export function diffBlocks(
  lines: readonly RunbookDiffLine[],
  context = 2,
): DiffBlock[] {
  // 1. Group changed lines into change runs, keeping unchanged lines as they are.
  type Item = { unchanged: string } | { removed: string[]; added: string[] };
  const items: Item[] = [];
  for (const line of lines) {
    const last = items[items.length - 1];
    if (line.type === 'unchanged') {
      items.push({ unchanged: line.text });
    } else if (last && !('unchanged' in last)) {
      // A removal after additions starts a new run: "removed then added" is one replacement.
      if (line.type === 'removed' && last.added.length > 0)
        items.push({ removed: [line.text], added: [] });
      else last[line.type].push(line.text);
    } else {
      items.push(
        line.type === 'removed'
          ? { removed: [line.text], added: [] }
          : { removed: [], added: [line.text] },
      );
    }
  }

  // 2. Unchanged lines within `context` of a change are shown; the rest fold into gaps.
  const near = items.map(() => false);
  items.forEach((item, i) => {
    if ('unchanged' in item) return;
    for (let d = -context; d <= context; d++) {
      if (i + d >= 0 && i + d < items.length) near[i + d] = true;
    }
  });

  const blocks: DiffBlock[] = [];
  let folded: string[] = [];
  // A fold of one line would take as much room as the line: show it instead.
  const flush = () => {
    if (folded.length === 1) blocks.push({ kind: 'context', text: folded[0] });
    else if (folded.length > 1)
      blocks.push({ kind: 'gap', lines: folded.length });
    folded = [];
  };
  items.forEach((item, i) => {
    if ('unchanged' in item) {
      if (near[i]) {
        flush();
        blocks.push({ kind: 'context', text: item.unchanged });
      } else {
        folded.push(item.unchanged);
      }
      return;
    }
    flush();
    if (item.removed.length === 0) {
      blocks.push({ kind: 'lines', type: 'added', lines: item.added });
    } else if (item.added.length === 0) {
      blocks.push({ kind: 'lines', type: 'removed', lines: item.removed });
    } else {
      blocks.push(...replacement(item.removed, item.added));
    }
  });
  flush();
  return blocks;
}

/**
 * Lines replaced by others: word by word when they are mostly the same words (a changed number
 * or phrase), as whole removed and added lines when they were rewritten (interleaved words of
 * two different texts read as neither).
 */
function replacement(removed: string[], added: string[]): DiffBlock[] {
  const before = removed.join('\n');
  const after = added.join('\n');
  const parts: WordPart[] = diffWords(before, after).map(c => ({
    type: (c.added && 'added') || (c.removed && 'removed') || 'unchanged',
    text: c.value,
  }));
  const kept = parts
    .filter(p => p.type === 'unchanged')
    .reduce((n, p) => n + p.text.trim().length, 0);
  if (kept < REWRITTEN * Math.max(before.length, after.length)) {
    return [
      { kind: 'lines', type: 'removed', lines: removed },
      { kind: 'lines', type: 'added', lines: added },
    ];
  }
  return [{ kind: 'words', parts }];
}
