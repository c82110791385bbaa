import { slicesOf } from './pastReplay';

const DAY = 86_400_000;

describe('slicesOf', () => {
  it.each([
    ['90 days', 90 * DAY],
    ['a year', 366 * DAY],
    ['a day and a minute', DAY + 60_000],
    ['an hour', 3_600_000],
    ['17 days and 3 ms', 17 * DAY + 3],
  ])('covers %s exactly, in consecutive half-open slices', (_, length) => {
    const from = new Date(Date.UTC(2026, 1, 3, 7, 11, 13, 17));
    const to = new Date(from.getTime() + length);
    const slices = slicesOf({ from, to });
    expect(slices[0].from).toEqual(from);
    expect(slices[slices.length - 1].to).toEqual(to);
    for (let i = 1; i < slices.length; i++)
      expect(slices[i].from).toEqual(slices[i - 1].to);
    for (const s of slices) expect(s.to > s.from).toBe(true);
    // Bounded: a slice is at least a day, and there are at most 16.
    expect(slices.length).toBeLessThanOrEqual(
      Math.max(1, Math.ceil(length / DAY)),
    );
    expect(slices.length).toBeLessThanOrEqual(16);
  });
});
