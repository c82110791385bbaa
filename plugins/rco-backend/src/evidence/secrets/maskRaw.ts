import { stringify as toYaml } from 'yaml';
import { maskTexts } from './maskDocument';

/**
 * Whether the text of an upload holds anything the masker would mask, beyond what its parsed
 * value shows. The parsed value is not all of the text: YAML comments and directives are
 * dropped, and of a JSON key written twice only the last value is kept, so a secret there is
 * invisible to maskDocument yet would be stored if the upload were kept byte for byte.
 *
 * The whole text goes through the same text masker (secretlint and the text rules). JSON
 * strings written with escapes (`"\u0041KIA…"`) do not show their content in the text, so those
 * are decoded and scanned too; unescaped strings are already in the text as they read.
 */

/** A JSON string literal; the two alternatives exclude each other, so matching is linear. */
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

function escapedJsonStrings(text: string): string[] {
  const decoded: string[] = [];
  if (!text.includes('\\')) return decoded;
  for (const [literal] of text.matchAll(JSON_STRING)) {
    if (!literal.includes('\\')) continue;
    try {
      decoded.push(JSON.parse(literal));
    } catch {
      // Not a string literal of the document (the document parsed, so this cannot happen).
    }
  }
  return decoded;
}

export async function rawTextHoldsSecret(
  text: string,
  format: 'json' | 'ndjson' | 'yaml',
): Promise<boolean> {
  const texts = [text, ...(format === 'yaml' ? [] : escapedJsonStrings(text))];
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
