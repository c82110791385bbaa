#!/usr/bin/env node
// The Release readiness page's own main-thread cost, in headless Chromium (issue 14): the
// longest main-thread task while (a) paging, sorting and filtering the table over 1,000
// services and (b) scrolling the heat map through 10,000 services from top to bottom
// (`yarn bench:portfolio-ui`).
//
// The figures are the frontend's alone: the portfolio API answers come from Playwright route
// handlers over N generated services, with the backend's filtering, sorting and paging done in
// the handler (in this process, not the page). The backend's own cost is measured by its own
// benchmark (scripts/bench-portal). Every /api request is answered here (auth, catalog, rco) and
// none reaches a real backend; one the bench does not know gets a 404 and is listed.
//
// The app is the production build of packages/app (build it first: `yarn workspace app build`),
// served from packages/app/dist by a small static server on PORT (default 3210).
//
// The longest task is read from a Chromium trace (RunTask on the renderer's main thread) by the
// wall clock, which is what a user feels. Beside it: the longest task by the main thread's own
// CPU time (trace `tdur`), which leaves out the time the thread waited for a core on a busy
// machine, and the longtask observer's longest entry (it sees tasks of 50 ms and more only).
// On a shared machine the wall clock can be many times the CPU time: the machine's load is
// printed with the figures.
//
// Beside this file: bench-portfolio-ui/portfolio.js (the generated services and the stand-in for
// GET /portfolio), serve.js (the static server and the /api routes), trace.js (the figures).
//
// BENCH_DEBUG=1 prints what the longest task did and the action it followed; BENCH_PROFILE=1
// prints a source-mapped CPU profile of each phase (profiling slows the page: debugging only).
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('@playwright/test');
const launchOptions = require('./chromium.cjs');
const { generate } = require('./bench-portfolio-ui/portfolio');
const { routeApi, serveDist } = require('./bench-portfolio-ui/serve');
const { longestTask, printProfile } = require('./bench-portfolio-ui/trace');

const PORT = Number(process.env.PORT ?? 3210);
const BASE = `http://localhost:${PORT}`;
const DIST = path.resolve(__dirname, '../packages/app/dist');
const TARGET_MS = 100;

const OBSERVE = () => {
  window.__longest = 0;
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) {
      window.__longest = Math.max(window.__longest, e.duration);
    }
  }).observe({ type: 'longtask' });
};

/** Runs `actions` between a trace start and stop; the longest task of the trace and observer. */
async function measure(browser, page, actions) {
  await page.evaluate(() => {
    window.__longest = 0;
  });
  await browser.startTracing(page, {
    categories: [
      'devtools.timeline',
      'disabled-by-default-devtools.timeline',
      'blink.user_timing',
    ],
  });
  const cdp = process.env.BENCH_PROFILE
    ? await page.context().newCDPSession(page)
    : undefined;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  await actions();
  if (cdp)
    printProfile((await cdp.send('Profiler.stop')).profile, { BASE, DIST });
  const trace = await browser.stopTracing();
  const observed = await page.evaluate(() => window.__longest);
  return { ...longestTask(trace), observed };
}

async function signIn(page, url) {
  await page.goto(url);
  const enter = page.getByRole('button', { name: 'Enter' });
  const heading = page.getByRole('heading', { name: /Governed services/ });
  await enter.or(heading).first().waitFor({ timeout: 60_000 });
  if (await enter.isVisible()) await enter.click();
  await heading.waitFor({ timeout: 60_000 });
}

/**
 * One user action that asks the backend again: done when its portfolio answer has come and the
 * page has painted twice since (React renders it in the tasks after the answer).
 */
async function step(page, action) {
  const answered = page.waitForResponse(
    r => new URL(r.url()).pathname === '/api/rco/portfolio',
    { timeout: 30_000 },
  );
  answered.catch(() => {}); // the action's own failure is the one to report
  await action();
  await answered;
  await page.evaluate(
    () =>
      new Promise(resolve =>
        requestAnimationFrame(() => requestAnimationFrame(resolve)),
      ),
  );
  await page.waitForTimeout(100);
}

// While measuring, the page is driven through plain CSS selectors only: Playwright's role and
// label locators run their accessibility queries on the page's main thread, and over a large
// document those queries are long tasks of their own that are not the page's.
const SEL = {
  next: 'button[aria-label="Next page"]',
  sortBy: column => `thead th:nth-child(${column}) .MuiTableSortLabel-root`,
  // The filters are native selects (PortfolioFilterBar): chosen by value, '' being "any".
  select: id => `select#${id}`,
  expiring: 'input[type="checkbox"]',
  search: '#rco-portfolio-search',
  owner: '#rco-portfolio-owner',
  heatMap: 'div[role="region"][aria-label="Heat map of services by gate"]',
};

