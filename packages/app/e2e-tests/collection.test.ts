// Issue 13, point 5: the local portal runs the real Kubernetes collector against its two
// simulated clusters (examples/cluster, served by the backend; app-config.development.yaml), and
// the Release tab shows what the console collected itself: the evidence with its provenance,
// and per cluster and kind the collection's health, including the production cluster's refused
// PolicyReports (a 403 it answers on purpose). Runs before release.test.ts and the journey,
// whose starting state it leaves as it found it (a collection now reads the same objects).
/* eslint-disable no-console */ // The test prints the contrast ratios it measures.
import { expect, Locator, Page, test } from '@playwright/test';
import { contrastOf } from './a11y';
import { portalNow } from './cluster';
import { openRelease, row } from './releasePage';
import { signIn } from './signIn';

const SCREENSHOTS = `${__dirname}/../../../docs/screenshots`;

const panel = (page: Page) =>
  page.getByRole('region', {
    name: 'Evidence the console collects',
    exact: true,
  });
const cluster = (page: Page, name: string) =>
  panel(page).getByRole('region', {
    name: `Collection from ${name}`,
    exact: true,
  });
const health = (page: Page, clusterName: string, kind: string) =>
  cluster(page, clusterName).getByRole('listitem', {
    name: `${kind} in ${clusterName}`,
    exact: true,
  });

/** The kinds that work are one line until asked for: show them. */
async function showWorking(page: Page, clusterName: string) {
  await cluster(page, clusterName)
    .getByRole('button', { name: /^Show the \d+ kinds? collected from / })
    .click();
}

/**
 * A collector's first run follows the portal's start by seconds: wait for it (a fresh read
 * every few seconds), then show the cluster's working kinds.
 */
async function collected(page: Page, environment: string) {
  const name = `simulated-${environment}`;
  await openRelease(page, environment);
  const ran = cluster(page, name).getByText(/kinds? collected, /);
  for (let i = 0; i < 12 && !(await ran.isVisible()); i++) {
    await page.waitForTimeout(5_000);
    await openRelease(page, environment);
  }
  await expect(ran).toBeVisible();
  await showWorking(page, name);
  await expect(health(page, name, 'Deployment')).toBeVisible();
}

async function lastSuccess(item: Locator) {
  return item.locator('time').first().getAttribute('datetime');
}

