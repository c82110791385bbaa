import fs from 'node:fs';
import path from 'node:path';
import { lintRunbook } from './lint';
import { parseRunbook } from './parse';
import { Runbook } from './schema';

const examples = path.resolve(__dirname, '../../../../examples');
function load(file: string): Runbook {
  const result = parseRunbook(
    fs.readFileSync(path.join(examples, file), 'utf8'),
  );
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.runbook;
}
const good = load('rco/runbook/rco-runbook.yaml');

describe('lintRunbook', () => {
  it.each(['rco/runbook/rco-runbook.yaml', 'rcot/runbook/rcot-runbook.yaml'])(
    'finds nothing wrong in the example %s',
    file => {
      expect(lintRunbook(load(file))).toEqual([]);
    },
  );

  it('names the four gates the v1.2 runbook predates (its checklist lists six of ten)', () => {
    const problems = lintRunbook(load('rco/runbook/rco-runbook-v1.2.yaml'));
    expect(problems.map(p => p.path)).toEqual(Array(4).fill('gateChecklist'));
    expect(problems.map(p => /gate "([a-z-]+)"/.exec(p.message)?.[1])).toEqual([
      'acronym-clarity',
      'documentation-completeness',
      'rto-rpo-verification',
      'dpo-signoff',
    ]);
  });

  const cases: Array<{
    name: string;
    change: (r: Runbook) => void;
    path: string;
    message: RegExp;
  }> = [
    {
      name: 'a section that only holds TODO',
      change: r => {
        r.sections[4].body = '  TODO\n';
      },
      path: 'sections[4].body',
      message: /placeholder \("TODO"\).*Deployment Procedure/,
    },
    {
      name: 'a section body of "..."',
      change: r => {
        r.sections[15].body = '...';
      },
      path: 'sections[15].body',
      message: /placeholder/,
    },
    {
      name: 'an extra section reusing a number',
      change: r => {
        r.sections.push({
          id: 'appendix-b',
          number: 3,
          title: 'Appendix B',
          body: 'More.',
        });
      },
      path: 'sections[16].number',
      message:
        /number 3 is already used by section "roles-and-responsibilities"/,
    },
    {
      name: 'a gate without a checklist item',
      change: r => {
        r.gateChecklist = r.gateChecklist.filter(i => i.gate !== 'dpo-signoff');
      },
      path: 'gateChecklist',
      message: /no item for gate "dpo-signoff" \(DPO Sign-off\)/,
    },
    {
      name: 'a maximum age that loosens the gate',
      change: r => {
        r.gateChecklist[3].maxAge = 'P60D';
      },
      path: 'gateChecklist[3].maxAge',
      message: /P60D is longer than the gate's default P7D/,
    },
    {
      name: 'a zero maximum age',
      change: r => {
        r.gateChecklist[0].maxAge = 'PT0S';
      },
      path: 'gateChecklist[0].maxAge',
      message: /longer than zero/,
    },
    {
      name: 'a zero RTO',
      change: r => {
        r.targets.rto = 'PT0M';
      },
      path: 'targets.rto',
      message: /PT0M must be a duration longer than zero/,
    },
    {
      name: 'a latest changelog entry for another version',
      change: r => {
        r.changelog.push({
          version: '1.4.0',
          date: '2026-01-01',
          changes: ['Next'],
        });
      },
      path: 'changelog[4].version',
      message:
        /latest entry \(2026-01-01\) is version 1.4.0, but metadata.version is 1.3.0/,
    },
    {
      name: 'a changelog date that is no calendar date',
      change: r => {
        r.changelog[0].date = '2024-02-31';
      },
      path: 'changelog[0].date',
      message: /not a real calendar date/,
    },
    {
      name: 'a version with two entries',
      change: r => {
        r.changelog.unshift({ ...r.changelog[0], date: '2023-01-01' });
      },
      path: 'changelog[1].version',
      message: /version 1.0.0 has two entries/,
    },
  ];

  it.each(cases)('reports $name at $path', ({ change, path: at, message }) => {
    const runbook = structuredClone(good);
    change(runbook);
    const problems = lintRunbook(runbook);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe(at);
    expect(problems[0].message).toMatch(message);
  });

  it('takes the later of two entries on the same date as the latest', () => {
    const runbook = structuredClone(good);
    const last = runbook.changelog[runbook.changelog.length - 1];
    runbook.changelog.splice(runbook.changelog.length - 1, 0, {
      version: '1.2.9',
      date: last.date,
      changes: ['Same day'],
    });
    expect(lintRunbook(runbook)).toEqual([]);
  });
});
