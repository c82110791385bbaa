import { InputError } from '@backstage/errors';
import { parseAllDocuments } from 'yaml';

/** Limits that keep hostile documents from hurting the process. */
export const MAX_NESTING_DEPTH = 64;
/** More documents than this in one upload is not a tool's output but a bulk load. */
export const MAX_DOCUMENTS = 500;
const MAX_YAML_ALIASES = 100;

/** One document found in an upload, with the bytes it came from when it was the whole body. */
export interface DecodedDocument {
  doc: unknown;
  /** The uploaded text, when this document is the entire body (so it can be kept verbatim). */
  text?: string;
  format: 'json' | 'ndjson' | 'yaml';
}

/** Depth of nested arrays and objects, measured without recursion. */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node && typeof node === 'object') {
      if (depth > max) max = depth;
      if (depth > MAX_NESTING_DEPTH) return depth;
      for (const child of Object.values(node as object)) {
        stack.push([child, depth + 1]);
      }
    }
  }
  return max;
}

/** Cheap pre-scan of bracket depth, so JSON.parse never recurses into an absurd document. */
function bracketDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) max = depth;
      if (max > MAX_NESTING_DEPTH) return max;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

function checkDepth(value: unknown, where: string) {
  if (depthOf(value) > MAX_NESTING_DEPTH) {
    throw new InputError(
      `${where} is nested deeper than ${MAX_NESTING_DEPTH} levels`,
    );
  }
}

/** "Unexpected token } in JSON at position 42" → with line and column added. */
function jsonError(text: string, error: Error, prefix: string): InputError {
  // Node quotes a piece of the input ("…" is not valid JSON), which may be part of a secret.
  error.message = error.message.replace(
    /, "[^]*" is not valid JSON$/,
    ' is not valid JSON',
  );
  const match = /position (\d+)/.exec(error.message);
  if (match) {
    const position = Number(match[1]);
    const before = text.slice(0, position).split('\n');
    return new InputError(
      `${prefix}: ${error.message.split('\n')[0]} (line ${
        before.length
      }, column ${before[before.length - 1].length + 1})`,
    );
  }
  return new InputError(`${prefix}: ${error.message.split('\n')[0]}`);
}

/** Kubernetes `List` (and `kubectl get -o json` lists such as `PodList`) become their items. */
function splitLists(doc: unknown): unknown[] {
  if (
    doc &&
    typeof doc === 'object' &&
    !Array.isArray(doc) &&
    typeof (doc as any).apiVersion === 'string' &&
    typeof (doc as any).kind === 'string' &&
    /List$/.test((doc as any).kind) &&
    Array.isArray((doc as any).items)
  ) {
    return (doc as any).items;
  }
  return [doc];
}

function decodeJson(text: string): DecodedDocument[] {
  try {
    const doc = JSON.parse(text);
    checkDepth(doc, 'The document');
    const items = splitLists(doc);
    return items.length === 1 && items[0] === doc
      ? [{ doc, text, format: 'json' }]
      : items.map(item => ({ doc: item, format: 'json' as const }));
  } catch (error) {
    if (error instanceof InputError) throw error;
    // Not one JSON value: maybe NDJSON (one JSON object per line, as trufflehog writes).
    const lines = text.split('\n').filter(line => line.trim());
    if (lines.length > 1 && lines.every(line => line.trim().startsWith('{'))) {
      const docs = lines.map((line, index) => {
        try {
          return JSON.parse(line);
        } catch (lineError) {
          throw jsonError(
            line,
            lineError as Error,
            `NDJSON line ${index + 1} is not valid JSON`,
          );
        }
      });
      checkDepth(docs, 'The document');
      return [{ doc: docs, text, format: 'ndjson' }];
    }
    throw jsonError(text, error as Error, 'Invalid JSON');
  }
}

function decodeYaml(text: string): DecodedDocument[] {
  let documents;
  try {
    documents = parseAllDocuments(text, { prettyErrors: true });
  } catch (error) {
    throw new InputError(`Invalid YAML: ${(error as Error).message}`);
  }
  const list = Array.isArray(documents) ? documents : [documents];
  const decoded: unknown[] = [];
  for (const document of list) {
    const [first] = document.errors;
    if (first) {
      const pos = first.linePos?.[0];
      throw new InputError(
        `Invalid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${
          first.message.split('\n')[0]
        }`,
      );
    }
    let value: unknown;
    try {
      // The alias budget stops "billion laughs" documents before they expand.
      value = document.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    } catch (error) {
      throw new InputError(`Rejected YAML: ${(error as Error).message}`);
    }
    if (value === null || value === undefined) continue;
    checkDepth(value, 'The document');
    decoded.push(...splitLists(value));
  }
  if (decoded.length === 1 && list.length === 1) {
    return [{ doc: decoded[0], text, format: 'yaml' }];
  }
  return decoded.map(doc => ({ doc, format: 'yaml' as const }));
}

/**
 * Turns an upload body into documents: JSON, NDJSON or YAML (several `---` documents allowed),
 * Kubernetes lists split into their items. Throws an `InputError` that says what is wrong and
 * where; nothing is half-decoded.
 */
export function decodeEvidenceBody(body: Buffer | string): DecodedDocument[] {
  // A byte-order mark is legal in a file but not in JSON.
  const text = (
    typeof body === 'string' ? body : body.toString('utf8')
  ).replace(/^\uFEFF/, '');
  if (!text.trim()) {
    throw new InputError(
      'The request body is empty: send the tool output (JSON, YAML or NDJSON) as the body',
    );
  }
  const trimmed = text.trimStart();
  if (bracketDepth(trimmed) > MAX_NESTING_DEPTH) {
    throw new InputError(
      `The document is nested deeper than ${MAX_NESTING_DEPTH} levels`,
    );
  }
  let documents: DecodedDocument[];
  try {
    documents =
      trimmed.startsWith('{') || trimmed.startsWith('[')
        ? decodeJson(text)
        : decodeYaml(text);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new InputError('The document is too deeply nested to read');
    }
    throw error;
  }
  if (documents.length === 0) {
    throw new InputError('The request body holds no document');
  }
  if (documents.length > MAX_DOCUMENTS) {
    throw new InputError(
      `The upload holds ${documents.length} documents; at most ${MAX_DOCUMENTS} are accepted at once`,
    );
  }
  return documents;
}
