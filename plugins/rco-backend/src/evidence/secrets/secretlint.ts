import { lintSource } from '@secretlint/core';
import { secretLintProfiler } from '@secretlint/profiler';
import { rules as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import type { Range } from './textRules';

/**
 * Secrets with a known shape (AWS, GCP, GitHub, GitLab, Slack, npm, OpenAI, Stripe, private
 * keys, basic auth and database URLs, …), found by secretlint's recommended rules.
 *
 * - The AWS rule's ID scan is on: an access key ID alone (AKIA…) is enough to mask.
 * - `filter-comments` is off: it lets the scanned text switch detection off with a
 *   `secretlint-disable` comment, and here the scanned text is the attacker's.
 */
const FILTER_COMMENTS = '@secretlint/secretlint-rule-filter-comments';
const AWS = '@secretlint/secretlint-rule-aws';

// Each rule registered on its own: a preset's `disabled` flag for one of its rules is not honoured.
const config = {
  rules: recommended
    .filter(rule => rule.meta.id !== FILTER_COMMENTS)
    .map(rule => ({
      id: rule.meta.id,
      rule,
      options: rule.meta.id === AWS ? { enableIDScanRule: true } : {},
    })),
};

// secretlint profiles every run unless told not to: a performance mark per rule per run, kept
// in the process's performance timeline and in the profiler (the same instance @secretlint/core
// imports), never cleared. A backend that scans every evidence upload would grow without bound.
secretLintProfiler.setEnabled(false);

/** Keeps two strings from forming one match across their boundary. */
const SEPARATOR = '\n\u0000\n';

/**
 * The secret ranges of each of `texts`, from one secretlint run over all of them (one run per
 * document instead of one per string: setting the rules up costs more than scanning).
 */
export async function secretlintRanges(texts: string[]): Promise<Range[][]> {
  const result: Range[][] = texts.map(() => []);
  if (texts.length === 0) return result;
  const starts: number[] = [];
  let offset = 0;
  for (const text of texts) {
    starts.push(offset);
    offset += text.length + SEPARATOR.length;
  }
  const { messages } = await lintSource({
    source: {
      content: texts.join(SEPARATOR),
      filePath: 'evidence.txt',
      contentType: 'text',
    },
    options: { config: config as any, noPhysicFilePath: true },
  });
  for (const message of messages) {
    const [from, to] = message.range;
    // The text a range starts in: the last start at or before it (binary search).
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= from) lo = mid;
      else hi = mid - 1;
    }
    for (let i = lo; i < texts.length && starts[i] < to; i++) {
      const start = Math.max(from - starts[i], 0);
      const end = Math.min(to - starts[i], texts[i].length);
      if (end > start) result[i].push([start, end]);
    }
  }
  return result;
}
