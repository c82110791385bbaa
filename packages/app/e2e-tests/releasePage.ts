import { expect, Page } from '@playwright/test';

/** The Release tab's landmarks, as a person (or a screen reader) finds them. */
export const verdict = (page: Page) => page.getByLabel(/^Verdict:/);
export const row = (page: Page, gate: string) =>
  page.getByRole('row').filter({ hasText: gate });
export const whatToDo = (page: Page) =>
  page.getByRole('region', { name: /^What to do: / });

/** The Release tab from the entity page, judged in the environment the owner picks by its chip. */
export async function openRelease(page: Page, environment: string) {
  await page.goto('/catalog/default/component/rco');
  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Release' })
    .click();
  await expect(verdict(page)).toBeVisible();
  await page
    .getByRole('group', { name: 'This release in each environment' })
    .getByRole('button', { name: new RegExp(`^${environment}: `) })
    .click();
  await expect(verdict(page)).toHaveAccessibleName(
    new RegExp(`^Verdict: \\w+ (in|for) ${environment}`),
  );
}

/** Each gate's status as the checklist shows it, by gate title. */
export async function gateStatuses(page: Page) {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('[id^="gate-"]')].map(gate => [
        gate.querySelector('.MuiTypography-subtitle2')?.textContent ?? gate.id,
        gate.closest('tr')?.querySelectorAll('td')[1]?.textContent?.trim(),
      ]),
    ),
  );
}
