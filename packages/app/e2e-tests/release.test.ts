import { expect, Page, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { BACKEND, CI_TOKEN, demo, examples, samples } from './api';
import { signIn } from './signIn';

const SCREENSHOTS = `${__dirname}/../../../docs/screenshots`;
async function openRelease(page: Page) {
  await signIn(page);
  await page.goto('/catalog/default/component/rco');
  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Release' })
    .click();
  await expect(page.getByLabel(/^Verdict:/)).toBeVisible();
  // The demo's cluster state is production's: judge the release there (its chip).
  await page
    .getByRole('group', { name: 'This release in each environment' })
    .getByRole('button', { name: /^production: / })
    .click();
  await expect(page.getByLabel(/^Verdict: \w+ in production/)).toBeVisible();
}

const row = (page: Page, gate: string) =>
  page.getByRole('row').filter({ hasText: gate });

test('the Release tab shows failing gates with reasons, evidence and the way to the runbook', async ({
  page,
}) => {
  await openRelease(page);
  await expect(
    page.getByLabel(/^Verdict: Blocked in production\. Blocked by \d+ gates/),
  ).toBeVisible();
  await expect(
    row(page, 'Policy Enforcement').getByText('Fail', { exact: true }),
  ).toBeVisible();
  await expect(row(page, 'Policy Enforcement')).toContainText(
    'require-run-as-nonroot',
  );
  await expect(
    row(page, 'Migration Controls').getByText('Stale', { exact: true }),
  ).toBeVisible();
  await expect(row(page, 'Migration Controls')).toContainText('31 days old');
  await page.screenshot({
    path: `${SCREENSHOTS}/release-gates.png`,
    fullPage: true,
  });

  await row(page, 'Policy Enforcement')
    .getByRole('button', { name: /Open policy-report evidence/ })
    .click();
  const drawer = page.getByRole('dialog', { name: 'Evidence' });
  await expect(drawer.getByText('polr-ns-rco-prod').first()).toBeVisible();
  await expect(
    drawer.getByRole('button', { name: 'Download the document' }),
  ).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/release-evidence-drawer.png` });
  await drawer.getByRole('button', { name: 'Close evidence' }).click();

  await row(page, 'Policy Enforcement')
    .getByRole('link', { name: 'Gatekeeper/Kyverno rules validated' })
    .click();
  await expect(page).toHaveURL(/\/runbook#section-policy-enforcement$/);
  await expect(
    page.getByRole('region', { name: /^9\. Policy Enforcement/ }),
  ).toBeInViewport();
});

test('a Trivy report must be about the release image, and a later clean scan does not erase a finding', async ({
  page,
  request,
}) => {
  await openRelease(page);
  await expect(
    row(page, 'Image & Dependency Scanning').getByText('Fail', { exact: true }),
  ).toBeVisible();
  const url = `${BACKEND}/api/rco/entities/component/default/rco/evidence?digest=${demo.release.digest}&version=${demo.release.version}`;
  const headers = {
    Authorization: `Bearer ${CI_TOKEN}`,
    'Content-Type': 'application/json',
  };

  // A report of another image (the sample names trivy-test-images) is refused, naming both.
  const unrelated = await request.post(url, {
    headers,
    data: fs.readFileSync(
      path.join(samples, 'trivy-image-alpine310.json'),
      'utf8',
    ),
  });
  expect(unrelated.status()).toBe(400);
  expect(await unrelated.text()).toContain('trivy-test-images');

  // A clean report of the release image itself is kept, but the earlier HIGH finding stands.
  const demoReport = JSON.parse(
    fs.readFileSync(
      path.join(examples, 'rco/evidence/trivy-rco-1.3.2.json'),
      'utf8',
    ),
  );
  for (const result of demoReport.Results ?? []) result.Vulnerabilities = [];
  const clean = await request.post(url, {
    headers,
    data: JSON.stringify(demoReport).replace(
      /\{\{now[^}]*\}\}/g,
      new Date().toISOString(),
    ),
  });
  expect([200, 201]).toContain(clean.status());

  await page.reload();
  await expect(
    row(page, 'Image & Dependency Scanning').getByText('Fail', { exact: true }),
  ).toBeVisible();
  await expect(row(page, 'Image & Dependency Scanning')).toContainText(
    'does not erase these findings',
  );
});

test('the portfolio lists RCO and RCOT', async ({ page }) => {
  await signIn(page);
  await page.goto('/release-readiness');
  // A backend just started judges its services in the background: the page says how many are
  // pending and fills in by itself (it asks again every 2 s), so the rows come without a reload.
  const map = page.getByRole('region', {
    name: 'Heat map of services by gate',
  });
  const judged = { timeout: 110_000 };
  const rco = map.getByRole('link', { name: 'RCO – Remote-Call Orchestrator' });
  const rcot = map.getByRole('link', {
    name: 'RCOT – Remote-Call Orchestrator Telemetry',
  });
  await expect(rco).toBeVisible(judged);
  await expect(rcot).toBeVisible(judged);
  await expect(page.getByText(/being judged/)).toHaveCount(0, judged);
  await expect(
    page.getByRole('heading', { name: /^Governed services \(\d+\)$/ }),
  ).toBeVisible();
  // RCO's gates are cells labelled with the gate's title and status in words.
  const rcoRow = map.getByRole('row').filter({
    has: page.getByRole('link', { name: 'RCO – Remote-Call Orchestrator' }),
  });
  await expect(
    rcoRow.getByRole('cell', {
      name: /^Policy Enforcement: (pass|fail|missing|stale|waived)/,
    }),
  ).toBeVisible();
  await page.screenshot({
    path: `${SCREENSHOTS}/portfolio.png`,
    fullPage: true,
  });

  // The table lists them too, with their readiness.
  await page.getByRole('button', { name: 'Table', exact: true }).click();
  await expect(page).toHaveURL(/\?view=table$/);
  const table = page.getByRole('table');
  await expect(
    table.getByRole('link', { name: 'RCO – Remote-Call Orchestrator' }),
  ).toBeVisible();
  await expect(
    table.getByRole('row').filter({ hasText: 'RCOT – Remote-Call' }),
  ).toContainText(/Ready|gates unmet/);
});
