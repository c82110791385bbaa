import { expect, test } from '@playwright/test';
import { signIn } from './signIn';

test('the Kubernetes tab shows its own empty state with no cluster, and the Release tab still works', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', error => errors.push(error.message));
  await signIn(page);
  await page.goto('/catalog/default/component/rco');
  const tabs = page.getByRole('navigation', { name: 'Content navigation' });

  // The local portal's kubernetes backend has an empty cluster list: the plugin says so itself.
  await tabs.getByRole('link', { name: 'Kubernetes' }).click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/rco\/kubernetes$/,
  );
  await expect(page.getByText('Your Clusters')).toBeVisible();
  await expect(page.getByText('No Kubernetes resources')).toBeVisible();
  await expect(
    page.getByText('No resources on any known clusters for rco'),
  ).toBeVisible();

  await tabs.getByRole('link', { name: 'Release' }).click();
  await expect(page.getByLabel(/^Verdict: /)).toBeVisible();
  // The demo's Kyverno report is production's cluster state: judge the release there.
  await page
    .getByRole('group', { name: 'This release in each environment' })
    .getByRole('button', { name: /^production: / })
    .click();
  await expect(
    page.getByLabel(/^Verdict: \w+ (in|for) production/),
  ).toBeVisible();
  const policy = page
    .getByRole('row')
    .filter({ hasText: 'Policy Enforcement' });
  await expect(policy.getByText('Fail', { exact: true })).toBeVisible();
  await policy
    .getByRole('button', { name: /Open policy-report evidence/ })
    .click();
  const drawer = page.getByRole('dialog', { name: 'Evidence' });
  await expect(drawer.getByText('polr-ns-rco-prod').first()).toBeVisible();
  await drawer.getByRole('button', { name: 'Close evidence' }).click();
  await expect(drawer).toBeHidden();
  expect(errors).toEqual([]);
});
