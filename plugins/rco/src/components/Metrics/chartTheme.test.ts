import { createTheme } from '@material-ui/core/styles';
import { getContrastRatio } from '@material-ui/core/styles';
import { chartColors, heatCell, MIN_CONTRAST } from './chartTheme';
import { histogram } from './histogram';

const light = createTheme({ palette: { type: 'light' } });
const dark = createTheme({
  palette: {
    type: 'dark',
    background: { paper: '#424242', default: '#333333' },
    error: { main: '#E22134' },
  },
});

describe('chart colours', () => {
  it('come from the theme: another theme, other colours', () => {
    expect(chartColors(light).axis).toBe(light.palette.text.secondary);
    expect(chartColors(dark).axis).toBe(dark.palette.text.secondary);
    expect(chartColors(dark).grid).toBe(dark.palette.divider);
    expect(chartColors(dark).paper).toBe('#424242');
    expect(chartColors(dark).failures).toBe('#E22134');
  });

  it.each([
    ['light', light],
    ['dark', dark],
  ])(
    'heat map cells print their number at 4.5:1 or more in the %s theme, for every share',
    (_name, theme) => {
      for (let i = 0; i <= 20; i++) {
        const cell = heatCell(theme, i / 20);
        expect(
          getContrastRatio(cell.color, cell.background),
        ).toBeGreaterThanOrEqual(MIN_CONTRAST);
      }
      // Larger shares are never lighter: the scale still reads as a scale.
      const alphas = [0.1, 0.5, 1].map(s => heatCell(theme, s).alpha);
      expect(alphas[0]).toBeLessThanOrEqual(alphas[1]);
      expect(heatCell(theme, 0).alpha).toBe(0);
    },
  );
});

describe('histogram', () => {
  it('counts each value into one bin of a natural width, the counts adding up', () => {
    const bins = histogram([0.5, 3, 3.5, 30]);
    expect(bins[0]).toEqual({ from: 0, to: 3, count: 1 });
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(4);
    expect(bins.find(b => b.from <= 30 && b.to > 30)?.count).toBe(1);
    expect(bins.length).toBeLessThanOrEqual(12);
  });

  it('opens the last bin when even the widest width is too narrow', () => {
    const bins = histogram([1, 100_000]);
    expect(bins).toHaveLength(12);
    expect(bins[11]).toMatchObject({ to: Infinity, count: 1 });
    expect(histogram([])).toEqual([]);
  });
});
