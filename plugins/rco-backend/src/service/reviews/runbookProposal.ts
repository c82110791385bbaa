import {
  ReleaseReviewView,
  Runbook,
  RunbookProposal,
} from '@helix-portal/plugin-rco-common';
import { Document, parseDocument } from 'yaml';

/**
 * The next patch version (semantic versioning, as the runbook's own section 13 asks: patch for
 * corrections): 1.3.0 → 1.3.1, 1.3 → 1.3.1, 1.4.0-rc.1 → 1.4.0 (a pre-release becomes its
 * release). A version the changelog already has is skipped.
 */
export function nextPatchVersion(version: string, taken: string[] = []) {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(-[0-9A-Za-z.-]+)?$/.exec(version);
  if (!m) throw new Error(`Not a runbook version: ${version}`);
  const [major, minor] = [Number(m[1]), Number(m[2])];
  let patch = Number(m[3] ?? 0) + (m[4] ? 0 : 1);
  while (taken.includes(`${major}.${minor}.${patch}`)) patch++;
  return `${major}.${minor}.${patch}`;
}

/** One line of plain text from markdown: the first paragraph, markup and newlines removed. */
export function oneLine(markdown: string, max = 160): string {
  const first = markdown.trim().split(/\n\s*\n/)[0] ?? '';
  const text = first
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}(#{1,6}\s+|[-*+]\s+|>\s?|\d+\.\s+)/gm, '')
    .replace(/[*_`~]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

const RESULT_WORDS: Record<ReleaseReviewView['result'], string> = {
  'as-planned': 'as planned',
  'with-deviations': 'with deviations',
  failed: 'failed',
};

/** Where lessons of each kind of operation belong in the runbook (REQUIRED_SECTIONS ids). */
const SECTION_OF: Record<ReleaseReviewView['operationType'], string> = {
  deploy: 'deployment-procedure',
  rollback: 'incident-response-rollback',
};
const HEADING_OF: Record<ReleaseReviewView['operationType'], string> = {
  deploy: '### Lessons from production deploys',
  rollback: '### Lessons from production rollbacks',
};

const releaseName = (r: ReleaseReviewView['release']) =>
  r.version ?? r.digest?.slice(0, 19) ?? 'an unnamed release';

/**
 * A proposed runbook change from a review (issue 15, point 3): a patch version, a changelog entry
 * summarising the review with a link to the operation, and the section where lessons of its kind
 * belong with the review appended, as YAML to merge into the runbook in its repository
 * (applyRunbookPatch says how). Nothing is written: the runbook stays the source of truth in git.
 *
 * @param date - the day of the proposal (YYYY-MM-DD, by the release clock)
 * @param operationUrl - where the operation's record is read (the plugin's external URL)
 */
export function proposeRunbookChange(
  review: ReleaseReviewView,
  runbook: Runbook,
  date: string,
  operationUrl: string,
): RunbookProposal {
  const baseVersion = runbook.metadata.version;
  const nextVersion = nextPatchVersion(
    baseVersion,
    runbook.changelog.map(c => c.version),
  );
  const what = `${review.operationType} of ${releaseName(review.release)} to ${
    review.environment
  }`;
  const changes = [
    `Review of the ${what} (${RESULT_WORDS[review.result]}): ${oneLine(
      review.summary,
    )} (${operationUrl})`,
    ...(review.deviations
      ? [`Deviations recorded: ${oneLine(review.deviations)}`]
      : []),
    ...(review.lessons ? [`Lessons learned: ${oneLine(review.lessons)}`] : []),
  ];
  const entry = { version: nextVersion, date, changes };

  const sectionId = SECTION_OF[review.operationType];
  const section = runbook.sections.find(s => s.id === sectionId);
  const sections = section
    ? [
        {
          id: section.id,
          body: withLessons(section.body, review, what, date, operationUrl),
        },
      ]
    : [];

  const patch = new Document({
    metadata: { version: nextVersion, date },
    sections,
    changelog: [...runbook.changelog, entry],
  });
  patch.commentBefore = [
    ` Proposed change of "${runbook.metadata.title}" ${baseVersion} → ${nextVersion},`,
    ` from review ${review.id} of operation ${review.operationId}.`,
    ' Merge into the runbook in its repository: maps merge key by key, sections by id',
    ' (only the fields given change), every other list (the changelog) is replaced.',
  ].join('\n');
  return {
    baseVersion,
    nextVersion,
    changelogEntry: new Document([entry]).toString({ lineWidth: 0 }),
    patch: patch.toString({ lineWidth: 0 }),
  };
}

function withLessons(
  body: string,
  review: ReleaseReviewView,
  what: string,
  date: string,
  operationUrl: string,
) {
  const heading = HEADING_OF[review.operationType];
  const block = [
    `#### ${date}: ${what}, ${RESULT_WORDS[review.result]}`,
    '',
    `Operation ${review.operationId} (${operationUrl}), reviewed by ${review.author}.`,
    '',
    review.summary,
    ...(review.deviations
      ? ['', '**Deviations from this runbook**', '', review.deviations]
      : []),
    ...(review.lessons ? ['', '**Lessons learned**', '', review.lessons] : []),
  ].join('\n');
  const base = body.trimEnd();
  return base.includes(heading)
    ? `${base}\n\n${block}\n`
    : `${base}\n\n${heading}\n\n${block}\n`;
}

type Json = unknown;

/**
 * Applies a proposal's patch to a runbook document (both parsed YAML): what the owner does in the
 * repository, and what the tests check still parses. Maps merge key by key; a list of maps with
 * `id` (sections) merges item by id, appending new ids; any other list is replaced.
 */
export function applyRunbookPatch(document: Json, patch: Json): Json {
  if (Array.isArray(patch)) {
    if (
      Array.isArray(document) &&
      patch.every(p => p && typeof p === 'object' && 'id' in p) &&
      document.every(d => d && typeof d === 'object' && 'id' in d)
    ) {
      const out = document.map(d => {
        const p = patch.find(x => x.id === d.id);
        return p ? applyRunbookPatch(d, p) : d;
      });
      const added = patch.filter(p => !document.some(d => d.id === p.id));
      return [...out, ...added];
    }
    return patch;
  }
  if (patch && typeof patch === 'object') {
    const base =
      document && typeof document === 'object' && !Array.isArray(document)
        ? (document as Record<string, Json>)
        : {};
    const out: Record<string, Json> = { ...base };
    for (const [k, v] of Object.entries(patch as Record<string, Json>))
      out[k] = applyRunbookPatch(base[k], v);
    return out;
  }
  return patch;
}

/** Parses a patch's YAML (with its comments) into plain data. */
export function readPatch(yamlText: string): Json {
  const doc = parseDocument(yamlText);
  if (doc.errors.length) throw doc.errors[0];
  return doc.toJS();
}
