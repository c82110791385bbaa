import {
  lintRunbook,
  parseRunbook,
  RunbookProblem,
} from '@helix-portal/plugin-rco-common';
import fs from 'node:fs';
import { oneLine } from '../lib/errors';
import { createLocator } from '../lib/locate';

export interface LocatedProblem extends RunbookProblem {
  file: string;
  line: number;
}

/** The problems of one runbook file: the backend's schema first, then the lint rules. */
export function validateRunbookText(
  file: string,
  text: string,
): LocatedProblem[] {
  const result = parseRunbook(text);
  const problems = result.ok ? lintRunbook(result.runbook) : result.problems;
  if (problems.length === 0) return [];
  const locate = createLocator(text);
  return problems.map(p => ({ ...p, file, line: locate(p.path) }));
}

/** `file:line: path message`, the form CI annotates; GitHub also gets its workflow command. */
export function formatProblem(
  p: LocatedProblem,
  format: 'text' | 'github',
): string[] {
  // A YAML syntax error's message already says where it is; a schema problem names its field.
  const message = p.path.startsWith('line ')
    ? p.message.replace(/:\s*$/, '')
    : `${p.path} ${p.message}`;
  // The text line is one line whatever the file name or message hold (see neutralise).
  const lines = [`${oneLine(p.file)}:${p.line}: ${oneLine(message)}`];
  if (format === 'github') {
    // Workflow commands end at a newline and treat % specially: both are escaped.
    const escape = (s: string) =>
      s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    const prop = (s: string) =>
      escape(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
    lines.push(
      `::error file=${prop(p.file)},line=${
        p.line
      },title=rco runbook validate::${escape(message)}`,
    );
  }
  return lines;
}

/** `rco runbook validate <file>…`: exit 0 when every file is valid, 1 otherwise. */
export function runValidate(
  files: string[],
  options: { format?: string },
  out: (line: string) => void,
  err: (line: string) => void,
  /** Where the `::error` annotations go: the one channel allowed to start a workflow command. */
  annotate: (line: string) => void = out,
): number {
  const format = options.format === 'github' ? 'github' : 'text';
  let failed = 0;
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      err(
        `${file}:1: cannot be read (${
          (error as NodeJS.ErrnoException).code ?? 'error'
        }): check the path.`,
      );
      failed++;
      continue;
    }
    const problems = validateRunbookText(file, text);
    if (problems.length === 0) {
      out(`${file}: valid runbook`);
      continue;
    }
    failed++;
    for (const p of problems) {
      const [line, ...annotations] = formatProblem(p, format);
      out(line);
      annotations.forEach(annotate);
    }
  }
  if (failed > 0) {
    err(
      `${failed} of ${files.length} runbook file${
        files.length === 1 ? '' : 's'
      } ha${failed === 1 ? 's' : 've'} problems.`,
    );
  }
  return failed > 0 ? 1 : 0;
}
