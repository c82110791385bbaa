import { expect, Page, test } from '@playwright/test';
import { GATE_IDS } from '@helix-portal/plugin-rco-common';
import { signIn } from './signIn';
import { tabTo } from './a11y';

const TOTAL = 1000;
const GATES = GATE_IDS;
const STATUSES = ['pass', 'pass', 'pass', 'fail', 'missing', 'stale'] as const;
const pad = (n: number) => String(n).padStart(4, '0');

/** Service n of 1,000, as `GET /api/rco/portfolio` returns it (PortfolioItem). */
function service(n: number) {
  const gates = GATES.map((id, g) => ({
    id,
    status: STATUSES[(n * 7 + g * 3) % STATUSES.length],
  }));
  const blockedBy = gates.filter(g => g.status !== 'pass').map(g => g.id);
  const passing = GATES.length - blockedBy.length;
  return {
    entityRef: `component:default/service-${pad(n)}`,
    title: `Service ${pad(n)}`,
    owners: [`group:default/team-${Math.floor(n / 125)}`],
    release: {
      version: `1.${n % 10}.${n % 7}`,
      digest: `sha256:${pad(n).repeat(16)}`,
    },
    runbookVersion: '1.3.0',
    summary: {
      passing,
      total: GATES.length,
      blockedBy,
      waived: [],
      ready: blockedBy.length === 0,
      text: `${passing} of ${GATES.length} gates pass`,
    },
    gates,
  };
}

// Served in a shuffled order (389 is prime to 1,000), so sorting has something to do.
const SERVICES = Array.from({ length: TOTAL }, (_, k) =>
  service((k * 389) % TOTAL),
);

type Service = ReturnType<typeof service>;
const count = (s: Service, status: string) =>
  s.gates.filter(g => g.status === status).length;
/**
 * The order the page shows by default, said independently of the page's code: riskiest first
 * (more failing gates, then more missing, then more stale), ties by title.
 */
const BY_RISK = [...SERVICES].sort(
  (a, b) =>
    count(b, 'fail') - count(a, 'fail') ||
    count(b, 'missing') - count(a, 'missing') ||
    count(b, 'stale') - count(a, 'stale') ||
    a.title.localeCompare(b.title),
);

/** Answers the portal's portfolio requests as the backend would: a page by offset and limit. */
async function serveThousand(page: Page, requests: string[]) {
  await page.route(
    url => new URL(url).pathname === '/api/rco/portfolio',
    route => {
      const url = new URL(route.request().url());
      requests.push(url.search);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 100);
      return route.fulfill({
        json: {
          items: SERVICES.slice(offset, offset + limit),
          totalItems: TOTAL,
        },
      });
    },
  );
}

type LongTask = { start: number; duration: number };

/**
 * Records every long task (over 50 ms) of the page from its first script on; `__longTasks()`
 * also takes the entries the observer has not delivered yet.
 */
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
 * Runs the interactions one by one, noting when each starts; at the end, the longest task that
 * started during each one. Only reported: how long a task takes depends on the machine.
 */
async function measure(
  page: Page,
  steps: Array<[string, () => Promise<void>]>,
) {
  const starts: number[] = [];
  for (const [i, [, step]] of steps.entries()) {
    // The first step loads the page: the new document's clock starts at 0.
    starts.push(i === 0 ? 0 : await page.evaluate(() => performance.now()));
    await step();
  }
  const tasks: LongTask[] = await page.evaluate(() =>
    (window as any).__longTasks(),
  );
  return steps.map(([name], i) => {
    const during = tasks.filter(
      t =>
        t.start >= starts[i] &&
        (i + 1 === starts.length || t.start < starts[i + 1]),
    );
    return {
      name,
      longest: Math.round(Math.max(0, ...during.map(t => t.duration))),
    };
  });
}

