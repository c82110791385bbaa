// The install test's look at the page: in headless Chromium, sign in as the template's guest,
// open the example entity from the catalog and check that the Runbook tab shows the runbook and
// the Release tab shows the gate checklist and the deploy state, with no error panel.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const require = createRequire(path.join(ROOT, 'package.json'));

export const ENTITY_TITLE = 'example-service';

async function expectText(page, text, what) {
  try {
    await page
      .getByText(text)
      .first()
      .waitFor({ state: 'visible', timeout: 60_000 });
  } catch {
    throw new Error(
      `${what}: "${text}" not shown. Page text:\n${(
        await page.innerText('body')
      ).slice(0, 3000)}`,
    );
  }
}

async function noErrorPanel(page, where) {
  const errors = page.getByText(/^(Error|Warning): /);
  if (await errors.count()) {
    throw new Error(
      `${where} shows an error: ${await errors.first().innerText()}`,
    );
  }
}

export async function checkInBrowser({ baseUrl, variant, screenshots, log }) {
  const { chromium } = require('@playwright/test');
  fs.mkdirSync(screenshots, { recursive: true });
  const browser = await chromium.launch(require('./scripts/chromium.cjs'));
  const page = await browser.newPage({
    viewport: { width: 1400, height: 1000 },
  });
  const consoleErrors = [];
  page.on('pageerror', e => consoleErrors.push(String(e)));
  try {
    await page.goto(baseUrl);
    const enter = page.getByRole('button', { name: 'Enter' });
    const entityLink = page.getByRole('link', {
      name: ENTITY_TITLE,
      exact: true,
    });
    await enter.or(entityLink).first().waitFor({ timeout: 90_000 });
    if (await enter.isVisible()) await enter.click();
    log(
      `${variant}: signed in as guest; opening ${ENTITY_TITLE} from the catalog`,
    );
    await entityLink.first().click();

    // New apps group entity tabs (the Runbook sits in "Documentation" beside TechDocs, shown as a
    // menu when the group has several tabs); the legacy EntityLayout lists every tab.
    const tabs = page
      .getByRole('navigation', { name: 'Content navigation' })
      .or(page.getByRole('tablist'));
    const runbookTab = tabs.getByText('Runbook', { exact: true }).first();
    await tabs
      .getByText('Release', { exact: true })
      .first()
      .waitFor({ timeout: 60_000 });
    if (!(await runbookTab.isVisible())) {
      await tabs.getByText('Documentation', { exact: true }).first().click();
      await page
        .getByRole('menuitemradio', { name: 'Runbook' })
        .or(page.getByRole('menuitem', { name: 'Runbook' }))
        .first()
        .click();
    } else {
      await runbookTab.click();
    }
    await expectText(
      page,
      'Production-Ready Runbook',
      `${variant} Runbook tab`,
    );
    await expectText(
      page,
      '15. Final Review Gate Checklist',
      `${variant} Runbook tab`,
    );
    await noErrorPanel(page, `${variant} Runbook tab`);
    await page.screenshot({
      path: path.join(screenshots, `${variant}-runbook.png`),
      fullPage: true,
    });
    log(`${variant}: Runbook tab shows the runbook and its 16 sections`);

    await tabs.getByText('Release', { exact: true }).first().click();
    await expectText(page, 'Monitoring & Alerting', `${variant} Release tab`);
    await expectText(
      page,
      'Image & Dependency Scanning',
      `${variant} Release tab`,
    );
    await expectText(
      page,
      'Progressive Delivery Validation',
      `${variant} Release tab`,
    );
    await noErrorPanel(page, `${variant} Release tab`);
    await page.screenshot({
      path: path.join(screenshots, `${variant}-release.png`),
      fullPage: true,
    });
    log(`${variant}: Release tab shows the ten gates`);
    if (consoleErrors.length)
      throw new Error(`page errors: ${consoleErrors.join('\n')}`);
  } catch (error) {
    await page
      .screenshot({
        path: path.join(screenshots, `${variant}-failure.png`),
        fullPage: true,
      })
      .catch(() => {});
    throw new Error(
      `${error.message}\n(at ${page.url()}; screenshot ${variant}-failure.png)`,
    );
  } finally {
    await browser.close();
  }
}
