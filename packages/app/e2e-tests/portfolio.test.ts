import { expect, Page, test } from '@playwright/test';
import {
  compareByRisk,
  GATES,
  GateStatus,
  PortfolioItem,
  totalsOf,
} from '@helix-portal/plugin-rco-common';
import { signIn } from './signIn';
import { tabTo } from './a11y';

const TOTAL = 1000;
const DAY = 86_400_000;
const NOW = Date.now();
const HORIZON_MS = 3 * DAY; // P3D, the backend's default
const STATUSES: GateStatus[] = ['fail', 'missing', 'stale', 'waived'];
const pad = (n: number) => String(n).padStart(4, '0');

/**
 * Service n of 1,000 as `GET /api/rco/portfolio` returns it: a third ready (every gate passes),
 * the others with a deterministic spread of failing, missing, stale and waived gates; a
 * quarter with passing gates whose evidence ages out within the horizon.
 */
function service(n: number): PortfolioItem {
  const gates = GATES.map((g, k) => {
    const r = (n * 7 + k * 13 + ((n * k) % 5)) % 12;
    const status: GateStatus =
      n % 3 === 0 || r >= STATUSES.length ? 'pass' : STATUSES[r];
    // A quarter of the services have gates whose evidence ages out in 2 days (within P3D).
    const soon = n % 4 === 1 && k % 3 === 0;
    const until =
      status === 'pass' ? NOW + (soon ? 2 : 10 + ((n + k) % 20)) * DAY : 0;
    return {
      id: g.id,
      status,
      ...(until ? { validUntil: new Date(until).toISOString() } : {}),
    };
  });
  const blockedBy = gates
    .filter(g => ['fail', 'missing', 'stale'].includes(g.status))
    .map(g => g.id);
  const expiresSoon = gates
    .filter(g => g.validUntil && Date.parse(g.validUntil) <= NOW + HORIZON_MS)
    .map(g => g.id);
  return {
    entityRef: `component:default/service-${pad(n)}`,
    title: `Service ${pad(n)}`,
    owners: [`group:default/team-${Math.floor(n / 125)}`],
    release: { version: `1.${n % 10}.${n % 7}` },
    runbookVersion: '1.3.0',
    summary: {
      passing: gates.filter(g => g.status === 'pass').length,
      total: GATES.length,
      blockedBy,
      waived: gates.filter(g => g.status === 'waived').map(g => g.id),
      ready: blockedBy.length === 0,
      text: '',
    },
    gates,
    expiresSoon,
    judgedAt: new Date(NOW).toISOString(),
  };
}

// Kept in a shuffled order (389 is prime to 1,000): the backend's sort has something to do.
const SERVICES = Array.from({ length: TOTAL }, (_, k) =>
  service((k * 389) % TOTAL),
);
const soonest = (i: PortfolioItem) =>
  Math.min(
    ...i.gates.map(g => (g.validUntil ? Date.parse(g.validUntil) : Infinity)),
  );
const SORTS: Record<string, (a: PortfolioItem, b: PortfolioItem) => number> = {
  ref: (a, b) => a.entityRef.localeCompare(b.entityRef),
  risk: compareByRisk,
  title: (a, b) => a.title.localeCompare(b.title),
  expires: (a, b) =>
    soonest(a) - soonest(b) || a.entityRef.localeCompare(b.entityRef),
};

