import { createTheme } from '@material-ui/core/styles';
import { getContrastRatio } from '@material-ui/core/styles';
import {
  chartColors,
  heatCell,
  MIN_CONTRAST,
  MIN_GRAPHIC_CONTRAST,
} from './chartTheme';
import { histogram } from './histogram';

// The palettes of Backstage's light and dark themes (@backstage/theme), what the app runs with.
const light = createTheme({
  palette: {
    type: 'light',
    background: { paper: '#FFFFFF', default: '#F8F8F8' },
    primary: { main: '#1F5493' },
  },
});
const dark = createTheme({
  palette: {
    type: 'dark',
    background: { paper: '#424242', default: '#333333' },
    primary: { main: '#9CC9FF', dark: '#82BAFD' },
    secondary: { main: '#FF88B2' },
  },
});

describe('chart colours', () => {
  it('come from the theme: another theme, other colours', () => {
    expect(chartColors(light).axis).toBe(light.palette.text.secondary);
    expect(chartColors(dark).axis).toBe(dark.palette.text.secondary);
    expect(chartColors(dark).grid).toBe(dark.palette.divider);
    expect(chartColors(dark).paper).toBe('#424242');
  });

  it.each([
    ['light', light],
    ['dark', dark],
  ])(
    'draws every series at 3:1 or more on the %s theme’s paper',
    (_name, theme) => {
      const colors = chartColors(theme);
      for (const key of [
        'deploys',
        'failures',
        'leadTime',
        'restore',
        'bars',
      ] as const) {
        expect(
          getContrastRatio(colors[key], theme.palette.background.paper),
        ).toBeGreaterThanOrEqual(MIN_GRAPHIC_CONTRAST);
      }
      // The theme's own colour where it reads: primary in both Backstage themes.
      expect(colors.deploys).toBe(theme.palette.primary.main);
    },
  );

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
