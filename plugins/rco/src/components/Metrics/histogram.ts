/** Bin widths in hours that read naturally: half an hour up to four weeks. */
const WIDTHS = [0.5, 1, 2, 3, 6, 12, 24, 48, 72, 168, 336, 672];

export interface Bin {
  /** Hours, inclusive. */
  from: number;
  /** Hours, exclusive. */
  to: number;
  count: number;
}

/**
 * Values (hours) counted into at most `maxBins` bins of a natural width starting at zero: the
 * narrowest width of WIDTHS that covers the largest value, the last bin open to anything larger
 * when even the widest is too narrow.
 */
export function histogram(values: number[], maxBins = 12): Bin[] {
  if (!values.length) return [];
  const max = Math.max(...values);
  const width =
    WIDTHS.find(w => Math.floor(max / w) + 1 <= maxBins) ??
    WIDTHS[WIDTHS.length - 1];
  const count = Math.min(maxBins, Math.floor(max / width) + 1);
  const bins: Bin[] = Array.from({ length: count }, (_, i) => ({
    from: i * width,
    to: (i + 1) * width,
    count: 0,
  }));
  for (const v of values) {
    const i = Math.min(count - 1, Math.max(0, Math.floor(v / width)));
    bins[i].count += 1;
  }
  if (max >= count * width) bins[count - 1].to = Infinity;
  return bins;
}