/** GET /portfolio as the contract has it: filters, order, one page, totals and column counts. */
function portfolio(p: URLSearchParams, unjudged = new Set<string>()) {
  const owner = p.get('owner')?.toLowerCase();
  const gate = p.get('gate');
  const status = p.get('status');
  const q = p.get('q')?.toLowerCase();
  const rows = SERVICES.filter(
    i =>
      !unjudged.has(i.entityRef) &&
      (!owner || i.owners.some(o => o === owner || o.endsWith(`/${owner}`))) &&
      (!(gate || status) ||
        i.gates.some(
          g => (!gate || g.id === gate) && (!status || g.status === status),
        )) &&
      (p.get('expiring') !== 'true' || i.expiresSoon!.length > 0) &&
      (!q ||
        i.entityRef.toLowerCase().includes(q) ||
        i.title.toLowerCase().includes(q)),
  );
  const compare = SORTS[p.get('sort') ?? 'ref'];
  rows.sort(p.get('order') === 'desc' ? (a, b) => compare(b, a) : compare);
  const offset = Number(p.get('offset') ?? 0);
  const limit = Math.min(1000, Number(p.get('limit') ?? 50));
  const columns = GATES.map(g => {
    const counts = { pass: 0, fail: 0, missing: 0, stale: 0, waived: 0 };
    for (const i of rows) counts[i.gates.find(x => x.id === g.id)!.status]++;
    return { id: g.id, title: g.title, counts };
  });
  return { rows, page: rows.slice(offset, offset + limit), columns };
}

const BY_RISK = portfolio(new URLSearchParams({ sort: 'risk' })).rows;

/** Answers the page's portfolio and export requests as the backend would; notes each query. */
async function serveThousand(
  page: Page,
  requests: URLSearchParams[],
  /** The first answers that still have services being judged (3 of them, not listed). */
  { judgingFor = 0 } = {},
) {
  await page.route(
    url => new URL(url).pathname.startsWith('/api/rco/portfolio'),
    route => {
      const url = new URL(route.request().url());
      requests.push(url.searchParams);
      const unjudged = new Set(
        requests.length <= judgingFor
          ? BY_RISK.slice(0, 3).map(r => r.entityRef)
          : [],
      );
      const {
        rows,
        page: items,
        columns,
      } = portfolio(url.searchParams, unjudged);
      if (url.pathname.endsWith('/export')) {
        const csv = [
          'entityRef,title',
          ...rows.map(r => `${r.entityRef},${r.title}`),
        ];
        return route.fulfill({
          contentType: 'text/csv',
          body: `${csv.join('\n')}\n`,
        });
      }
      return route.fulfill({
        json: {
          totalItems: rows.length,
          items,
          totals: totalsOf(rows),
          columns,
          horizon: 'P3D',
          pending: unjudged.size,
        },
      });
    },
  );
}

type LongTask = { start: number; duration: number };

/** Records every long task (over 50 ms) of the page from its first script on. */
function observeLongTasks(page: Page) {
  return page.addInitScript(() => {
    const tasks: LongTask[] = [];
    const keep = (entries: PerformanceEntryList) =>
      entries.forEach(e =>
        tasks.push({ start: e.startTime, duration: e.duration }),
      );
    const observer = new PerformanceObserver(list => keep(list.getEntries()));
    observer.observe({ type: 'longtask', buffered: true });
    (window as any).__longTasks = () => {
      keep(observer.takeRecords());
      return tasks;
    };
  });
}

/**
 * Runs the interactions one by one; after each, the longest task that started during it (the
 * tasks are read after every step: a reload starts a new document, whose tasks are all its own).
 * Only reported: how long a task takes depends on the machine.
 */
async function measure(
  page: Page,
  steps: Array<[string, () => Promise<void>]>,
) {
  const read = () =>
    page.evaluate(() => ({
      origin: performance.timeOrigin,
      now: performance.now(),
      tasks: (window as any).__longTasks() as LongTask[],
    }));
  const results: Array<{ name: string; longest: number }> = [];
  for (const [name, step] of steps) {
    const before = await read();
    await step();
    const after = await read();
    const from = after.origin === before.origin ? before.now : 0;
    const during = after.tasks.filter(t => t.start >= from);
    results.push({
      name,
      longest: Math.round(Math.max(0, ...during.map(t => t.duration))),
    });
  }
  return results;
}

const last = (requests: URLSearchParams[]) =>
  Object.fromEntries(requests[requests.length - 1]);

