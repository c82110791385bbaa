/** One unit of a short duration (`90s`, `10m`, `1h30m`) in milliseconds. */
const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** ISO 8601 durations without months or years, which have no fixed length. */
const ISO =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/**
 * A duration as CI writes it: `90s`, `10m`, `1h`, `1h30m`, `500ms`, or ISO 8601 `PT10M`.
 * Returns milliseconds, or undefined when the text is not a duration (the caller names the
 * option in its message).
 */
export function parseDuration(text: string): number | undefined {
  const value = text.trim();
  const iso = ISO.exec(value);
  if (iso && value.length > 1 && !/T$/i.test(value)) {
    const [w, d, h, m, s] = iso.slice(1).map(n => Number(n ?? 0));
    return Math.round(
      w * 7 * UNITS.d + d * UNITS.d + h * UNITS.h + m * UNITS.m + s * UNITS.s,
    );
  }
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/.test(value)
    ? value.match(/\d+(?:\.\d+)?(?:ms|s|m|h|d)/g)
    : null;
  if (!parts) return undefined;
  return Math.round(
    parts.reduce((total, part) => {
      const [, n, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(part)!;
      return total + Number(n) * UNITS[unit];
    }, 0),
  );
}

/** `90s` → "1m 30s", for messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return [h && `${h}h`, m && `${m}m`, s && `${s}s`].filter(Boolean).join(' ');
}