/** (a) The table over 1,000 services: pages, sorts, filters, each waited for on screen. */
async function tablePhase(page) {
  const click = async selector => {
    await page.evaluate(m => performance.mark(m), `click ${selector}`);
    await page.locator(selector).click();
  };
  const choose = (select, value) =>
    step(page, async () => {
      await page.evaluate(m => performance.mark(m), `choose ${select}`);
      await page.locator(SEL.select(select)).selectOption(value);
    });
  for (let i = 0; i < 4; i++) await step(page, () => click(SEL.next));
  // Service (title) ascending and descending, Expires soon, Readiness (risk).
  for (const column of [1, 1, 6, 4]) {
    await step(page, () => click(SEL.sortBy(column)));
  }
  await choose('rco-portfolio-status', 'fail');
  await choose('rco-portfolio-gate', 'image-scanning');
  await step(page, () => page.locator(SEL.expiring).check());
  await step(page, () => page.locator(SEL.expiring).uncheck());
  await choose('rco-portfolio-status', '');
  await choose('rco-portfolio-gate', '');
  await step(page, () =>
    page.locator(SEL.search).pressSequentially('svc-00', { delay: 60 }),
  );
  await step(page, () => click(SEL.next));
  await page.locator(SEL.owner).fill('group:default/team-3');
  await step(page, () => page.locator(SEL.owner).press('Enter'));
}

/** (b) The heat map over 10,000 services, wheeled from the top row to the last. */
async function heatMapPhase(page, total) {
  const map = await page.locator(SEL.heatMap).elementHandle();
  const box = await map.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  // 600 px (about 21 rows) every 16 ms or so: a fast, sustained flick.
  for (let step = 0; step < 3000; step++) {
    await page.mouse.wheel(0, 600);
    await page.waitForTimeout(16);
    const atEnd = await map.evaluate(
      el => el.scrollTop + el.clientHeight >= el.scrollHeight - 2,
    );
    if (atEnd) break;
  }
  // The last page arrives and paints: the map shows the last service.
  const last = `svc-${String(total - 1).padStart(5, '0')}`;
  await page.waitForFunction(
    href => document.querySelector(`a[href$="${href}"]`),
    `/${last}/release`,
    { timeout: 30_000 },
  );
}

(async () => {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) {
    throw new Error(
      `No app build in ${DIST}: run \`yarn workspace app build\` first`,
    );
  }
  const server = await serveDist(DIST, PORT);
  const browser = await chromium.launch(launchOptions);
  const data = { rows: generate(1000) };
  try {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 900 },
    });
    const unanswered = await routeApi(context, data);
    await context.addInitScript(OBSERVE);
    const page = await context.newPage();

    // (a) the table, 1,000 services, sorted by ref so the first row changes on every action.
    await signIn(page, `${BASE}/release-readiness?view=table`);
    await page
      .getByRole('button', { name: 'Next page' })
      .waitFor({ timeout: 60_000 });
    const table = await measure(browser, page, () => tablePhase(page));

    // (b) the heat map, 10,000 services.
    data.rows = generate(10000);
    await page.goto(`${BASE}/release-readiness?sort=ref`);
    await page
      .getByRole('link', { name: 'Service svc-00000' })
      .waitFor({ timeout: 60_000 });
    const heat = await measure(browser, page, () => heatMapPhase(page, 10000));

    const fmt = m => `${Math.round(m.wall)} ms (target ≤ ${TARGET_MS} ms)`;
    const check = m =>
      `[its own CPU time: ${Math.round(m.cpu)} ms; longtask observer: ${
        m.observed ? `${Math.round(m.observed)} ms` : 'no task of 50 ms or more'
      }]`;
    console.log(
      `longest task while paging/sorting/filtering the table, 1,000 services: ${fmt(
        table,
      )} ${check(table)}`,
    );
    console.log(
      `longest task while scrolling the heat map, 10,000 services: ${fmt(
        heat,
      )} ${check(heat)}`,
    );
    const [load1] = require('node:os').loadavg();
    console.log(
      `machine load (1 min) at the end: ${load1.toFixed(1)} on ${
        require('node:os').cpus().length
      } cores` +
        ' (a wall-clock task includes the time the page waited for a core)',
    );
    if (unanswered.size) {
      console.error(
        `requests the bench did not answer (404): ${[...unanswered]
          .map(([p, n]) => `${p} ×${n}`)
          .join(', ')}`,
      );
    }
    await context.close();
  } finally {
    await browser.close();
    server.close();
  }
})().catch(e => {
  console.error(e);
  process.exit(1);
});
