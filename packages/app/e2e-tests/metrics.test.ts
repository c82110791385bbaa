/* eslint-disable no-console */ // The test prints the figures it measures (contrast ratios).
import { expect, Locator, Page, test } from '@playwright/test';
import { bodyLuminance, chooseDarkTheme } from './a11y';
import { BACKEND, tokenFor } from './api';
import { signIn } from './signIn';

// Issue 17: the Release tab's Metrics view over the local portal's generated 90-day history.
// The charts are drawn with data, each chart's table alternative holds the numbers the chart
// shows (read from the chart itself: the heat map's printed cells, the trend's tooltips), the
// numbers are the API's, and the dark theme keeps chart text readable.

const METRICS = `${BACKEND}/api/rco/entities/component/default/rco/metrics`;

async function openMetrics(page: Page) {
  await page.goto('/catalog/default/component/rco/release');
  await page.getByRole('button', { name: 'Show metrics' }).first().click();
  await expect(page.getByTestId('rco-metrics-demo')).toBeVisible();
  await expect(
    page.getByTestId('rco-chart-trend').locator('svg').first(),
  ).toBeVisible();
}

/** The rows of a chart's table alternative, as text. */
const tableRows = (page: Page, name: string) =>
  page
    .getByTestId(`rco-chart-table-${name}`)
    .locator('tbody tr')
    .evaluateAll(rows =>
      rows.map(r =>
        [...r.querySelectorAll('td')].map(td => (td.textContent ?? '').trim()),
      ),
    );

