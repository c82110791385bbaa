import { REDACTED } from '../parsers/mask';
import { commandSecretTokens } from './commandRules';
import { isSecretName } from './secretNames';
import { secretlintRanges } from './secretlint';
import { replaceRanges, textSecretRanges } from './textRules';

/**
 * The one place that decides what of an uploaded document is secret. It runs over every string
 * (values and keys) of every document before anything is stored, in addition to the parsers'
 * masks of the fields their formats define as secret:
 *
 * - values whose field says they are secret: `password: x`, `{name: DB_PASSWORD, value: x}`
 *   (Kubernetes env, Argo `web.headers`), a Kubernetes Secret's `data`, `--password` followed by
 *   its value in an argument list;
 * - inside any string, what secretlint's recommended rules recognise by shape (cloud and SaaS
 *   tokens, private keys, credentials in URLs) and what a secret name announces (textRules);
 * - the same inside base64 strings (Grype's `source.target.config` is the image config in
 *   base64, Env included).
 *
 * The secret part becomes `REDACTED`; the rest of the string stays, so the document still reads.
 */

export interface MaskedDocument {
  doc: unknown;
  /** Whether anything was masked (the document differs from the upload). */
  masked: boolean;
}

type Container = Record<string, unknown> | unknown[];

/** How deep base64 inside base64 is opened. */
const MAX_BASE64_NESTING = 2;
/** Shorter base64 cannot hide a secret worth the decoding. */
const MIN_BASE64_LENGTH = 16;
/** Base64 JSON documents masked as documents per batch of strings; the rest as text. */
const MAX_BASE64_DOCUMENTS = 20;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const maskScalar = (value: unknown): unknown =>
  (typeof value === 'string' && value !== '' && value !== REDACTED) ||
  typeof value === 'number'
    ? REDACTED
    : value;

interface Walk {
  /** Every string value left to scan, with where it sits. */
  values: Array<{ holder: Container; key: string | number; text: string }>;
  /** Every object key, to scan as text too. */
  keys: Array<{ holder: Record<string, unknown>; key: string }>;
  changed: boolean;
}

function setValue(
  walk: Walk,
  holder: any,
  key: string | number,
  next: unknown,
) {
  if (holder[key] !== next) {
    holder[key] = next;
    walk.changed = true;
  }
}

