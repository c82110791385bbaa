import { createHash } from 'node:crypto';

/** JSON with sorted keys and no undefined values: equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value
      .map(v => canonicalJson(v === undefined ? null : v))
      .join(',')}]`;
  }
  if (value instanceof Date) {
    return JSON.stringify(value.toISOString());
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      // Code-unit order, as RFC 8785 asks (not localeCompare).
      .sort(([a], [b]) => Number(a > b) - Number(a < b));
    return `{${entries
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export const sha256 = (data: string | Buffer) =>
  createHash('sha256').update(data).digest('hex');

// SQLite hands timestamps back as numbers or strings, PostgreSQL as Dates.
export const toDate = (value: Date | string | number) =>
  value instanceof Date ? value : new Date(value);