test('1,000 services: paged, sorted and filtered in the browser, with the longest task reported', async ({
  page,
}) => {
  const requests: string[] = [];
  await serveThousand(page, requests);
  await observeLongTasks(page);
  await signIn(page);

  const table = page.getByRole('table').first();
  const pager = page
    .getByRole('row')
    .filter({ has: page.getByRole('button', { name: 'Next Page' }) });
  const services = table.getByRole('link', { name: /^Service \d{4}$/ });
  const heading = (n: number) =>
    page.getByRole('heading', { name: `Governed services (${n})` });
  // A laptop screen: 20 services fit without scrolling.
  await page.setViewportSize({ width: 1366, height: 768 });
  const sortByService = () =>
    table
      .getByRole('columnheader', { name: 'Service' })
      .getByRole('button', { name: 'Service' })
      .first()
      .click();
  const filters = page.getByRole('group', { name: 'Filter services' });
  const choose = async (filter: string, option: string) => {
    await filters.getByRole('button', { name: filter, exact: true }).click();
    await page.getByRole('option', { name: option, exact: true }).click();
  };
  const failing = SERVICES.filter(s =>
    s.gates.some(g => g.id === 'image-scanning' && g.status === 'fail'),
  );
  const team3 = failing.filter(s => s.owners.includes('group:default/team-3'));
  expect(team3.length).toBeGreaterThan(1);

  const timings = await measure(page, [
    [
      'load 1,000 services',
      async () => {
        // From the sidebar, as a platform lead starts.
        await page
          .getByRole('link', { name: 'Release readiness', exact: true })
          .click();
        await expect(page).toHaveURL(/\/release-readiness$/);
        await expect(heading(1000)).toBeVisible();
        await expect(pager).toContainText('1-20 of 1000');
        await expect(services).toHaveCount(20);
        // Riskiest first, and all 20 on one laptop screen.
        await expect(services.first()).toHaveText(BY_RISK[0].title);
        await expect(services.nth(19)).toBeInViewport();
        await page.screenshot({
          path: `${__dirname}/../../../docs/screenshots/portfolio-laptop.png`,
        });
        // Two backend pages of 500, asked for by offset and limit.
        expect(requests.sort()).toEqual([
          '?offset=0&limit=500',
          '?offset=500&limit=500',
        ]);
      },
    ],
    [
      'next page',
      async () => {
        await pager.getByRole('button', { name: 'Next Page' }).click();
        await expect(pager).toContainText('21-40 of 1000');
        await expect(services.first()).toHaveText(BY_RISK[20].title);
      },
    ],
    [
      '100 rows per page',
      async () => {
        await pager.getByRole('button', { name: /^Rows per page/ }).click();
        await page.getByRole('option', { name: '100' }).click();
        await expect(pager).toContainText('1-100 of 1000');
        await expect(services).toHaveCount(100);
      },
    ],
    [
      'sort by service, ascending',
      async () => {
        await sortByService();
        await expect(services.first()).toHaveText('Service 0000');
      },
    ],
    [
      'sort by service, descending',
      async () => {
        await sortByService();
        await expect(services.first()).toHaveText('Service 0999');
      },
    ],
    [
      'last page',
      async () => {
        await pager.getByRole('button', { name: 'Last Page' }).click();
        await expect(pager).toContainText('901-1000 of 1000');
        await expect(services.last()).toHaveText('Service 0000');
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
      },
    ],
    [
      'filter: owner team-3',
      async () => {
        // Owners by name (the catalog has no such group: its name from the ref).
        await choose('Owner', 'team-3');
        await expect(heading(team3.length)).toBeVisible();
        await expect(services).toHaveCount(team3.length);
      },
    ],
    [
      'search one service',
      async () => {
        await page
          .getByRole('searchbox', { name: 'Search' })
          .fill(team3[0].title);
        await expect(services).toHaveCount(1);
        await expect(services.first()).toHaveText(team3[0].title);
      },
    ],
    [
      'reload: the view is in the address',
      async () => {
        await page.reload();
        await expect(heading(1)).toBeVisible();
        await expect(services.first()).toHaveText(team3[0].title);
      },
    ],
  ]);

  const worst = timings
    .slice(1)
    .reduce((a, b) => (b.longest > a.longest ? b : a));
  // The figure the issue asks for, printed (a benchmark's output, not an assertion).
  // eslint-disable-next-line no-console
  console.log(
    [
      '1,000 services, longest main-thread task per interaction:',
      ...timings.map(t => `  ${t.name}: ${t.longest} ms`),
      `longest task while paging, sorting and filtering: ${worst.longest} ms (${worst.name})`,
    ].join('\n'),
  );
});

test('keyboard: a skip link takes the services table within a few Tab presses', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/release-readiness');
  await expect(
    page.getByRole('heading', { name: /^Governed services/ }),
  ).toBeVisible();
  // Past the sidebar: the skip link is the page's first stop.
  const skip = page.getByRole('link', { name: 'Skip to the services table' });
  expect(await tabTo(page, skip, { max: 15 })).toBeLessThanOrEqual(15);
  await page.keyboard.press('Enter');
  await expect(
    page.getByRole('region', { name: /^Governed services/ }),
  ).toBeFocused();
  // Then the column headers' sort buttons and the first service.
  const first = page
    .getByRole('table')
    .first()
    .getByRole('link', { name: /RCO/ })
    .first();
  expect(await tabTo(page, first, { max: 8 })).toBeLessThanOrEqual(8);
});