/** Field-name rules, applied in place on a copy; collects every string left for the text rules. */
function walkStructure(root: Container, walk: Walk) {
  const stack: Container[] = [root];
  const visit = (holder: Container, key: string | number, value: unknown) => {
    if (typeof value === 'string')
      walk.values.push({ holder, key, text: value });
    else if (value && typeof value === 'object') stack.push(value as Container);
  };
  while (stack.length) {
    const node = stack.pop()!;
    if (Array.isArray(node)) {
      // `["mysql", "-p", "hunter2"]`, `["sshpass", "-phunter2", …]`: before the items are read.
      const tokens = node.map(item => (typeof item === 'string' ? item : ''));
      for (const { index, from } of commandSecretTokens(tokens)) {
        const item = tokens[index];
        setValue(
          walk,
          node,
          index,
          from === 0 ? maskScalar(item) : item.slice(0, from) + REDACTED,
        );
      }
      for (let i = 0; i < node.length; i++) {
        const item = node[i];
        // `--password`, `hunter2` as two arguments of a container's args or command.
        const flag =
          typeof item === 'string' && /^--?[A-Za-z][\w.-]{0,63}$/.test(item);
        const next = node[i + 1];
        if (
          flag &&
          isSecretName(item) &&
          typeof next === 'string' &&
          !next.startsWith('-')
        ) {
          visit(node, i, item);
          setValue(walk, node, i + 1, maskScalar(next));
          i++;
          continue;
        }
        visit(node, i, item);
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    // Kubernetes Secret: every value of data and stringData is secret, whatever its key.
    if (record.kind === 'Secret' && typeof record.apiVersion === 'string') {
      for (const field of ['data', 'stringData']) {
        const data = record[field];
        if (data && typeof data === 'object' && !Array.isArray(data)) {
          for (const k of Object.keys(data))
            setValue(walk, data, k, maskScalar((data as any)[k]));
        }
      }
    }
    // {name|key: <secret name>, value: …}: environment variables, HTTP headers, Helm values;
    // in any case (`{"Name": "DB_PASSWORD", "Value": …}` as Go and .NET tools write it).
    const pair = namedValueKey(record);
    if (pair !== undefined) {
      setValue(walk, record, pair, maskScalar(record[pair]));
    }
    for (const key of Object.keys(record)) {
      walk.keys.push({ holder: record, key });
      const value = record[key];
      if (isSecretName(key)) {
        if (Array.isArray(value)) {
          value.forEach((item, i) => {
            if (item && typeof item === 'object') stack.push(item as Container);
            else setValue(walk, value, i, maskScalar(item));
          });
        } else if (value && typeof value === 'object') {
          // An object under a secret name (`secretKeyRef: {name, key}`) is judged field by field.
          stack.push(value as Container);
        } else {
          setValue(walk, record, key, maskScalar(value));
        }
        continue;
      }
      visit(record, key, value);
    }
  }
}

/** The value key of a `{name|key: <secret name>, value: …}` pair (any case), or undefined. */
function namedValueKey(record: Record<string, unknown>): string | undefined {
  let valueKey: string | undefined;
  let secret = false;
  for (const key of Object.keys(record)) {
    const lower = key.length <= 5 ? key.toLowerCase() : '';
    if (lower === 'value') valueKey = key;
    else if (lower === 'name' || lower === 'key') {
      const name = record[key];
      secret ||= typeof name === 'string' && isSecretName(name);
    }
  }
  return secret ? valueKey : undefined;
}

/**
 * Base64 wrapped at a fixed width (`base64` writes 76 columns, PEM and many tools 64): lines of
 * one length, the last one shorter. The line class excludes the break, so matching is linear.
 */
const WRAPPED_BASE64 =
  /^(?:[A-Za-z0-9+/]{16,}\r?\n)+[A-Za-z0-9+/]*={0,2}\r?\n?$/;

/** The base64 of `text`, unwrapped when it is wrapped at a fixed width; undefined otherwise. */
function base64Of(text: string): string | undefined {
  if (BASE64.test(text)) return text;
  if (!text.includes('\n') || !WRAPPED_BASE64.test(text)) return undefined;
  const lines = text.split(/\r?\n/).filter(Boolean);
  const width = lines[0].length;
  const fixed = lines.every(
    (line, i) =>
      line.length === width || (i === lines.length - 1 && line.length < width),
  );
  return fixed ? lines.join('') : undefined;
}

function decodeBase64(text: string): string | undefined {
  const base64 = text.length < MIN_BASE64_LENGTH ? undefined : base64Of(text);
  if (base64 === undefined || base64.length % 4 !== 0) return undefined;
  const decoded = Buffer.from(base64, 'base64').toString('utf8');
  // Text only: binary (and invalid UTF-8, which decodes to U+FFFD) is not read as text.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(decoded)) return undefined;
  return decoded;
}

const toBase64 = (text: string) => Buffer.from(text).toString('base64');

/** A JSON object or array, or undefined. */
function jsonContainer(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Each of `texts` with its secrets masked (name rules, secretlint, then base64 content). All
 * texts go through one secretlint run, and all base64 contents through one more: a run costs
 * about a millisecond to set up, too much to pay per string of a large report. The first few
 * base64 JSON documents are masked as documents (field names count); any more, as text.
 */
export async function maskTexts(
  texts: string[],
  nesting = 0,
): Promise<string[]> {
  const shaped = await secretlintRanges(texts);
  const result = texts.map((text, i) =>
    replaceRanges(text, [...shaped[i], ...textSecretRanges(text)], REDACTED),
  );
  if (nesting >= MAX_BASE64_NESTING) return result;
  const documents: Array<[number, unknown]> = [];
  const plain: Array<[number, string]> = [];
  texts.forEach((text, i) => {
    if (result[i] !== text) return;
    const decoded = decodeBase64(text);
    if (decoded === undefined) return;
    const json =
      documents.length < MAX_BASE64_DOCUMENTS
        ? jsonContainer(decoded)
        : undefined;
    if (json) documents.push([i, json]);
    else plain.push([i, decoded]);
  });
  const maskedPlain = await maskTexts(
    plain.map(([, decoded]) => decoded),
    nesting + 1,
  );
  plain.forEach(([i, decoded], k) => {
    if (maskedPlain[k] !== decoded) result[i] = toBase64(maskedPlain[k]);
  });
  for (const [i, doc] of documents) {
    const masked = await maskAny(doc, nesting + 1);
    if (masked.masked) result[i] = toBase64(JSON.stringify(masked.doc));
  }
  return result;
}

async function maskAny(doc: unknown, nesting: number): Promise<MaskedDocument> {
  if (typeof doc === 'string') {
    const [masked] = await maskTexts([doc], nesting);
    return { doc: masked, masked: masked !== doc };
  }
  if (!doc || typeof doc !== 'object') return { doc, masked: false };
  const copy = structuredClone(doc) as Container;
  const walk: Walk = { values: [], keys: [], changed: false };
  walkStructure(copy, walk);

  const maskedValues = await maskTexts(
    walk.values.map(v => v.text),
    nesting,
  );
  walk.values.forEach(({ holder, key }, i) =>
    setValue(walk, holder, key, maskedValues[i]),
  );

  // A key that is itself a secret is renamed; the object keeps its order.
  const maskedKeys = await maskTexts(
    walk.keys.map(k => k.key),
    nesting,
  );
  const renamed = new Map<Record<string, unknown>, Map<string, string>>();
  walk.keys.forEach(({ holder, key }, i) => {
    if (maskedKeys[i] === key) return;
    if (!renamed.has(holder)) renamed.set(holder, new Map());
    renamed.get(holder)!.set(key, maskedKeys[i]);
  });
  for (const [holder, names] of renamed) {
    const entries = Object.entries(holder);
    for (const [key] of entries) delete holder[key];
    entries.forEach(([key, value], i) => {
      let name = names.get(key) ?? key;
      if (names.has(key) && name in holder) name = `${name}#${i}`;
      holder[name] = value;
    });
    walk.changed = true;
  }
  return { doc: copy, masked: walk.changed };
}

/**
 * A copy of `doc` with every secret masked, and whether anything was. The input is never
 * modified.
 */
export function maskDocument(doc: unknown): Promise<MaskedDocument> {
  return maskAny(doc, 0);
}
