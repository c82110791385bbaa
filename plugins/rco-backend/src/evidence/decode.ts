import { InputError } from '@backstage/errors';
import { Composer, Document, LineCounter, Parser, YAMLError } from 'yaml';

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

/** Line and column (1-based) of a character offset. */
function lineAndColumn(text: string, position: number) {
  const before = text.slice(0, position).split('\n');
  return `line ${before.length}, column ${
    before[before.length - 1].length + 1
  }`;
}

/**
 * Where V8 failed on a JSON text. Most of its messages end "at position N"; "Unexpected token"
 * quotes the text around the position instead (ten characters either side, "..." where cut).
 */
function jsonErrorPosition(text: string, message: string): number | undefined {
  const at = /at position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  if (/^Unexpected end of JSON input/.test(message))
    return text.trimEnd().length;
  const quoted =
    /^Unexpected token '([^]*?)', (\.\.\.)?"([^]*)"(?:\.\.\.)? is not valid JSON$/.exec(
      message,
    );
  if (!quoted) return undefined;
  const [, token, cut, context] = quoted;
  if (cut) {
    for (
      let i = text.indexOf(context);
      i >= 0;
      i = text.indexOf(context, i + 1)
    ) {
      if (text.startsWith(token, i + 10)) return i + 10;
    }
    return undefined;
  }
  // Near the start: the shortest prefix that fails on this token ends just after it.
  for (let k = 1; k <= Math.min(text.length, context.length); k++) {
    try {
      JSON.parse(text.slice(0, k));
    } catch (error) {
      if (/^Unexpected token/.test((error as Error).message)) return k - 1;
    }
  }
  return undefined;
}

/** What went wrong, in words of our own: V8's messages may quote the input. */
const JSON_PROBLEMS: Array<[RegExp, string]> = [
  [/^Unexpected end of JSON input/, 'the document ends too early'],
  [/^Unterminated string/, 'a string is not closed'],
  [/^Bad control character/, 'a string holds a control character'],
  [
    /^Bad (escaped character|Unicode escape)/,
    'a string holds an invalid escape',
  ],
  [
    /^Unexpected non-whitespace character after JSON/,
    'there is more after the document',
  ],
  [
    /^Expected property name|^Expected double-quoted property name/,
    'a property name is missing or not in double quotes',
  ],
  [/^Expected ':'/, "a ':' is missing after a property name"],
  [/^Expected ',' or '}'/, "a ',' or '}' is missing after a property value"],
  [/^Expected ',' or ']'/, "a ',' or ']' is missing after an array element"],
  [
    /^No number after minus sign|^Exponent part is missing|^Unterminated fractional number/,
    'a number is malformed',
  ],
];

/**
 * "Invalid JSON at line 3, column 12: a string is not closed". Never any part of the input: a
 * malformed upload may be malformed right at a secret, and the message reaches the caller and
 * the audit log.
 */
export function jsonError(
  text: string,
  error: Error,
  prefix: string,
): InputError {
  const message = error.message ?? '';
  const problem =
    JSON_PROBLEMS.find(([pattern]) => pattern.test(message))?.[1] ??
    'unexpected character';
  const position = jsonErrorPosition(text, message);
  const where =
    position === undefined ? '' : ` at ${lineAndColumn(text, position)}`;
  return new InputError(`${prefix}${where}: ${problem}`);
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
    if (items.length > MAX_DOCUMENTS) throw tooMany();
    return items.length === 1 && items[0] === doc
      ? [{ doc, text, format: 'json' }]
      : items.map(item => ({ doc: item, format: 'json' as const }));
  } catch (error) {
    if (error instanceof InputError) throw error;
    // Not one JSON value: maybe NDJSON (one JSON object per line, as trufflehog writes).
    const lines = text.split('\n').filter(line => line.trim());
    if (lines.length > 1 && lines.every(line => line.trim().startsWith('{'))) {
      if (lines.length > MAX_DOCUMENTS) throw tooMany();
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

/** A YAML error in words of our own (its code), with where it is: its message may quote the input. */
function yamlError(error: YAMLError, lines: LineCounter): InputError {
  const { line, col } = lines.linePos(error.pos[0]);
  const problem = error.code.toLowerCase().replace(/_/g, ' ');
  return new InputError(
    `Invalid YAML at line ${line}, column ${col}: ${problem}`,
  );
}

/** The `items` of a Kubernetes List document, counted on the syntax tree before it is built. */
function listItemCount(document: Document.Parsed): number {
  const contents = document.contents as any;
  const items = contents?.get?.('items', true);
  return typeof contents?.get === 'function' &&
    /List$/.test(String(contents.get('kind') ?? '')) &&
    Array.isArray(items?.items)
    ? items.items.length
    : 0;
}

/** Counted lazily: the count stops one past the limit, so the message does not say how many. */
function tooMany(): InputError {
  return new InputError(
    `The upload holds more than ${MAX_DOCUMENTS} documents (or list items); at most ${MAX_DOCUMENTS} are accepted at once`,
  );
}

/**
 * YAML documents composed one at a time (the yaml package's parser and composer are
 * generators), so a body of a million `---` documents stops at the limit instead of building
 * them all; a Kubernetes List's items are counted before the list is built.
 */
export function* composeYamlDocuments(text: string, lines: LineCounter) {
  const parser = new Parser(lines.addNewLine);
  // Plain data only: the core schema whatever a `%YAML 1.1` directive says, and no YAML 1.1
  // tags (!!binary, !!omap, !!set): they build values (bytes, Maps, Sets) that the secret
  // masker cannot read, so a secret behind one would be stored. A tag is refused (below).
  const composer = new Composer({
    prettyErrors: false,
    schema: 'core',
    resolveKnownTags: false,
  });
  yield* composer.compose(parser.parse(text));
}

function decodeYaml(text: string): DecodedDocument[] {
  const lines = new LineCounter();
  const decoded: unknown[] = [];
  let composed = 0;
  try {
    for (const document of composeYamlDocuments(text, lines)) {
      if (++composed > MAX_DOCUMENTS) throw tooMany();
      const [first] = document.errors;
      if (first) throw yamlError(first, lines);
      const unknownTag = document.warnings.find(
        w => w.code === 'TAG_RESOLVE_FAILED',
      );
      if (unknownTag) throw yamlError(unknownTag, lines);
      if (decoded.length + listItemCount(document) > MAX_DOCUMENTS) {
        throw tooMany();
      }
      let value: unknown;
      try {
        // The alias budget stops "billion laughs" documents before they expand.
        value = document.toJS({ maxAliasCount: MAX_YAML_ALIASES });
      } catch (error) {
        throw new InputError(
          /alias/i.test((error as Error).message)
            ? 'Rejected YAML: too many or unresolved aliases'
            : 'Rejected YAML: the document could not be built',
        );
      }
      if (value === null || value === undefined) continue;
      checkDepth(value, 'The document');
      decoded.push(...splitLists(value));
      if (decoded.length > MAX_DOCUMENTS) throw tooMany();
    }
  } catch (error) {
    if (error instanceof InputError || error instanceof RangeError) throw error;
    // The parser does not throw on bad input (it records errors); anything else is ours.
    throw new InputError('Invalid YAML: the document could not be read');
  }
  if (decoded.length === 1 && composed === 1) {
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
  if (documents.length > MAX_DOCUMENTS) throw tooMany();
  return documents;
}
