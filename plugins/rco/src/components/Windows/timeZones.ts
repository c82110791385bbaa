/** The browser's IANA time zone ("Europe/Berlin"); UTC when the browser does not say. */
export function browserTimeZone(): string {
  try {
    return new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

const FALLBACK = [
  'UTC',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Paris',
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Australia/Sydney',
];

/** Every zone the browser knows, the browser's own and UTC first. */
export function timeZones(current = browserTimeZone()): string[] {
  const supported = (
    Intl as unknown as { supportedValuesOf?: (key: string) => string[] }
  ).supportedValuesOf?.('timeZone');
  const all = supported?.length ? supported : FALLBACK;
  return [...new Set([current, 'UTC', ...all])];
}

/** A datetime-local value ("2026-12-14T22:00") as the API's local time with seconds. */
export function localDateTime(value: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? `${value}:00` : value;
}
