import {
  decomposeColor,
  getContrastRatio,
  Theme,
  useTheme,
} from '@material-ui/core/styles';
import { createElement } from 'react';

/**
 * Every colour a chart uses, from the app's theme: the same chart reads in the light and the
 * dark theme (axes and labels in the text colours, grid lines in the divider colour, tooltips on
 * the paper colour, series in the palette's main colours).
 */
export function chartColors(theme: Theme) {
  const { palette } = theme;
  const paper = palette.background.paper;
  // The darker shade on a light paper, the lighter on a dark one.
  const shade = (c: { main: string; light: string; dark: string }) => [
    c.main,
    palette.type === 'dark' ? c.light : c.dark,
  ];
  const series = (...candidates: string[]) =>
    readableOn(paper, [...candidates, palette.text.primary]);
  return {
    text: palette.text.primary,
    axis: palette.text.secondary,
    grid: palette.divider,
    paper,
    deploys: series(...shade(palette.primary)),
    failures: series(...shade(palette.error)),
    leadTime: series(...shade(palette.secondary)),
    restore: series(...shade(palette.warning)),
    bars: series(...shade(palette.primary)),
  };
}

/** WCAG 1.4.11: lines and bars need 3:1 against what they are drawn on. */
export const MIN_GRAPHIC_CONTRAST = 3;

/** The first colour that reads on the paper at 3:1 (the last one is the text colour). */
export function readableOn(paper: string, candidates: string[]) {
  return (
    candidates.find(c => getContrastRatio(c, paper) >= MIN_GRAPHIC_CONTRAST) ??
    candidates[candidates.length - 1]
  );
}

export function useChartColors() {
  return chartColors(useTheme<Theme>());
}

/** Recharts' tooltip and axis props in the theme's colours. */
export function chartChrome(colors: ReturnType<typeof chartColors>) {
  return {
    axis: {
      stroke: colors.axis,
      tick: { fill: colors.axis, fontSize: 12 },
    },
    tooltip: {
      contentStyle: {
        background: colors.paper,
        borderColor: colors.grid,
        color: colors.text,
      },
      labelStyle: { color: colors.text },
      itemStyle: { color: colors.text },
    },
    // Legend words in the text colour (recharts paints them in the series' colour, which
    // only has to reach 3:1, not the 4.5:1 of text).
    legend: {
      formatter: (value: string) =>
        createElement('span', { style: { color: colors.text } }, value),
    },
  };
}

/** WCAG AA for normal text. */
export const MIN_CONTRAST = 4.5;

/** `color` at `alpha` over an opaque `backdrop`, as the opaque colour people see. */
export function blend(color: string, backdrop: string, alpha: number) {
  const top = decomposeColor(color).values;
  const bottom = decomposeColor(backdrop).values;
  const mix = [0, 1, 2].map(i =>
    Math.round(top[i] * alpha + bottom[i] * (1 - alpha)),
  );
  return `rgb(${mix.join(', ')})`;
}

/**
 * A heat map cell: the theme's error colour over the paper, more opaque the larger the share
 * blocked, and the number in black or white, whichever contrasts more. A shade where neither
 * reaches 4.5:1 (a mid red) is lightened step by step until one does: a readable number
 * matters more than the exact shade.
 */
export function heatCell(theme: Theme, share: number) {
  const { black, white } = theme.palette.common;
  const paper = theme.palette.background.paper;
  let alpha = share > 0 ? 0.15 + 0.85 * Math.min(1, share) : 0;
  for (;;) {
    const background = blend(theme.palette.error.main, paper, alpha);
    const onBlack = getContrastRatio(black, background);
    const onWhite = getContrastRatio(white, background);
    const color = onBlack >= onWhite ? black : white;
    const contrast = Math.max(onBlack, onWhite);
    if (contrast >= MIN_CONTRAST || alpha <= 0) {
      return { background, color, contrast, alpha };
    }
    alpha = Math.max(0, alpha - 0.05);
  }
}
