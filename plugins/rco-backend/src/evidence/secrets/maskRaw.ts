import { stringify as toYaml } from 'yaml';
import { maskTexts } from './maskDocument';

/**
 * Whether the text of an upload holds anything the masker would mask, beyond what its parsed
 * value shows. The parsed value is not all of the text: YAML comments and directives are
 * dropped, and of a JSON key written twice only the last value is kept, so a secret there is
 * invisible to maskDocument yet would be stored if the upload were kept byte for byte.
 *
 * The whole text goes through the same text masker (secretlint and the text rules). JSON
 * strings written with escapes (`"\u0041KIA…"`, a key `"db\u0050assword"`) do not show their
 * content in the text, so the text is scanned a second time with those strings decoded, and
 * each of them on its own (the rules for a whole string, such as `NAME=value`).
 */

/** A JSON string literal; the two alternatives exclude each other, so matching is linear. */
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

function decodeString(literal: string): string | undefined {
  try {
    return JSON.parse(literal);
  } catch {
    // Not a string literal of the document (it parsed, so this cannot happen).
    return undefined;
  }
}

/** The text with its escaped strings decoded, and those strings. */
function unescapedJson(text: string): string[] {
  if (!text.includes('\\')) return [];
  const strings: string[] = [];
  const decodedText = text.replace(JSON_STRING, literal => {
    if (!literal.includes('\\')) return literal;
    const decoded = decodeString(literal);
    if (decoded === undefined) return literal;
    strings.push(decoded);
    return `"${decoded}"`;
  });
  return [decodedText, ...strings];
}

export async function rawTextHoldsSecret(
  text: string,
  format: 'json' | 'ndjson' | 'yaml',
): Promise<boolean> {
  const texts = [text, ...(format === 'yaml' ? [] : unescapedJson(text))];
  const masked = await maskTexts(texts);
  return masked.some((value, i) => value !== texts[i]);
}

/**
 * A masked document as stored instead of the upload: YAML stays YAML (comments are gone, which
 * is where a secret could hide); JSON and NDJSON become indented JSON.
 */
export function serialiseMasked(
  doc: unknown,
  format: 'json' | 'ndjson' | 'yaml',
): { raw: string; rawFormat: 'json' | 'yaml' } {
  if (format === 'yaml') {
    try {
      return {
        raw: toYaml(doc, { aliasDuplicateObjects: false }),
        rawFormat: 'yaml',
      };
    } catch {
      // Fall through: JSON can say anything the decoder produced.
    }
  }
  return { raw: JSON.stringify(doc, null, 2), rawFormat: 'json' };
}
