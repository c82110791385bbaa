import { expect, Page } from '@playwright/test';

/** The local portal signs in as the guest user; the sign-in page offers Enter. */
export async function signIn(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  const catalog = page.getByRole('heading', { name: 'Helix Catalog' });
  await expect(enter.or(catalog)).toBeVisible();
  if (await enter.isVisible()) {
    await enter.click();
  }
  await expect(catalog).toBeVisible();
}