/** WCAG contrast of an SVG text's fill against the colour painted behind it. */
async function svgTextContrast(text: Locator, behind?: Locator) {
  const rectFill = behind
    ? await behind.evaluate(r => getComputedStyle(r).fill)
    : undefined;
  return text.evaluate((el, behindFill) => {
    const parse = (css: string) => {
      const [r, g, b, a = 1] = (css.match(/[\d.]+/g) ?? []).map(Number);
      return [r, g, b, a];
    };
    const over = (top: number[], bottom: number[]) =>
      [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
    let background = [255, 255, 255, 1];
    const layers: number[][] = [];
    for (let e: Element | null = el.closest('div'); e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.unshift(c);
      if (c[3] === 1) break;
    }
    for (const layer of layers) background = over(layer, background);
    if (behindFill) {
      const fill = parse(behindFill);
      const opacity = Number(
        el.parentElement?.querySelector('rect')?.getAttribute('fill-opacity') ??
          '1',
      );
      background = over(
        [fill[0], fill[1], fill[2], fill[3] * opacity],
        background,
      );
    }
    const fg = over(parse(getComputedStyle(el).fill), background);
    const lum = ([r, g, b]: number[]) => {
      const ch = (v: number) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
    };
    const [hi, lo] = [lum(fg), lum(background)].sort((x, y) => y - x);
    return Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100;
  }, rectFill);
}

test('the Metrics view draws the demo history; each table holds the chart’s numbers, which are the API’s', async ({
  page,
  request,
}) => {
  await signIn(page);
  await openMetrics(page);
  // The API asked what the page asked: its environment and time zone.
  const environment = (
    await page.getByRole('button', { name: /^Environment / }).innerText()
  ).trim();
  const tz = await page
    .getByRole('combobox', { name: 'Time zone of the weeks' })
    .inputValue();
  const token = await tokenFor(request, 'guest');
  const api = await (
    await request.get(
      `${METRICS}?environment=${environment}&tz=${encodeURIComponent(tz)}`,
      { headers: { Authorization: `Bearer ${token}` } },
    )
  ).json();
  expect(api.demo).toBe(true);
  // The four metrics, each with its definition.
  for (const m of api.delivery.metrics) {
    const card = page.getByTestId(`rco-metric-${m.id}`);
    await expect(card).toBeVisible();
    await expect(card).toContainText(m.title);
  }
  expect(api.delivery.metrics[0].sample).toBeGreaterThan(0);

  // The trend: lines drawn; each week's tooltip (the chart) equals its table row and the API.
  const trend = page.getByTestId('rco-chart-trend');
  await expect(trend.locator('.recharts-line-curve').first()).toBeVisible();
  const rows = await tableRows(page, 'trend');
  expect(rows.map(r => [r[0], Number(r[1]), Number(r[2])])).toEqual(
    api.delivery.weeks.map((w: any) => [w.week, w.deploys, w.failures]),
  );
  const dots = trend.locator('.recharts-line-dots').first().locator('circle');
  const count = await dots.count();
  expect(count).toBe(rows.length);
  for (let i = 0; i < count; i++) {
    await dots.nth(i).hover({ force: true });
    const tip = trend.locator('.recharts-tooltip-wrapper');
    await expect(tip).toContainText(rows[i][0]);
    const text = await tip.innerText();
    const deploys = Number(/Deploys\s*:\s*(\d+)/.exec(text)?.[1]);
    const failures = Number(/Failures\s*:\s*(\d+)/.exec(text)?.[1]);
    expect([rows[i][0], deploys, failures]).toEqual([
      rows[i][0],
      Number(rows[i][1]),
      Number(rows[i][2]),
    ]);
  }

  // The heat map prints blocked/judged in each cell: the same numbers, in the table's order.
  const cells = await page
    .getByTestId('rco-chart-heatmap')
    .locator('[data-cell]')
    .evaluateAll(gs =>
      gs.map(g => [g.getAttribute('data-cell'), (g.textContent ?? '').trim()]),
    );
  const heatRows = await tableRows(page, 'heatmap');
  expect(cells.length).toBeGreaterThan(10);
  expect(cells.map(([cell, text]) => [cell!.split('|')[1], text])).toEqual(
    heatRows.map(r => [r[1], Number(r[2]) > 0 ? `${r[3]}/${r[2]}` : '']),
  );
  const apiCells = new Map(
    api.effectiveness.cells.map((c: any) => [
      `${c.gate}|${c.week}`,
      `${c.blocked}/${c.judged}`,
    ]),
  );
  // A week the gate judged nothing in is drawn empty: the API sends no cell for it.
  for (const [cell, text] of cells)
    expect(text).toBe(apiCells.get(cell!) ?? '');
  expect(cells.filter(([, text]) => text !== '')).toHaveLength(apiCells.size);

  // The distributions are drawn with bars.
  for (const name of ['lead-time', 'evidence-age']) {
    const chart = page.getByTestId(`rco-chart-${name}`);
    await expect(
      chart.locator('.recharts-bar-rectangle path').first(),
    ).toBeVisible();
  }
});

test('the Metrics view in the dark theme: a dark page, chart text and heat map numbers at 4.5:1', async ({
  page,
}) => {
  await signIn(page);
  await chooseDarkTheme(page);
  await openMetrics(page);
  expect(await bodyLuminance(page)).toBeLessThan(0.1);
  const ticks = page
    .getByTestId('rco-chart-trend')
    .locator('.recharts-cartesian-axis-tick-value');
  await expect(ticks.first()).toBeVisible();
  const tick = await svgTextContrast(ticks.first());
  console.log(`dark theme: trend axis label ${tick}:1`);
  expect(tick).toBeGreaterThanOrEqual(4.5);
  const numbers = page
    .getByTestId('rco-chart-heatmap')
    .locator('[data-cell] text');
  const n = await numbers.count();
  expect(n).toBeGreaterThan(0);
  let worst = Infinity;
  for (let i = 0; i < n; i++) {
    const text = numbers.nth(i);
    const rect = text.locator('xpath=../*[local-name()="rect"]');
    worst = Math.min(worst, await svgTextContrast(text, rect));
  }
  console.log(`dark theme: heat map numbers, worst ${worst}:1`);
  expect(worst).toBeGreaterThanOrEqual(4.5);
});
