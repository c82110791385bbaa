import {
  parseRunbook,
  ReleaseReviewView,
  Runbook,
} from '@helix-portal/plugin-rco-common';
import fs from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import {
  applyRunbookPatch,
  nextPatchVersion,
  oneLine,
  proposeRunbookChange,
  readPatch,
} from './runbookProposal';

const text = fs.readFileSync(
  path.resolve(
    __dirname,
    '../../../../../examples/rco/runbook/rco-runbook.yaml',
  ),
  'utf8',
);
const parsed = parseRunbook(text);
if (!parsed.ok) throw new Error('the example runbook does not parse');
const runbook: Runbook = parsed.runbook;

const review = (over: Partial<ReleaseReviewView> = {}): ReleaseReviewView => ({
  id: 'rev-1',
  entityRef: 'component:default/rco',
  operationId: 'op-1',
  operationType: 'deploy',
  environment: 'production',
  release: { version: '1.5.0', digest: `sha256:${'c'.repeat(64)}` },
  result: 'with-deviations',
  summary: 'Deployed **1.5.0** in 14 minutes.\n\nSecond paragraph.',
  deviations: '- The canary paused twice at 20 %: `pause` had no duration.',
  lessons: '## Lessons\nGive every canary pause a duration.',
  author: 'user:default/alice',
  createdAt: '2026-11-30T10:00:00.000Z',
  ledgerSeq: 42,
  ...over,
});
const URL = 'http://localhost:7007/api/rco/operations/op-1';

describe('nextPatchVersion', () => {
  it.each([
    ['1.3.0', [], '1.3.1'],
    ['1.3', [], '1.3.1'],
    ['1.4.0-rc.1', [], '1.4.0'],
    ['1.3.0', ['1.3.1', '1.3.2'], '1.3.3'],
  ])('%s (taken %j) → %s', (version, taken, next) => {
    expect(nextPatchVersion(version, taken)).toBe(next);
  });
  it('refuses what is not a version', () => {
    expect(() => nextPatchVersion('latest')).toThrow(/Not a runbook version/);
  });
});

describe('oneLine', () => {
  it('keeps the first paragraph as plain text, cut at the limit', () => {
    expect(oneLine('## Title\n**bold** [link](http://x) `code`\n\nmore')).toBe(
      'Title bold link code',
    );
    expect(oneLine('x'.repeat(300), 20)).toHaveLength(20);
  });
});

describe('proposeRunbookChange', () => {
  it('bumps the patch version and summarises the review in a changelog entry linking the operation', () => {
    const p = proposeRunbookChange(review(), runbook, '2026-11-30', URL);
    expect(p).toMatchObject({ baseVersion: '1.3.0', nextVersion: '1.3.1' });
    const [entry] = parse(p.changelogEntry);
    expect(entry).toEqual({
      version: '1.3.1',
      date: '2026-11-30',
      changes: [
        `Review of the deploy of 1.5.0 to production (with deviations): Deployed 1.5.0 in 14 minutes. (${URL})`,
        'Deviations recorded: The canary paused twice at 20 %: pause had no duration.',
        'Lessons learned: Lessons Give every canary pause a duration.',
      ],
    });
  });

  it('gives a patch that, merged into the runbook, still parses, with the review in the deployment section', () => {
    const p = proposeRunbookChange(review(), runbook, '2026-11-30', URL);
    expect(p.patch).toMatch(/^# Proposed change of "RCO Integration/);
    const merged = applyRunbookPatch(parse(text), readPatch(p.patch));
    const again = parseRunbook(stringify(merged));
    if (!again.ok) throw new Error(JSON.stringify(again.problems));
    const doc = again.runbook;
    expect(doc.metadata.version).toBe('1.3.1');
    expect(doc.metadata.date).toBe('2026-11-30');
    // Nothing else of the metadata changes (the periodic review is not this review).
    expect(doc.metadata.lastReviewed).toBe(runbook.metadata.lastReviewed);
    expect(doc.changelog.map(c => c.version)).toEqual([
      '1.0.0',
      '1.1.0',
      '1.2.0',
      '1.3.0',
      '1.3.1',
    ]);
    expect(doc.sections.map(s => s.id)).toEqual(
      runbook.sections.map(s => s.id),
    );
    const section = doc.sections.find(s => s.id === 'deployment-procedure')!;
    const before = runbook.sections.find(s => s.id === 'deployment-procedure')!;
    expect(section.body.startsWith(before.body.trimEnd())).toBe(true);
    expect(section.body).toContain('### Lessons from production deploys');
    expect(section.body).toContain('Give every canary pause a duration.');
    expect(section.body).toContain(URL);
    expect(section.title).toBe(before.title);
  });

  it('puts a rollback review under incident response, and a second review under the same heading', () => {
    const first = proposeRunbookChange(
      review({
        operationType: 'rollback',
        result: 'as-planned',
        deviations: '',
      }),
      runbook,
      '2026-11-30',
      URL,
    );
    const once = parseRunbook(
      stringify(applyRunbookPatch(parse(text), readPatch(first.patch))),
    );
    if (!once.ok) throw new Error(JSON.stringify(once.problems));
    const second = proposeRunbookChange(
      review({ id: 'rev-2', operationType: 'rollback', result: 'failed' }),
      once.runbook,
      '2026-12-01',
      URL,
    );
    expect(second).toMatchObject({
      baseVersion: '1.3.1',
      nextVersion: '1.3.2',
    });
    const twice = parseRunbook(
      stringify(
        applyRunbookPatch(
          parse(stringify(once.runbook)),
          readPatch(second.patch),
        ),
      ),
    );
    if (!twice.ok) throw new Error(JSON.stringify(twice.problems));
    const body = twice.runbook.sections.find(
      s => s.id === 'incident-response-rollback',
    )!.body;
    expect(body.match(/### Lessons from production rollbacks/g)).toHaveLength(
      1,
    );
    expect(body).toContain(
      '2026-11-30: rollback of 1.5.0 to production, as planned',
    );
    expect(body).toContain(
      '2026-12-01: rollback of 1.5.0 to production, failed',
    );
    expect(first.changelogEntry).not.toContain('Deviations recorded');
  });
});

describe('applyRunbookPatch', () => {
  it('merges maps, lists of maps by id (appending new ids), and replaces other lists', () => {
    expect(
      applyRunbookPatch(
        { a: { b: 1, c: 2 }, s: [{ id: 'x', v: 1, w: 1 }], l: [1, 2] },
        {
          a: { c: 3 },
          s: [
            { id: 'x', v: 2 },
            { id: 'y', v: 1 },
          ],
          l: [3],
        },
      ),
    ).toEqual({
      a: { b: 1, c: 3 },
      s: [
        { id: 'x', v: 2, w: 1 },
        { id: 'y', v: 1 },
      ],
      l: [3],
    });
  });
});
