// The install test's look at the page: in headless Chromium, sign in as the template's guest,
// open the example entity from the catalog and check the Runbook and Release tabs, with no
// error panel and no uncaught page error.
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

/**
 * Signs in, opens the example entity from the catalog and hands `check` a page and an
 * `openTab(name)` that clicks an entity tab the way a person would.
 */
async function onEntityPage({ baseUrl, name, screenshots, log }, check) {
  const { chromium } = require('@playwright/test');
  fs.mkdirSync(screenshots, { recursive: true });
  const browser = await chromium.launch(require('./scripts/chromium.cjs'));
  const page = await browser.newPage({
    viewport: { width: 1400, height: 1000 },
  });
  const pageErrors = [];
  page.on('pageerror', e => pageErrors.push(String(e)));
  // A backend answer of 500 or more is a failure even when the page hides it behind a spinner.
  page.on('response', r => {
    if (r.status() >= 500 && new URL(r.url()).pathname.startsWith('/api/')) {
      pageErrors.push(`${r.status()} from ${r.url()}`);
    }
  });
  try {
    await page.goto(baseUrl);
    const enter = page.getByRole('button', { name: 'Enter' });
    const entityLink = page.getByRole('link', {
      name: ENTITY_TITLE,
      exact: true,
    });
    await enter.or(entityLink).first().waitFor({ timeout: 90_000 });
    if (await enter.isVisible()) await enter.click();
    log(`${name}: signed in as guest; opening ${ENTITY_TITLE}`);
    await entityLink.first().click();

    // New apps group entity tabs (the Runbook sits in "Documentation" beside TechDocs, shown as
    // a menu when the group has several tabs); the legacy EntityLayout lists every tab.
    const tabs = page
      .getByRole('navigation', { name: 'Content navigation' })
      .or(page.getByRole('tablist'))
      .or(page.getByRole('list'));
    await tabs
      .getByText('Release', { exact: true })
      .first()
      .waitFor({ timeout: 60_000 });
    const openTab = async tab => {
      const direct = tabs.getByText(tab, { exact: true }).first();
      if (await direct.isVisible()) {
        await direct.click();
        return;
      }
      await tabs.getByText('Documentation', { exact: true }).first().click();
      await page
        .getByRole('menuitemradio', { name: tab })
        .or(page.getByRole('menuitem', { name: tab }))
        .first()
        .click();
    };
    await check(page, openTab);
    if (pageErrors.length) {
      throw new Error(`uncaught errors in the page: ${pageErrors.join('\n')}`);
    }
  } catch (error) {
    await page
      .screenshot({
        path: path.join(screenshots, `${name}-failure.png`),
        fullPage: true,
      })
      .catch(() => {});
    throw new Error(
      `${error.message}\n(at ${page.url()}; screenshot ${name}-failure.png)`,
    );
  } finally {
    await browser.close();
  }
}

const shot = (page, screenshots, file) =>
  page.screenshot({ path: path.join(screenshots, file), fullPage: true });

/** The configured app: the runbook, and the gates judged on the evidence CI uploaded. */
export async function checkInBrowser({ baseUrl, variant, screenshots, log }) {
  const name = variant;
  await onEntityPage(
    { baseUrl, name, screenshots, log },
    async (page, openTab) => {
      await openTab('Runbook');
      await expectText(page, 'Production-Ready Runbook', `${name} Runbook tab`);
      await expectText(
        page,
        '15. Final Review Gate Checklist',
        `${name} Runbook tab`,
      );
      await noErrorPanel(page, `${name} Runbook tab`);
      await shot(page, screenshots, `${name}-runbook.png`);
      log(`${name}: Runbook tab shows the runbook and its 16 sections`);

      await openTab('Release');
      for (const gate of [
        'Monitoring & Alerting',
        'Image & Dependency Scanning',
        'Progressive Delivery Validation',
      ]) {
        await expectText(page, gate, `${name} Release tab`);
      }
      // The evidence CI uploaded (step 8 of the guide) is judged: its gate passes.
      const monitoring = page
        .getByRole('row')
        .filter({ hasText: 'Monitoring & Alerting' });
      await monitoring
        .getByText('Pass', { exact: true })
        .waitFor({ timeout: 30_000 });
      // The deploy side reads the configured environment from the backend.
      await expectText(page, 'Simulated cluster', `${name} deploy side`);
      await page
        .getByRole('button', { name: /Work on staging/i })
        .waitFor({ timeout: 30_000 });
      await page.waitForLoadState('networkidle');
      await noErrorPanel(page, `${name} Release tab`);
      await shot(page, screenshots, `${name}-release.png`);
      log(
        `${name}: Release tab judges the uploaded evidence and offers the staging environment`,
      );

      // The Release readiness page is reached from the sidebar (the new frontend system lists it
      // by itself; the legacy app by the guide's Root.tsx step), not by typing its URL.
      await page
        .getByRole('link', { name: 'Release readiness', exact: true })
        .first()
        .click();
      await expectText(page, 'Governed services (1)', `${name} portfolio`);
      await expectText(page, ENTITY_TITLE, `${name} portfolio`);
      await noErrorPanel(page, `${name} portfolio`);
      await shot(page, screenshots, `${name}-portfolio.png`);
      log(`${name}: the sidebar's Release readiness entry opens the portfolio`);
    },
  );
}

/** The same app with no `rco:` section: the pages say what to configure instead of failing. */
export async function checkUnconfiguredInBrowser({
  baseUrl,
  variant,
  screenshots,
  log,
}) {
  const name = `${variant}-unconfigured`;
  await onEntityPage(
    { baseUrl, name, screenshots, log },
    async (page, openTab) => {
      await openTab('Runbook');
      await expectText(page, 'Production-Ready Runbook', `${name} Runbook tab`);
      await openTab('Release');
      await expectText(page, 'No evidence yet', `${name} Release tab`);
      await expectText(
        page,
        'No pipeline may upload evidence for this service yet.',
        `${name} Release tab`,
      );
      await expectText(
        page,
        'Deploys are off: this portal has no rco.environments configured.',
        `${name} Release tab`,
      );
      await page.waitForLoadState('networkidle');
      await noErrorPanel(page, `${name} Release tab`);
      await shot(page, screenshots, `${name}-release.png`);
      log(`${name}: Release tab says what to configure; deploys are off`);
    },
  );
}
