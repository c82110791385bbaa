import { parseDocument } from 'yaml';
import { ZodError } from 'zod';
import { Runbook, runbookSchema } from './schema';

/**
 * One problem found in a runbook document, with the field it concerns (`sections[3].body`)
 * or the line and column of a YAML syntax error.
 *
 * @public
 */
export interface RunbookProblem {
  path: string;
  message: string;
}

/** @public */
export type RunbookParseResult =
  | { ok: true; runbook: Runbook }
  | { ok: false; problems: RunbookProblem[] };

/**
 * Runbooks are hand-written prose: anything larger is a mistake or an attack.
 *
 * @public
 */
export const MAX_RUNBOOK_BYTES = 2 * 1024 * 1024;

function formatPath(path: ReadonlyArray<string | number>): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${key}` : key;
  }, '');
}

/**
 * Turns the schema's issues into problems a person can act on, naming the field.
 *
 * @public
 */
export function describeZodError(error: ZodError): RunbookProblem[] {
  return error.issues.map(issue => ({
    path: formatPath(issue.path) || '(document)',
    message: issue.message,
  }));
}

/**
 * Parses and validates a runbook document written in YAML (or JSON, which is YAML).
 * Never throws: every problem is returned so the caller can show it next to the last good
 * version.
 *
 * @public
 */
export function parseRunbook(text: string): RunbookParseResult {
  if (new TextEncoder().encode(text).length > MAX_RUNBOOK_BYTES) {
    return {
      ok: false,
      problems: [
        {
          path: '(document)',
          message: `is larger than ${MAX_RUNBOOK_BYTES} bytes`,
        },
      ],
    };
  }
  // A small alias budget stops "billion laughs" documents before they expand; runbooks need
  // aliases rarely if ever.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map(e => ({
        path: e.linePos?.[0]
          ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}`
          : '(document)',
        message: e.message.split('\n')[0],
      })),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    return {
      ok: false,
      problems: [{ path: '(document)', message: (e as Error).message }],
    };
  }
  const result = runbookSchema.safeParse(data);
  if (!result.success) {
    return { ok: false, problems: describeZodError(result.error) };
  }
  return { ok: true, runbook: result.data };
}
