import { Runbook } from '@helix-portal/plugin-rco-common';
import { EntityName, PageLinks } from './links';

const words = (text: string) =>
  text
    .toLocaleLowerCase('en-US')
    .split(/[^\p{L}\p{N}-]+/u)
    .filter(w => w.length > 0);

/** A few lines around the first place a query word occurs, so the agent sees the context. */
function snippet(body: string, terms: string[], width = 240) {
  const lower = body.toLocaleLowerCase('en-US');
  const at = Math.min(
    ...terms.map(t => lower.indexOf(t)).filter(i => i >= 0),
    body.length,
  );
  const start = Math.max(0, at - width / 3);
  const text = body
    .slice(start, start + width)
    .replace(/\s+/g, ' ')
    .trim();
  return `${start > 0 ? '…' : ''}${text}${
    start + width < body.length ? '…' : ''
  }`;
}

/**
 * Sections and glossary entries of a runbook matching a query: every word of the query must
 * occur (case-insensitively); titles and terms count more than bodies. Each hit links to its
 * place on the runbook page.
 */
export function searchRunbook(
  runbook: Runbook,
  query: string,
  entity: EntityName,
  links: PageLinks,
  limit = 10,
) {
  const terms = words(query);
  const score = (title: string, body: string) => {
    const t = title.toLocaleLowerCase('en-US');
    const b = body.toLocaleLowerCase('en-US');
    let total = 0;
    for (const term of terms) {
      const inTitle = t.includes(term);
      const inBody = b.includes(term);
      if (!inTitle && !inBody) return 0;
      total += (inTitle ? 3 : 0) + (inBody ? 1 : 0);
    }
    return total;
  };
  const sections = runbook.sections
    .map(s => ({ s, score: score(`${s.id} ${s.title}`, s.body) }))
    .filter(x => terms.length > 0 && x.score > 0)
    .sort((a, b) => b.score - a.score || a.s.number - b.s.number)
    .slice(0, limit)
    .map(({ s }) => ({
      id: s.id,
      number: s.number,
      title: s.title,
      excerpt: snippet(s.body, terms),
      url: links.runbookSection(entity, s.id),
    }));
  const glossary = runbook.glossary
    .map(g => ({
      g,
      score: score(`${g.term} ${g.expansion}`, g.definition),
    }))
    .filter(x => terms.length > 0 && x.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map(({ g }) => ({
      term: g.term,
      expansion: g.expansion,
      definition: g.definition,
      ...(g.distinctFrom ? { distinctFrom: g.distinctFrom } : {}),
      url: links.runbook(entity),
    }));
  return {
    runbook: {
      title: runbook.metadata.title,
      version: runbook.metadata.version,
      url: links.runbook(entity),
    },
    sections,
    glossary,
  };
}