function locators(page: Page) {
  const filters = page.getByRole('group', { name: 'Filter services' });
  return {
    heading: (n: number) =>
      page.getByRole('heading', { name: `Governed services (${n})` }),
    map: page.getByRole('region', { name: 'Heat map of services by gate' }),
    table: page.getByRole('table'),
    pager: page
      .getByRole('button', { name: 'Next page' })
      .locator('xpath=../..'),
    services: page
      .getByRole('region', { name: /^Governed services/ })
      .getByRole('link', { name: /^Service \d{4}$/ }),
    filters,
    // Native selects (PortfolioFilterBar): chosen by the option's text.
    choose: async (filter: string, option: string) =>
      filters
        .getByRole('combobox', { name: filter, exact: true })
        .selectOption({ label: option }),
  };
}

test('1,000 services: heat map, table, paging, sorting and filtering by the backend, with the longest task reported', async ({
  page,
}) => {
  const requests: URLSearchParams[] = [];
  await serveThousand(page, requests);
  await observeLongTasks(page);
  await signIn(page);
  await page.setViewportSize({ width: 1366, height: 768 });
  const { heading, map, table, pager, services, filters, choose } =
    locators(page);
  const failing = SERVICES.filter(s =>
    s.gates.some(g => g.id === 'image-scanning' && g.status === 'fail'),
  );
  const team3 = failing.filter(s => s.owners.includes('group:default/team-3'));
  const team3Soon = team3.filter(s => s.expiresSoon!.length > 0);
  expect(team3Soon.length).toBeGreaterThan(1);
  const riskiest = BY_RISK[0];

  const timings = await measure(page, [
    [
      'load 1,000 services (heat map)',
      async () => {
        await page
          .getByRole('link', { name: 'Release readiness', exact: true })
          .click();
        await expect(page).toHaveURL(/\/release-readiness$/);
        await expect(heading(1000)).toBeVisible();
        // Gate titles as column headers, each with its counts over all 1,000 services.
        const { columns } = portfolio(new URLSearchParams());
        for (const c of columns) {
          const header = map.getByRole('columnheader', {
            name: new RegExp(
              `^${c.title.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`,
            ),
          });
          // In words for screen readers: the statuses it has, worst first.
          const words = (
            ['fail', 'missing', 'stale', 'waived', 'pass'] as const
          )
            .filter(st => c.counts[st] > 0)
            .map(st => `${c.counts[st]} ${st}`)
            .join(', ');
          await expect(header).toContainText(words);
        }
        // Riskiest first (the most failing gates), a labelled cell per gate.
        const most = Math.max(
          ...SERVICES.map(s => s.gates.filter(g => g.status === 'fail').length),
        );
        expect(riskiest.gates.filter(g => g.status === 'fail')).toHaveLength(
          most,
        );
        const row = map
          .getByRole('row')
          .filter({ has: page.getByRole('link', { name: riskiest.title }) });
        await expect(map.getByRole('link').first()).toHaveText(riskiest.title);
        for (const g of riskiest.gates) {
          const title = GATES.find(d => d.id === g.id)!.title;
          await expect(
            row
              .getByRole('cell', {
                name: `${title}: ${g.status}`,
                exact: false,
              })
              .first(),
          ).toHaveText(new RegExp(g.status));
        }
        await page.screenshot({
          path: `${__dirname}/../../../docs/screenshots/portfolio-laptop.png`,
        });
        // One backend page of 500, riskiest first.
        expect(requests.map(r => Object.fromEntries(r))).toEqual([
          { sort: 'risk', order: 'asc', offset: '0', limit: '500' },
        ]);
      },
    ],
    [
      'heat map: End key to the last service',
      async () => {
        await map.focus();
        await page.keyboard.press('End');
        await expect(
          map.getByRole('link', { name: BY_RISK[TOTAL - 1].title }),
        ).toBeVisible();
        expect(last(requests)).toMatchObject({ offset: '500', limit: '500' });
      },
    ],
    [
      'table view',
      async () => {
        await page.getByRole('button', { name: 'Table', exact: true }).click();
        await expect(page).toHaveURL(/\?view=table$/);
        await expect(pager).toContainText('1-50 of 1000');
        await expect(services).toHaveCount(50);
        await expect(services.first()).toHaveText(riskiest.title);
        expect(last(requests)).toMatchObject({
          offset: '0',
          limit: '50',
          sort: 'risk',
        });
      },
    ],
    [
      'next page',
      async () => {
        await page.getByRole('button', { name: 'Next page' }).click();
        await expect(pager).toContainText('51-100 of 1000');
        await expect(services.first()).toHaveText(BY_RISK[50].title);
        expect(last(requests)).toMatchObject({ offset: '50', limit: '50' });
      },
    ],
    [
      'sort by risk, least risky first',
      async () => {
        await table.getByRole('button', { name: 'Readiness' }).click();
        await expect(page).toHaveURL(/order=desc/);
        await expect(pager).toContainText('1-50 of 1000');
        await expect(services.first()).toHaveText(BY_RISK[TOTAL - 1].title);
      },
    ],
    [
      'sort by service, ascending then descending',
      async () => {
        await table.getByRole('button', { name: 'Service' }).click();
        await expect(services.first()).toHaveText('Service 0000');
        await table.getByRole('button', { name: 'Service' }).click();
        await expect(services.first()).toHaveText('Service 0999');
      },
    ],
    [
      '100 rows per page',
      async () => {
        await pager.getByLabel('Rows per page').selectOption('100');
        await expect(pager).toContainText('1-100 of 1000');
        await expect(services).toHaveCount(100);
      },
    ],
    [
      'filter: image-scanning fails',
      async () => {
        await choose('Gate', 'Image & Dependency Scanning');
        await choose('Gate status', 'Fail');
        await expect(heading(failing.length)).toBeVisible();
        await expect(pager).toContainText(`of ${failing.length}`);
        await expect(page).toHaveURL(/[?&]gate=image-scanning&status=fail/);
        expect(last(requests)).toMatchObject({
          gate: 'image-scanning',
          status: 'fail',
          offset: '0',
        });
      },
    ],
    [
      'filter: owner team-3, expires soon',
      async () => {
        await filters.getByLabel('Owner').click();
        await page.getByRole('option', { name: /team-3/ }).click();
        await expect(heading(team3.length)).toBeVisible();
        await filters.getByRole('checkbox', { name: 'Expires soon' }).check();
        await expect(heading(team3Soon.length)).toBeVisible();
        await expect(services).toHaveCount(team3Soon.length);
        expect(last(requests)).toMatchObject({
          owner: 'group:default/team-3',
          expiring: 'true',
        });
      },
    ],
    [
      'search one service',
      async () => {
        await page
          .getByRole('searchbox', { name: 'Search' })
          .fill(team3Soon[0].title);
        await expect(services).toHaveCount(1);
        await expect(services.first()).toHaveText(team3Soon[0].title);
      },
    ],
    [
      'reload: the view is in the address',
      async () => {
        await page.reload();
        await expect(heading(1)).toBeVisible();
        await expect(services.first()).toHaveText(team3Soon[0].title);
      },
    ],
  ]);

  // Export: the same filters, every row, saved as a file.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  expect((await download).suggestedFilename()).toBe('release-readiness.csv');
  const exported = requests.filter(r => r.has('q') && !r.has('offset'));
  expect(Object.fromEntries(exported[0])).toMatchObject({
    gate: 'image-scanning',
    status: 'fail',
    expiring: 'true',
  });

  // The interactions on a loaded page: not the first load, nor the reload.
  const worst = timings
    .slice(1, -1)
    .reduce((a, b) => (b.longest > a.longest ? b : a));
  // The figure the issue asks for, printed (a benchmark's output, not an assertion).
  // eslint-disable-next-line no-console
  console.log(
    [
      '1,000 services, longest main-thread task per interaction:',
      ...timings.map(t => `  ${t.name}: ${t.longest} ms`),
      `longest task while scrolling, paging, sorting and filtering: ${worst.longest} ms (${worst.name})`,
    ].join('\n'),
  );
});

