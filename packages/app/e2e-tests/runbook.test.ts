import { test, expect } from '@playwright/test';
import { signIn } from './signIn';

const SCREENSHOTS = `${__dirname}/../../../docs/screenshots`;

test('reads the RCO runbook v1.3: section 15 lists the ten gate checklist items', async ({
  page,
}) => {
  await signIn(page);
  await page.goto('/catalog/default/component/rco');
  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Runbook' })
    .click();

  await expect(
    page.getByText('RCO Integration – Production-Ready Runbook'),
  ).toBeVisible();
  await expect(page.getByText('v1.3.0', { exact: true })).toBeVisible();
  const toc = page.getByRole('navigation', { name: 'Runbook sections' });
  await expect(toc.getByRole('link')).toHaveCount(16);

  await toc
    .getByRole('link', { name: '15. Final Review Gate Checklist' })
    .click();
  await expect(page).toHaveURL(/#section-final-review-gate-checklist$/);
  const section = page.getByRole('region', {
    name: /15\. Final Review Gate Checklist/,
  });
  await expect(section).toBeInViewport();
  const table = section.getByRole('table').last();
  for (const item of [
    'Acronym Clarity',
    'Secret Hygiene',
    'Migration Controls',
    'Image & Dependency Scanning',
    'Progressive Delivery Validation',
    'Policy Enforcement',
    'Monitoring & Alerting',
    'Documentation Completeness',
    'RTO/RPO Verification',
    'DPO Sign-off',
  ]) {
    await expect(
      table.getByRole('cell', { name: item, exact: true }),
    ).toBeVisible();
  }
  await expect(
    section.getByText('Final Review Gate Checklist (10 items)'),
  ).toBeVisible();
  await section.screenshot({ path: `${SCREENSHOTS}/runbook-section-15.png` });
});

test('compares runbook v1.2 with v1.3', async ({ page }) => {
  await signIn(page);
  await page.goto('/catalog/default/component/rco/runbook');
  await page.getByRole('tab', { name: 'Compare versions' }).click();
  await expect(page).toHaveURL(/compare=1\.2\.0\.\.1\.3\.0/);
  await expect(page.getByText('12 sections changed')).toBeVisible();
  await expect(
    page
      .getByRole('region', { name: 'Changes in Glossary' })
      .getByText(/RCOT/)
      .first(),
  ).toBeVisible();
  await expect(page.getByText('targets.rto')).toBeVisible();
  // A table of contents of the changes, and changed words marked inline (no nested scroll box).
  const changes = page.getByRole('navigation', { name: 'Changes' });
  await changes.getByRole('link', { name: /Glossary/ }).click();
  await expect(page).toHaveURL(/#compare-glossary$/);
  await expect(
    page.getByRole('region', { name: 'Changes in Glossary' }),
  ).toBeInViewport();
  await page.screenshot({
    path: `${SCREENSHOTS}/runbook-compare.png`,
    fullPage: false,
  });
});

test('a deep link opens an earlier version at a section', async ({ page }) => {
  await signIn(page);
  await page.goto(
    '/catalog/default/component/rco/runbook?version=1.2.0#section-glossary',
  );
  await expect(page.getByText('earlier version')).toBeVisible();
  await expect(
    page.getByRole('region', { name: /14\. Glossary/ }),
  ).toBeInViewport();
});

test('a deep link opens at its section on a fresh load, at a phone width', async ({
  page,
}) => {
  await page.setViewportSize({ width: 420, height: 800 });
  await signIn(page);
  await page.goto(
    '/catalog/default/component/rco/runbook#section-final-review-gate-checklist',
  );
  const section = page.getByRole('region', {
    name: /15\. Final Review Gate Checklist/,
  });
  await expect(section).toBeInViewport();
  // Focused, so a screen reader starts reading there.
  await expect(section).toBeFocused();
  await page.screenshot({
    path: `${SCREENSHOTS}/runbook-deep-link-narrow.png`,
  });
});
