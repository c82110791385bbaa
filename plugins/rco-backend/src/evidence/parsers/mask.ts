import { InputError } from '@backstage/errors';

/**
 * Shared helpers for the scanner parsers (Trivy, Grype, SBOMs, signatures, secret scans):
 * masking secret values, copying documents without touching the caller's object, and the few
 * type guards every parser needs to read `unknown` JSON safely.
 *
 * These mask the fields a format itself defines as secret (gitleaks `Secret`, …). Every string
 * of every document has already been through `../secrets/maskDocument` before a parser sees it.
 */

/**
 * What every secret value becomes. Deliberately fixed: keeping a prefix, a length or a hash of
 * the secret would still leak something about it (short or low-entropy secrets can be guessed
 * back from a hash), and nothing downstream needs more than "there was a value here".
 */
export const REDACTED = '***REDACTED***';

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy of a parsed JSON/YAML document, so masking never mutates the caller's input. */
export function deepClone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * The masked form of one value: absent and empty values stay as they are (there is nothing to
 * hide, and keeping them shows the field was empty), anything else becomes `REDACTED`.
 */
export function maskValue(value: unknown): unknown {
  if (value === undefined || value === null || value === '') return value;
  return REDACTED;
}

/**
 * Masks `keys` of `record` in place. Only ever called on a `deepClone` of the input.
 * Keys that are absent stay absent, so the stored document keeps its original shape.
 */
export function maskKeys(record: JsonRecord, keys: readonly string[]): void {
  for (const key of keys) {
    if (key in record) record[key] = maskValue(record[key]);
  }
}

/** A non-empty string, or undefined: `""` carries no information in these formats. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value)
    ? value
    : undefined;
}

/**
 * The objects of an array field. Absent (or JSON `null`, which Go tools print for empty slices)
 * is an empty list; anything else that is not an array of objects is a malformed document.
 */
export function recordArray(value: unknown, what: string): JsonRecord[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InputError(`${what} is not an array`);
  return value.map((item, index) => {
    if (!isRecord(item)) {
      throw new InputError(`${what}[${index}] is not an object`);
    }
    return item;
  });
}

const SHA256 = /sha256(?::|%3A)([a-f0-9]{64})(?![a-f0-9])/i;

/**
 * `sha256:<hex>` from a digest (`sha256:…`), a pinned reference (`repo@sha256:…`) or a package
 * URL (`pkg:oci/name@sha256%3A…`). Anything else (tags, other algorithms) is not a digest the
 * gates can compare, so it yields undefined rather than a guess.
 */
export function sha256Digest(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = SHA256.exec(value);
  return match ? `sha256:${match[1].toLowerCase()}` : undefined;
}

/** The first of `values` that is a sha256 digest. */
export function firstDigest(values: readonly unknown[]): string | undefined {
  for (const value of values) {
    const digest = sha256Digest(value);
    if (digest) return digest;
  }
  return undefined;
}