test('keyboard and screen readers: a skip link to the services, named controls, labelled cells', async ({
  page,
}) => {
  await serveThousand(page, []);
  await signIn(page);
  await page.goto('/release-readiness');
  const { heading, map } = locators(page);
  await expect(heading(1000)).toBeVisible();
  await expect(map.getByRole('link').first()).toBeVisible();

  // Every control has a name a screen reader can say; every heat map cell says gate and status.
  const controls = await page
    .getByRole('button')
    .or(page.getByRole('link'))
    .or(page.getByRole('checkbox'))
    .or(page.getByRole('textbox'))
    // The native filters (MUI v4's Autocomplete also makes its wrapper an unnamed combobox;
    // its input, the textbox, is named).
    .or(page.locator('select'))
    .all();
  expect(controls.length).toBeGreaterThan(30);
  for (const control of controls) {
    await expect(control).toHaveAccessibleName(/\S/);
  }
  const cells = map.getByRole('cell');
  expect(await cells.count()).toBeGreaterThan(GATES.length);
  for (const cell of (await cells.all()).slice(0, 40)) {
    await expect(cell).toHaveAccessibleName(
      /^.+: (pass|fail|missing|stale|waived|not applicable)\b/,
    );
  }

  // Past the sidebar: the skip link is the page's first stop.
  const skip = page.getByRole('link', { name: 'Skip to the services' });
  expect(await tabTo(page, skip, { max: 15 })).toBeLessThanOrEqual(15);
  await page.keyboard.press('Enter');
  await expect(
    page.getByRole('region', { name: /^Governed services/ }),
  ).toBeFocused();
  // Then the heat map's scroll box (scrollable from the keyboard) and the first service.
  expect(await tabTo(page, map, { max: 2 })).toBeLessThanOrEqual(2);
  await page.keyboard.press('PageDown');
  await expect.poll(() => map.evaluate(el => el.scrollTop)).toBeGreaterThan(0);
  await page.keyboard.press('Home');
  await expect.poll(() => map.evaluate(el => el.scrollTop)).toBe(0);
  const first = map.getByRole('link', { name: BY_RISK[0].title });
  expect(await tabTo(page, first, { max: 2 })).toBeLessThanOrEqual(2);

  // The table: past the view toggle and export, then the sort buttons and the first service.
  await page.goto('/release-readiness?view=table');
  await expect(page.getByRole('button', { name: 'Next page' })).toBeVisible();
  await tabTo(page, skip, { max: 15 });
  await page.keyboard.press('Enter');
  const sortButtons = page.getByRole('table').getByRole('button');
  await expect(sortButtons).toHaveCount(3);
  const firstRow = page
    .getByRole('table')
    .getByRole('link', { name: BY_RISK[0].title });
  expect(await tabTo(page, firstRow, { max: 8 })).toBeLessThanOrEqual(8);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/service-\d{4}\/release$/,
  );
});

test('services still being judged: the page says how many and fills in by itself', async ({
  page,
}) => {
  const requests: URLSearchParams[] = [];
  await serveThousand(page, requests, { judgingFor: 3 });
  await signIn(page);
  await page.goto('/release-readiness');
  const { heading, map } = locators(page);
  // The three riskiest are not judged yet: the page says so rather than passing for complete.
  await expect(heading(997)).toBeVisible();
  await expect(page.getByRole('status')).toContainText(
    '3 services are being judged…',
  );
  await expect(map.getByRole('link').first()).toHaveText(BY_RISK[3].title);
  // Asked again every 2 s, without a reload, until they are in.
  await expect(heading(1000)).toBeVisible({ timeout: 15_000 });
  await expect(map.getByRole('link').first()).toHaveText(BY_RISK[0].title);
  await expect(page.getByText(/being judged/)).toHaveCount(0);
  const asked = requests.length;
  expect(asked).toBeGreaterThan(3);
  await page.waitForTimeout(3_000);
  expect(requests).toHaveLength(asked);
});
