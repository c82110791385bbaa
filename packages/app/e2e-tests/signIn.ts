import { Browser, expect, Page } from '@playwright/test';

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

/**
 * Signs in as one of the example organisation's people, by the name the page gave, in a browser
 * context of their own (the local portal's sign-in page offers them; see DemoSignInPage).
 */
export async function signInAs(browser: Browser, name: string) {
  const context = await browser.newContext({
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000',
  });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByRole('button', { name: `Sign in as ${name}` }).click();
  await expect(
    page.getByRole('heading', { name: 'Helix Catalog' }),
  ).toBeVisible();
  return page;
}
