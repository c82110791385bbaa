#!/usr/bin/env node
// Median of 5 navigations (each in a fresh browser context, signed in) to a rendered gate table
// of RCO's Release tab, in headless Chromium. Needs a running portal: BASE_URL (default
// http://localhost:7007, the backend serving the production build of packages/app).
const { chromium } = require('@playwright/test');

const BASE = process.env.BASE_URL ?? 'http://localhost:7007';
const RUNS = 5;

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(BASE);
    const enter = page.getByRole('button', { name: 'Enter' });
    const catalog = page.getByRole('heading', { name: 'Helix Catalog' });
    await enter.or(catalog).waitFor();
    if (await enter.isVisible()) await enter.click();
    await catalog.waitFor();
    const start = Date.now();
    await page.goto(`${BASE}/catalog/default/component/rco/release`);
    await page.getByRole('row').filter({ hasText: 'DPO Sign-off' }).waitFor();
    times.push(Date.now() - start);
    await context.close();
  }
  await browser.close();
  times.sort((a, b) => a - b);
  console.log(
    `navigation to a rendered gate table, ${RUNS} runs: ${times.join(
      ', ',
    )} ms; median ${times[Math.floor(RUNS / 2)]} ms`,
  );
})().catch(e => {
  console.error(e);
  process.exit(1);
});
