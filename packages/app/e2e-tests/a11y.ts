import { expect, Locator, Page } from '@playwright/test';

/**
 * Moves focus with the Tab key (Shift+Tab when `backwards`) until `target` has it, as someone
 * without a mouse would; fails when it is not reached within `max` presses. Returns the presses.
 */
export async function tabTo(
  page: Page,
  target: Locator,
  { backwards = false, max = 150 } = {},
) {
  await expect(target).toBeVisible();
  for (let presses = 0; presses <= max; presses++) {
    if (await target.evaluate(el => el === document.activeElement)) {
      return presses;
    }
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${target} not reached with ${max} presses of Tab`);
}

/** Whether the element holds the focus itself or contains the element that does. */
export const holdsFocus = (locator: Locator) =>
  locator.evaluate(el => el.contains(document.activeElement));

export interface Contrast {
  ratio: number;
  foreground: string;
  background: string;
}

/**
 * WCAG contrast of an element's text (or icon: its `color`, which SVG icons fill with) against
 * what is painted behind it: the element's and its ancestors' background colours composited
 * from the first opaque one up, and the text colour composited over that (alpha counts).
 */
export function contrastOf(locator: Locator): Promise<Contrast> {
  return locator.evaluate(element => {
    type Rgba = [number, number, number, number];
    const parse = (css: string): Rgba => {
      const [r, g, b, a = 1] = (css.match(/[\d.]+/g) ?? []).map(Number);
      return [r, g, b, a];
    };
    const over = (top: Rgba, bottom: Rgba): Rgba => [
      top[0] * top[3] + bottom[0] * (1 - top[3]),
      top[1] * top[3] + bottom[1] * (1 - top[3]),
      top[2] * top[3] + bottom[2] * (1 - top[3]),
      1,
    ];
    const layers: Rgba[] = [];
    for (let el: Element | null = element; el; el = el.parentElement) {
      const colour = parse(getComputedStyle(el).backgroundColor);
      if (colour[3] > 0) layers.unshift(colour);
      if (colour[3] === 1) break;
    }
    const background = layers.reduce<Rgba>(
      (below, layer) => over(layer, below),
      [255, 255, 255, 1],
    );
    const foreground = over(parse(getComputedStyle(element).color), background);
    const luminance = ([r, g, b]: Rgba) => {
      const channel = (v: number) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const [light, dark] = [luminance(foreground), luminance(background)].sort(
      (x, y) => y - x,
    );
    const css = ([r, g, b]: Rgba) =>
      `rgb(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)})`;
    return {
      ratio: Math.round(((light + 0.05) / (dark + 0.05)) * 100) / 100,
      foreground: css(foreground),
      background: css(background),
    };
  });
}

/** Relative luminance (0 black … 1 white) of the page body's background. */
export const bodyLuminance = (page: Page) =>
  page.evaluate(() => {
    const [r, g, b] = (
      getComputedStyle(document.body).backgroundColor.match(/[\d.]+/g) ?? []
    ).map(v => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  });

/** Settings → Theme → Dark, as a user does it (the app theme API keeps it in localStorage). */
export async function chooseDarkTheme(page: Page) {
  await page.goto('/settings');
  await page.getByRole('button', { name: 'Dark', exact: true }).click();
  await expect
    .poll(() => page.evaluate(() => localStorage.getItem('theme')))
    .toBe('dark');
}
