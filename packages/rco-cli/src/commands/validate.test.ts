import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatProblem, runValidate, validateRunbookText } from './validate';

const examples = path.resolve(__dirname, '../../../../examples');
const v13File = path.join(examples, 'rco/runbook/rco-runbook.yaml');
const v13 = fs.readFileSync(v13File, 'utf8');
const lineOf = (text: string, line: string) =>
  text.split('\n').indexOf(line) + 1;

describe('validateRunbookText', () => {
  it.each(['rco/runbook/rco-runbook.yaml', 'rcot/runbook/rcot-runbook.yaml'])(
    'finds no problem in %s',
    file => {
      const full = path.join(examples, file);
      expect(validateRunbookText(full, fs.readFileSync(full, 'utf8'))).toEqual(
        [],
      );
    },
  );

  it('places schema problems on the line of their field', () => {
    const text = v13
      .replace('  status: approved', '  status: done')
      .replace('  rpo: PT5M', '  rpo: 5m');
    const problems = validateRunbookText('rb.yaml', text);
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'rb.yaml',
        path: 'metadata.status',
        line: lineOf(text, '  status: done'),
      }),
      expect.objectContaining({
        path: 'targets.rpo',
        line: lineOf(text, '  rpo: 5m'),
      }),
    ]);
  });

  it('places a missing field on its nearest ancestor', () => {
    const text = v13.replace('  rollbackDryRunMaxAge: P30D\n', '');
    const [problem] = validateRunbookText('rb.yaml', text);
    expect(problem).toMatchObject({
      path: 'targets.rollbackDryRunMaxAge',
      line: lineOf(text, 'targets:'),
    });
  });

  it('runs the lint on what the schema accepts', () => {
    const text = v13.replace(
      /(\n {2}- version: "1\.3\.0"\n {4}date: )"2025-10-09"/,
      '$1"2023-01-01"',
    );
    const problems = validateRunbookText('rb.yaml', text);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe('changelog[2].version');
    expect(problems[0].message).toContain(
      'the latest entry (2025-04-15) is version 1.2.0, but metadata.version is 1.3.0',
    );
    expect(problems[0].line).toBe(lineOf(text, '  - version: "1.2.0"'));
  });

  it('gives a YAML syntax error its own line', () => {
    const [problem] = validateRunbookText('rb.yaml', 'a: 1\nb: [1\nc: 2\n');
    expect(problem.path).toMatch(/^line \d+, column \d+$/);
    expect(problem.line).toBe(Number(/^line (\d+)/.exec(problem.path)![1]));
  });
});

describe('formatProblem', () => {
  const problem = {
    file: 'docs/rb.yaml',
    line: 7,
    path: 'sections[2].body',
    message: 'must not be empty',
  };

  it('prints file:line: path message', () => {
    expect(formatProblem(problem, 'text')).toEqual([
      'docs/rb.yaml:7: sections[2].body must not be empty',
    ]);
  });

  it('adds a GitHub workflow command, escaped', () => {
    const tricky = {
      ...problem,
      file: 'a,b:c.yaml',
      message: '100% wrong\nsecond line',
    };
    expect(formatProblem(tricky, 'github')[1]).toBe(
      '::error file=a%2Cb%3Ac.yaml,line=7,title=rco runbook validate::sections[2].body 100%25 wrong%0Asecond line',
    );
  });

  it('keeps the text line on one line whatever the file name and message hold', () => {
    const [text, annotation] = formatProblem(
      {
        ...problem,
        file: 'x\n::notice::f.yaml',
        message: 'm\r\n::warning::y',
      },
      'github',
    );
    expect(text).toBe(
      'x\\n::notice::f.yaml:7: sections[2].body m\\r\\n::warning::y',
    );
    expect(annotation).toBe(
      '::error file=x%0A%3A%3Anotice%3A%3Af.yaml,line=7,title=rco runbook validate::sections[2].body m%0D%0A::warning::y',
    );
  });

  it('does not repeat where a syntax error is', () => {
    expect(
      formatProblem(
        {
          file: 'x.yaml',
          line: 2,
          path: 'line 2, column 1',
          message: 'Flow sequence is not closed at line 2, column 1:',
        },
        'text',
      ),
    ).toEqual(['x.yaml:2: Flow sequence is not closed at line 2, column 1']);
  });
});

describe('runValidate', () => {
  it('exits 1 when any file has problems, 0 otherwise', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-validate-'));
    try {
      const bad = path.join(tmp, 'bad.yaml');
      fs.writeFileSync(bad, v13.replace('kind: Runbook', 'kind: Playbook'));
      const out: string[] = [];
      const err: string[] = [];
      expect(
        runValidate(
          [v13File],
          {},
          l => out.push(l),
          l => err.push(l),
        ),
      ).toBe(0);
      expect(out).toEqual([`${v13File}: valid runbook`]);
      out.length = 0;
      expect(
        runValidate(
          [v13File, bad],
          {},
          l => out.push(l),
          l => err.push(l),
        ),
      ).toBe(1);
      expect(out[1]).toMatch(
        new RegExp(`^${bad}:2: kind Invalid literal value, expected "Runbook"`),
      );
      expect(err).toEqual(['1 of 2 runbook files has problems.']);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
