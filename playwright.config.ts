import { defineConfig } from '@playwright/test';
const chromiumLaunchOptions = require('./scripts/chromium.cjs');

/**
 * End-to-end tests in headless Chromium against the running portal (frontend on 3000, backend
 * on 7007). Playwright never downloads a browser here: it drives the system Chromium
 * (Debian's `chromium`, or CHROMIUM_PATH).
 */
export default defineConfig({
  testDir: 'packages/app/e2e-tests',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'e2e-test-report' }],
  ],
  webServer: {
    // Reuses a portal that is already up (`yarn start`), otherwise starts one with the frontend
    // built for production (scripts/e2e-portal.mjs says why).
    command: 'node scripts/e2e-portal.mjs',
    url: 'http://localhost:3000',
    reuseExistingServer: true,
    timeout: 300_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
  use: {
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: chromiumLaunchOptions,
  },
  outputDir: 'node_modules/.cache/e2e-test-results',
});
