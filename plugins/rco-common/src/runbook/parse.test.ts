import fs from 'node:fs';
import path from 'node:path';
import { GATE_IDS, REQUIRED_SECTIONS } from '../catalogue';
import { parseRunbook } from './parse';

const examples = path.resolve(__dirname, '../../../../examples');
const read = (file: string) =>
  fs.readFileSync(path.join(examples, file), 'utf8');
const v13 = read('rco/runbook/rco-runbook.yaml');

function problemsOf(text: string) {
  const result = parseRunbook(text);
  if (result.ok) {
    throw new Error('expected the document to be rejected');
  }
  return result.problems;
}

describe('parseRunbook', () => {
  it.each([
    'rco/runbook/rco-runbook.yaml',
    'rco/runbook/rco-runbook-v1.2.yaml',
    'rcot/runbook/rcot-runbook.yaml',
  ])('accepts the example runbook %s with all 16 sections', file => {
    const result = parseRunbook(read(file));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.runbook.sections.map(s => s.id)).toEqual(
      REQUIRED_SECTIONS.map(s => s.id),
    );
  });

  it('reads the RCO v1.3 targets, glossary, checklist and changelog', () => {
    const result = parseRunbook(v13);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const { runbook } = result;
    expect(runbook.metadata.version).toBe('1.3.0');
    expect(runbook.targets).toEqual({
      rto: 'PT15M',
      rpo: 'PT5M',
      rollbackDryRunMaxAge: 'P30D',
    });
    expect(runbook.gateChecklist.map(g => g.gate)).toEqual([...GATE_IDS]);
    const rco = runbook.glossary.find(g => g.term === 'RCO');
    expect(rco?.distinctFrom).toContain('RCOT');
    expect(runbook.changelog.map(c => c.version)).toEqual([
      '1.0.0',
      '1.1.0',
      '1.2.0',
      '1.3.0',
    ]);
    expect(runbook.signOffRoles.map(r => r.role).sort()).toEqual([
      'dpo',
      'po',
      'security',
    ]);
  });

  it('names a missing required section', () => {
    const withoutGlossary = v13.replace(
      '  - id: glossary\n',
      '  - id: words\n',
    );
    const problems = problemsOf(withoutGlossary);
    expect(problems).toContainEqual({
      path: 'sections',
      message: 'required section 14 "Glossary" (id glossary) is missing',
    });
  });

  it('names a field of the wrong type', () => {
    const problems = problemsOf(v13.replace('  rto: PT15M', '  rto: 15'));
    expect(problems).toContainEqual({
      path: 'targets.rto',
      message: 'Expected string, received number',
    });
  });

  it('rejects a duration that is not ISO 8601', () => {
    const problems = problemsOf(
      v13.replace('  rpo: PT5M', '  rpo: five minutes'),
    );
    expect(problems[0].path).toBe('targets.rpo');
    expect(problems[0].message).toMatch(/ISO 8601/);
  });

  it('rejects an empty section and an unknown field', () => {
    const empty = problemsOf(
      v13.replace(
        /( {2}- id: scope-and-objectives\n {4}number: 1\n {4}title: [^\n]*\n {4}body: )/,
        '$1""\n    oldBody: ',
      ),
    );
    expect(empty.map(p => p.path)).toEqual(
      expect.arrayContaining(['sections[0].body', 'sections[0]']),
    );
  });

  it('rejects a checklist item that points at a section the runbook lacks', () => {
    const problems = problemsOf(
      v13.replace('    section: glossary\n', '    section: nowhere\n'),
    );
    expect(problems.some(p => /nowhere/.test(p.message))).toBe(true);
  });

  it('reports invalid YAML with its line and column', () => {
    const problems = problemsOf(
      'apiVersion: rco.helix.dev/v1\nkind: [Runbook\n',
    );
    expect(problems[0].path).toMatch(/^line \d+, column \d+$/);
  });

  it('rejects a YAML alias bomb without expanding it', () => {
    const bomb = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
      'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
      'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
    ].join('\n');
    const problems = problemsOf(bomb);
    expect(problems[0].message).toMatch(/alias/i);
  });

  it('rejects documents that are not runbooks and oversized documents', () => {
    expect(problemsOf('')[0].path).toBe('(document)');
    expect(problemsOf('kind: Component\n').map(p => p.path)).toContain('kind');
    expect(problemsOf(`# ${'x'.repeat(3 * 1024 * 1024)}`)[0].message).toMatch(
      /larger than/,
    );
  });
});
