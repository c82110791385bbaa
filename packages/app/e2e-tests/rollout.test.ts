// Runs after road-to-production.test.ts (files run in name order), which takes the demo release
// from blocked to production by following the page.
import { APIRequestContext, expect, Page, test } from '@playwright/test';
import { demoRelease, failNextAnalysis, RCO_API, tokenFor } from './api';
import { portalNow } from './cluster';
import { signIn } from './signIn';

const SCREENSHOTS = `${__dirname}/../../../docs/screenshots`;

// The tests share the local portal's state and build on each other, in this order.
test.describe.configure({ mode: 'serial' });

async function openProduction(page: Page) {
  await signIn(page);
  await page.goto(
    `/catalog/default/component/rco/release?environment=production&version=${demoRelease.version}&digest=${demoRelease.digest}`,
  );
  await expect(page.getByLabel(/^Verdict:/)).toBeVisible();
  const operations = page.getByRole('region', {
    name: 'Operations in production',
  });
  await expect(operations).toBeVisible();
  return operations;
}

async function deployAndConfirm(
  page: Page,
  operations: ReturnType<Page['getByRole']>,
) {
  const deploy = operations.getByRole('button', {
    name: 'Deploy',
    exact: true,
  });
  const blockers = operations.getByRole('list', {
    name: 'Why Deploy is disabled',
  });
  // Say why when it is not: the list names what still blocks.
  await expect
    .poll(async () => ((await blockers.count()) ? blockers.innerText() : ''))
    .toBe('');
  await expect(deploy).toBeEnabled();
  await deploy.click();
  const dialog = page.getByRole('dialog');
  await expect(
    dialog.getByText('Simulated cluster: nothing real is deployed.'),
  ).toBeVisible();
  await dialog.getByLabel('Type rco to confirm').fill('rc');
  await expect(dialog.getByRole('button', { name: 'Confirm' })).toBeDisabled();
  await dialog.getByLabel('Type rco to confirm').fill('rco');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toBeHidden();
  return operations.getByRole('region', { name: 'Operation progress' });
}

/**
 * The journey before this file rolled the demo release back in production, which marks it
 * (issue 15): taking it there again is break-glass, recorded by the break-glass group.
 */
async function breakGlassInProduction(request: APIRequestContext) {
  const token = await tokenFor(request, 'mei.tanaka');
  const res = await request.post(`${RCO_API}/overrides`, {
    headers: { Authorization: `Bearer ${token}` },
    data: {
      environment: 'production',
      release: demoRelease,
      justification:
        'Game day: the canary analysis must roll a bad release back',
      expiresAt: new Date(
        (await portalNow(request)) + 2 * 3_600_000,
      ).toISOString(),
    },
  });
  expect(res.status(), await res.text()).toBe(201);
}

test('a deploy whose canary analysis fails is rolled back, with the metric and its threshold', async ({
  page,
  request,
}) => {
  await breakGlassInProduction(request);
  await failNextAnalysis(request, 'production');
  const operations = await openProduction(page);
  const progress = await deployAndConfirm(page, operations);
  await progress.getByRole('button', { name: 'Promote' }).click();
  await expect(
    progress.getByText('Rolled back', { exact: true }).first(),
  ).toBeVisible();
  await expect(progress).toContainText(
    'metric "success-rate" assessed Failed: measured 0.91',
  );
  await expect(progress).toContainText('>= 0.99');
  await expect(progress).toContainText(
    /Rolled back automatically to revision \d+/,
  );
  await page.screenshot({
    path: `${SCREENSHOTS}/deploy-rolled-back.png`,
    fullPage: true,
  });
});
