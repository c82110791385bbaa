import { APIRequestContext, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const BACKEND = process.env.BACKEND_URL ?? 'http://localhost:7007';
export const CI_TOKEN = process.env.RCO_CI_TOKEN ?? 'local-ci-token-change-me';
export const RCO_API = `${BACKEND}/api/rco/entities/component/default/rco`;
export const examples = path.resolve(__dirname, '../../../examples');
export const samples = path.resolve(__dirname, '../../../../shared/samples');
export const demo = parse(
  fs.readFileSync(
    path.join(examples, 'rco/evidence/demo-evidence.yaml'),
    'utf8',
  ),
);
/** The demo release as sign-offs and deploys name it: version and image digest. */
export const demoRelease: { version: string; digest: string } = {
  version: demo.release.version,
  digest: demo.release.digest,
};

/**
 * A Backstage token for the guest (the portal's signed-in newcomer, an RCO owner) or for a
 * person of the example org through the local-only demo-users provider.
 */
export async function tokenFor(
  request: APIRequestContext,
  who: 'guest' | string,
) {
  const res = await request.get(
    `${BACKEND}/api/auth/${who === 'guest' ? 'guest' : 'demoUsers'}/refresh`,
    {
      headers: {
        'x-requested-with': 'XMLHttpRequest',
        ...(who === 'guest' ? {} : { 'x-rco-demo-user': who }),
      },
    },
  );
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()).backstageIdentity.token as string;
}

/** Makes the simulated cluster's next canary analysis fail (as a demo would). */
export async function failNextAnalysis(
  request: APIRequestContext,
  environment: string,
) {
  const guest = await tokenFor(request, 'guest');
  const res = await request.post(`${BACKEND}/api/rco/simulated/steer`, {
    headers: { Authorization: `Bearer ${guest}` },
    data: {
      entityRef: 'component:default/rco',
      environment,
      nextAnalysis: 'fail',
    },
  });
  expect(res.status(), await res.text()).toBe(204);
}
