// Runs after release.test.ts (files run in name order): it makes the demo release pass, which
// release.test.ts expects to find failing first.
import { APIRequestContext, expect, Page, test } from '@playwright/test';
import {
  demoRelease,
  failNextAnalysis,
  makeDemoReleasePass,
  RCO_API,
  tokenFor,
} from './api';
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

const row = (page: Page, gate: string) =>
  page.getByRole('row').filter({ hasText: gate });

/** PO and Security approve the demo release (the DPO signs in makeDemoReleasePass). */
async function signOffPoAndSecurity(request: APIRequestContext) {
  for (const [who, role] of [
    ['priya.raman', 'po'],
    ['samir.haddad', 'security'],
  ]) {
    const token = await tokenFor(request, who);
    const res = await request.post(`${RCO_API}/signoffs`, {
      headers: { Authorization: `Bearer ${token}` },
      data: {
        role,
        release: demoRelease,
        comment: 'Reviewed for the e2e release',
      },
    });
    expect(res.status(), await res.text()).toBe(201);
  }
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

test('a rollback dry-run from the page turns migration-controls green', async ({
  page,
}) => {
  const operations = await openProduction(page);
  await expect(
    row(page, 'Migration Controls').getByText('Stale', { exact: true }),
  ).toBeVisible();
  const rollback = operations.getByRole('region', { name: 'Roll back' });
  await expect(
    rollback.getByRole('button', { name: 'Roll back', exact: true }),
  ).toBeDisabled();
  await rollback.getByRole('button', { name: 'Dry-run rollback' }).click();
  await expect(
    rollback
      .getByText(/Dry-run of revision \d+ .*succeeded|would succeed/)
      .first(),
  ).toBeVisible();
  await expect(
    rollback.getByRole('button', { name: 'Roll back', exact: true }),
  ).toBeEnabled();
  await page.reload();
  await expect(
    row(page, 'Migration Controls').getByText('Pass', { exact: true }),
  ).toBeVisible();
  await expect(row(page, 'Migration Controls')).toContainText(
    'Rollback dry-run succeeded',
  );
});

test('blocked deploy, then evidence and sign-offs, then deploy, confirm, canary pause, promote', async ({
  page,
  request,
}) => {
  // Live progress arrives through Backstage signals (a WebSocket), polling being the fallback.
  const signalFrames: string[] = [];
  page.on('websocket', ws => {
    if (!ws.url().includes('/api/signals')) return;
    ws.on('framereceived', frame => signalFrames.push(String(frame.payload)));
  });
  let operations = await openProduction(page);
  const deploy = operations.getByRole('button', {
    name: 'Deploy',
    exact: true,
  });
  await expect(deploy).toBeDisabled();
  const why = operations.getByRole('list', { name: 'Why Deploy is disabled' });
  // The Kyverno failure of the demo evidence, the missing DPO approval and production's sign-offs.
  await expect(why).toContainText('Policy Enforcement: fail');
  await expect(why).toContainText('DPO Sign-off: missing');
  await expect(why).toContainText(
    'Sign-off missing for production: Product Owner',
  );
  await page.screenshot({
    path: `${SCREENSHOTS}/deploy-blocked.png`,
    fullPage: true,
  });

  await makeDemoReleasePass(request);
  await signOffPoAndSecurity(request);
  await page.reload();
  operations = page.getByRole('region', { name: 'Operations in production' });
  await expect(page.getByLabel(/^Verdict: Ready/)).toBeVisible();

  const progress = await deployAndConfirm(page, operations);
  await expect(progress).toBeVisible();
  const promote = progress.getByRole('button', { name: 'Promote' });
  await expect(promote).toBeVisible();
  await expect(progress).toContainText(/20\s?%/);
  await page.screenshot({
    path: `${SCREENSHOTS}/deploy-canary-paused.png`,
    fullPage: true,
  });
  await promote.click();
  await expect(
    progress.getByText('Succeeded', { exact: true }).first(),
  ).toBeVisible();
  await expect(progress).toContainText('success-rate');
  expect(
    signalFrames.some(
      f =>
        // The entity's channel is keyed: it never names the entity (issue 10, point 8).
        /rco:operations:[0-9a-f]{64}/.test(f) &&
        !f.includes('component:default/rco') &&
        f.includes('succeeded'),
    ),
  ).toBe(true);

  const history = page.getByRole('table', { name: 'Deploy history' });
  await expect(history).toContainText('Succeeded');
  // People by display name (the catalog's), the ref on hover (issue 12, point 7).
  await expect(history).toContainText('Guest Newcomer');
  await page.screenshot({
    path: `${SCREENSHOTS}/deploy-succeeded.png`,
    fullPage: true,
  });
});

test('a deploy whose canary analysis fails is rolled back, with the metric and its threshold', async ({
  page,
  request,
}) => {
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
