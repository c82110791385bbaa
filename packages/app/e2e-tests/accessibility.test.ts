/* eslint-disable no-console */ // The test prints the figures it measures (contrast ratios).
import { expect, Page, test } from '@playwright/test';
import {
  bodyLuminance,
  chooseDarkTheme,
  contrastOf,
  holdsFocus,
  tabTo,
} from './a11y';
import { signIn } from './signIn';

const SCREENSHOTS = `${__dirname}/../../../docs/screenshots`;
const STATUS_WORD = /^(Pass|Fail|Missing|Stale|Waived)$/;

async function openRelease(page: Page) {
  await signIn(page);
  // Production: the demo's Kyverno report (and its evidence button) is production's cluster state.
  await page.goto(
    '/catalog/default/component/rco/release?environment=production',
  );
  await expect(page.getByLabel(/^Verdict:/)).toBeVisible();
}

const row = (page: Page, gate: string) =>
  page.getByRole('row').filter({ hasText: gate });

test('the Release tab works from the keyboard alone', async ({ page }) => {
  // Well over a hundred Tab presses, each checked: 1.7 minutes alone on a 2-core machine, and
  // 4.4-5.4 in CI, where it runs first, beside the install test's fresh apps (scripts/test.sh).
  test.setTimeout(600_000);
  await openRelease(page);

  // Every control has a name a screen reader can say (read from the accessibility tree at
  // once: a page with a long deploy history has hundreds); headers that do not sort are no
  // buttons.
  const tree = await page.getByRole('main').ariaSnapshot();
  expect(tree).toMatch(/- button "/);
  expect(tree).not.toMatch(/^\s*- (button|link)(?: \[[^\]]*\])?:?\s*$/m);
  for (const header of ['Reasons', 'Evidence']) {
    await expect(
      page.getByRole('columnheader', { name: header }).getByRole('button'),
    ).toHaveCount(0);
  }
  await expect(page.getByRole('status', { name: /^Verdict: / })).toBeVisible();

  // Deploy is a skip link away, not 44 Tab presses (issue 12, point 10).
  const skip = page.getByRole('link', { name: 'Skip to Deploy' });
  const toSkip = await tabTo(page, skip);
  console.log(
    `Tab presses from the top of the page to "Skip to Deploy": ${toSkip}`,
  );
  await page.keyboard.press('Enter');
  await expect(page.locator('#rco-deploy')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.locator('#rco-deploy').locator(':focus')).toHaveCount(1);

  // Tab to a gate's evidence, Enter opens the drawer with focus inside, Escape gives it back.
  const evidence = row(page, 'Policy Enforcement').getByRole('button', {
    name: 'Open policy-report evidence for Policy Enforcement',
  });
  // The deploy history above the checklist shows its newest 10 operations at first.
  const presses = await tabTo(page, evidence, { max: 300 });
  console.log(
    `Tab presses from the top of the page to the evidence button: ${presses}`,
  );
  await page.keyboard.press('Enter');
  const drawer = page.getByRole('dialog', { name: 'Evidence' });
  await expect(drawer.getByText('polr-ns-rco-prod').first()).toBeVisible();
  expect(await holdsFocus(drawer)).toBe(true);
  await tabTo(page, drawer.getByRole('button', { name: 'Close evidence' }));
  await tabTo(
    page,
    drawer.getByRole('button', { name: 'Download the document' }),
  );
  await page.keyboard.press('Tab');
  expect(await holdsFocus(drawer)).toBe(true); // the focus stays trapped in the drawer
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
  await expect(evidence).toBeFocused();

  // The release picker opens from the keyboard and gives the focus back on Escape.
  const picker = page.getByRole('button', { name: 'Release', exact: true });
  await tabTo(page, picker, { backwards: true });
  await page.keyboard.press('Enter');
  const releases = page.getByRole('listbox');
  await expect(releases.getByRole('option').first()).toBeVisible();
  expect(await holdsFocus(releases)).toBe(true);
  await page.keyboard.press('Escape');
  await expect(releases).toBeHidden();
  await expect(picker).toBeFocused();

  const waive = page.getByRole('button', { name: 'Waive a gate' });
  if (await waive.isVisible()) {
    // A member of the waiver group: the waiver dialog by keyboard, closed with Escape.
    await tabTo(page, waive);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Waive a gate' });
    await expect(
      dialog.getByRole('textbox', { name: 'Justification' }),
    ).toBeVisible();
    expect(await holdsFocus(dialog)).toBe(true);
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(waive).toBeFocused();
  } else {
    // The local portal's guest is an owner outside the waiver group: told why, and the owner's
    // own control (recording the release request for four eyes) is reachable by keyboard.
    // Named from the waiver group, not "the waiver group" (issue 12, point 1).
    await expect(
      page.getByText(/^Waivers are granted by Samir Haddad/),
    ).toBeVisible();
    const request = page
      .getByRole('region', { name: 'Release request' })
      .getByRole('button', { name: 'Request this release' });
    await tabTo(page, request);
    await expect(request).toBeEnabled();
  }
});

test('the Release tab in the dark theme: a dark page, status chips in words at 4.5:1', async ({
  page,
}) => {
  await signIn(page);
  await chooseDarkTheme(page);
  await page.goto('/catalog/default/component/rco/release');
  await expect(page.getByLabel(/^Verdict:/)).toBeVisible();

  const luminance = await bodyLuminance(page);
  console.log(`dark theme: body background luminance ${luminance.toFixed(3)}`);
  expect(luminance).toBeLessThan(0.1);

  // Each gate's status cell says its status in a word, and the word reads at 4.5:1 at least.
  const table = page
    .getByRole('table')
    .filter({ hasText: 'Policy Enforcement' });
  const cells = table.getByRole('cell', { name: STATUS_WORD });
  await expect(cells).toHaveCount(10);
  const seen = new Map<string, number>();
  for (const cell of await cells.all()) {
    const word = (await cell.innerText()).trim();
    const { ratio, foreground, background } = await contrastOf(
      cell.getByText(word, { exact: true }),
    );
    if (!seen.has(word)) {
      console.log(
        `dark theme: ${word} chip ${foreground} on ${background}: ${ratio}:1`,
      );
    }
    seen.set(word, ratio);
    expect(ratio, `${word} chip contrast`).toBeGreaterThanOrEqual(4.5);
  }
  expect(seen.has('Fail')).toBe(true);

  const verdict = page.getByRole('status', { name: /^Verdict: / });
  const verdictText = (await verdict.innerText()).trim();
  const verdictContrast = await contrastOf(
    verdict.getByText(verdictText, { exact: true }),
  );
  console.log(
    `dark theme: verdict chip "${verdictText}": ${verdictContrast.ratio}:1`,
  );
  expect(verdictContrast.ratio).toBeGreaterThanOrEqual(4.5);

  // Pillar icons sit beside the words "Met"/"Not met"; as graphics they need 3:1 (WCAG 1.4.11).
  for (const name of ['met', 'not met']) {
    const icon = page.getByRole('img', { name, exact: true }).first();
    const { ratio } = await contrastOf(icon);
    console.log(`dark theme: pillar "${name}" icon: ${ratio}:1`);
    expect(ratio).toBeGreaterThanOrEqual(3);
  }

  await page.screenshot({
    path: `${SCREENSHOTS}/release-gates-dark.png`,
    fullPage: true,
  });
});