test('the Release tab shows evidence the console collected from a simulated cluster, with its provenance', async ({
  page,
}) => {
  await signIn(page);
  await collected(page, 'staging');

  // The cluster says what it is, in words, where its name is.
  const staging = cluster(page, 'simulated-staging');
  await expect(
    staging.getByText('Simulated cluster', { exact: true }),
  ).toBeVisible();
  await expect(staging).toContainText('Nothing real runs there');
  const report = health(page, 'simulated-staging', 'PolicyReport');
  await expect(report.getByText('OK', { exact: true })).toBeVisible();
  await expect(report).toContainText('for staging');
  await expect(report).toContainText(/last success .+\(.+\)/);
  await expect(report).toContainText('1 object');

  // The gate rests on the cluster's own report: what was read, where, last observed when.
  const policy = row(page, 'Policy Enforcement');
  await expect(policy).toContainText(
    /PolicyReport rco-staging\/polr-ns-rco-staging in simulated-staging \(simulated cluster\), last observed/,
  );
  await expect(policy).toContainText('from cluster');
  await expect(policy.getByText('Pass', { exact: true })).toBeVisible();

  await policy
    .getByRole('button', { name: /^Open policy-report evidence/ })
    .click();
  const drawer = page.getByRole('dialog', { name: 'Evidence' });
  await expect(drawer.getByText('Collected by the console')).toBeVisible();
  for (const text of [
    'simulated-staging (simulated cluster)',
    'rco-staging',
    'PolicyReport (wgpolicyk8s.io/v1alpha2) polr-ns-rco-staging',
  ]) {
    await expect(drawer.getByText(text, { exact: true })).toBeVisible();
  }
  // uid and resourceVersion as the cluster gave them; first seen and last observed as times.
  const cell = (label: string) =>
    drawer
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: label, exact: true }) })
      .getByRole('cell')
      .nth(1);
  await expect(cell('UID')).toHaveText(/^[0-9a-f-]{36}$/);
  await expect(cell('Resource Version')).toHaveText(/^\d+$/);
  await expect(cell('First Seen')).toHaveText(/\(.+\)$/);
  await expect(cell('Last Observed')).toHaveText(/\(.+\)$/);
  await cell('Last Observed').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENSHOTS}/collection-provenance.png` });
  await drawer.getByRole('button', { name: 'Close evidence' }).click();
  await expect(drawer).toBeHidden();
});

test("a degraded collector's health says the error in words, beside the kinds that work", async ({
  page,
}) => {
  await signIn(page);
  await collected(page, 'production');
  const refused = health(page, 'simulated-production', 'PolicyReport');
  await expect(refused.getByText('Failing', { exact: true })).toBeVisible();
  await expect(refused).toContainText('403 Forbidden');
  await expect(refused).toContainText(
    'cannot list resource "policyreports" in API group "wgpolicyk8s.io"',
  );
  await expect(refused).toContainText('never collected successfully');
  await expect(refused).toContainText(/goes\s+stale with age/);
  await expect(panel(page)).toContainText(
    /kinds? failing: PolicyReport in simulated-production/,
  );
  // Nothing current collected: the gate reads the Kyverno report CI uploaded, and fails on it.
  const policy = row(page, 'Policy Enforcement');
  await expect(policy.getByText('Fail', { exact: true })).toBeVisible();
  await expect(policy).toContainText('polr-ns-rco-prod');

  // State chips say their state in a word that reads at 4.5:1 at least.
  for (const [item, word] of [
    [refused, 'Failing'],
    [health(page, 'simulated-production', 'Deployment'), 'OK'],
    [cluster(page, 'simulated-production'), 'Simulated cluster'],
  ] as const) {
    const { ratio, foreground, background } = await contrastOf(
      item.getByText(word, { exact: true }).first(),
    );
    console.log(`${word} chip ${foreground} on ${background}: ${ratio}:1`);
    expect(ratio, `${word} chip contrast`).toBeGreaterThanOrEqual(4.5);
  }
  // The screenshot shows the panel as a newcomer first sees it: working kinds in one line.
  await page.reload();
  await expect(refused).toBeVisible();
  await panel(page).screenshot({
    path: `${SCREENSHOTS}/collection-health.png`,
  });
});

test('an owner collects now: the button waits for the run, the outcome is announced, the last success moves', async ({
  page,
}) => {
  await signIn(page);
  await collected(page, 'production');
  const report = health(page, 'simulated-production', 'Deployment');
  const before = await lastSuccess(report);
  const asked = await portalNow(page.request);

  await panel(page).getByRole('button', { name: 'Collect now' }).click();
  await expect(
    panel(page)
      .getByRole('status')
      .filter({ hasText: /^Collection finished\./ }),
  ).toBeVisible();
  await expect(
    panel(page).getByRole('button', { name: 'Collect now' }),
  ).toBeEnabled();
  await expect.poll(() => lastSuccess(report)).not.toBe(before);
  const after = Date.parse((await lastSuccess(report)) ?? '');
  expect(after).toBeGreaterThanOrEqual(asked - 1_000);
  // The refused kind stays refused: a collection on demand does not paper over it.
  await expect(
    health(page, 'simulated-production', 'PolicyReport').getByText('Failing', {
      exact: true,
    }),
  ).toBeVisible();
  await page.screenshot({
    path: `${SCREENSHOTS}/collection-release-tab.png`,
    fullPage: true,
  });

  // Narrow: the health wraps instead of scrolling sideways.
  await page.setViewportSize({ width: 400, height: 900 });
  const box = panel(page);
  await box.scrollIntoViewIfNeeded();
  const overflow = await box.evaluate(el => el.scrollWidth - el.clientWidth);
  expect(overflow).toBeLessThanOrEqual(1);
  await cluster(page, 'simulated-production').screenshot({
    path: `${SCREENSHOTS}/collection-narrow.png`,
  });
});
