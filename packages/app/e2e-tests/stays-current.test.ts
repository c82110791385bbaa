// The local portal left open: moved past the demo's RPO window and on by a day with the portal's
// own clock control (the demo banner's buttons), never by sleeping, the verdicts it shows do not
// decay, because the demo evidence is kept current the way Velero, the nightly scan and Kyverno's
// background scan keep real evidence current (issue 12, point 3). Runs last: it moves the clock.
import { expect, Page, test } from '@playwright/test';
import { gateStatuses, openRelease, verdict } from './releasePage';
import { signIn } from './signIn';

const SCREENSHOTS = `${__dirname}/../../../docs/screenshots`;

async function snapshot(page: Page) {
  const chips = await page
    .getByRole('group', { name: 'This release in each environment' })
    .getByRole('button')
    .allInnerTexts();
  return {
    verdict: await verdict(page).getAttribute('aria-label'),
    chips,
    gates: await gateStatuses(page),
  };
}

test('moved past the RPO window and on by a day with the portal clock, the verdicts do not decay', async ({
  page,
}) => {
  await signIn(page);
  await openRelease(page, 'production');
  const banner = page.getByRole('note', { name: 'Demo data' });
  await expect(banner).toContainText('Demo data');
  const before = await snapshot(page);
  expect(Object.keys(before.gates)).toHaveLength(10);

  for (const step of ['10 minutes', '1 hour', '1 day']) {
    const clock = await banner.innerText();
    await banner
      .getByRole('button', { name: `Move the portal clock forward by ${step}` })
      .click();
    await expect(banner).not.toHaveText(clock);
    // A fresh load reads what the backend judges at the new time, not what the page held.
    await openRelease(page, 'production');
    await expect.poll(() => snapshot(page)).toEqual(before);
  }
  // Velero's schedule kept backing up: the newest backup is minutes old on the portal's clock.
  await expect(
    page.getByRole('row').filter({ hasText: 'RTO/RPO Verification' }),
  ).toContainText(/Newest backup \d+ min old/);
  await page.screenshot({
    path: `${SCREENSHOTS}/journey-7-a-day-later.png`,
    fullPage: true,
  });
});
