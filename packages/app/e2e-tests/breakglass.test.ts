// Break-glass as a member of the break-glass group (mei.tanaka of the example org), in staging:
// it records an override and then revokes it, so it leaves the gates as release.test.ts and
// rollout.test.ts expect them.
import { expect, test } from '@playwright/test';
import { BACKEND, demoRelease, RCO_API, tokenFor } from './api';
import { signIn } from './signIn';

const WHO = 'mei.tanaka';

test('break-glass: the group records an override within the portal maximum, sees it lift the gates, then revokes it', async ({
  page,
  request,
}) => {
  // The browser signs in as Mei: the guest sign-in answers with the local portal's demo-users
  // token for her (a real token of this backend).
  await page.route('**/api/auth/guest/refresh**', async route => {
    const response = await request.get(
      `${BACKEND}/api/auth/demoUsers/refresh`,
      {
        headers: {
          'x-requested-with': 'XMLHttpRequest',
          'x-rco-demo-user': WHO,
        },
      },
    );
    await route.fulfill({ response });
  });
  await signIn(page);
  await page.goto(
    `/catalog/default/component/rco/release?environment=staging&version=${demoRelease.version}&digest=${demoRelease.digest}`,
  );
  const operations = page.getByRole('region', {
    name: 'Operations in staging',
  });
  await expect(operations).toBeVisible();
  // Mei does not own RCO: she cannot deploy it, only break glass.
  await operations.getByRole('button', { name: 'Break glass' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('At most 4 hours from now')).toBeVisible();
  await dialog
    .getByLabel(/Justification/)
    .fill('Incident INC-4711: RCO drops calls after the 1.4 upgrade');
  const expires = dialog.getByLabel(/Expires/);
  const local = (hours: number) => {
    const d = new Date(
      Date.now() + hours * 3_600_000 - new Date().getTimezoneOffset() * 60_000,
    );
    return d.toISOString().slice(0, 16);
  };
  await expires.fill(local(6));
  await expect(
    dialog.getByText('More than 4 hours away: choose an earlier time'),
  ).toBeVisible();
  await expect(
    dialog.getByRole('button', { name: 'Record override' }),
  ).toBeDisabled();
  await expires.fill(local(2));
  await dialog.getByRole('button', { name: 'Record override' }).click();
  await expect(dialog).toBeHidden();

  const banner = page.getByRole('status', {
    name: 'Break-glass override active',
    exact: true,
  });
  // Who by display name, the ref on hover (issue 12, point 7).
  await expect(banner).toContainText('by Mei Tanaka: Incident INC-4711');
  // The page header says it too, not only the Deploy section (issue 12, point 7).
  await expect(
    page.getByRole('status', {
      name: 'Break-glass override active in staging',
    }),
  ).toContainText('Mei Tanaka');
  await expect(
    operations.getByRole('button', { name: 'Break glass' }),
  ).toBeHidden();
  await banner.scrollIntoViewIfNeeded();
  await page.screenshot({
    path: `${__dirname}/../../../docs/screenshots/break-glass-active.png`,
  });
  // The backend holds it too: the override is active for this release in staging.
  const token = await tokenFor(request, WHO);
  const listed = async () =>
    (
      await (
        await request.get(`${RCO_API}/overrides`, {
          headers: { Authorization: `Bearer ${token}` },
        })
      ).json()
    ).items.filter(
      (o: any) =>
        o.environment === 'staging' &&
        !o.revokedAt &&
        Date.parse(o.expiresAt) > Date.now(),
    );
  expect(await listed()).toHaveLength(1);

  await banner
    .getByRole('button', {
      name: 'Revoke the break-glass override for staging',
    })
    .click();
  await expect(banner).toBeHidden();
  await expect(
    operations.getByRole('button', { name: 'Break glass' }),
  ).toBeVisible();
  expect(await listed()).toHaveLength(0);
  await page.screenshot({
    path: `${__dirname}/../../../docs/screenshots/break-glass-revoked.png`,
  });
});
