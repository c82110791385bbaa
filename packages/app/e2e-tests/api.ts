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

/** Uploads a document as CI would. */
export async function uploadEvidence(
  request: APIRequestContext,
  body: string,
  query: Record<string, string> = {},
) {
  const res = await request.post(
    `${RCO_API}/evidence?${new URLSearchParams(query)}`,
    {
      headers: {
        Authorization: `Bearer ${CI_TOKEN}`,
        'Content-Type': 'application/octet-stream',
      },
      data: Buffer.from(body),
    },
  );
  expect([200, 201], await res.text()).toContain(res.status());
}

/**
 * Everything the demo release still lacks: image-scanning waived by Security (the demo image's
 * HIGH finding stands however clean a later scan is: an image does not change), passing
 * policies, the DPO's approval.
 */
export async function makeDemoReleasePass(request: APIRequestContext) {
  const release = { version: demoRelease.version, digest: demoRelease.digest };
  const security = await tokenFor(request, 'samir.haddad');
  const waived = await request.post(`${RCO_API}/waivers`, {
    headers: { Authorization: `Bearer ${security}` },
    data: {
      gate: 'image-scanning',
      justification: 'CVE-2024-34156 is not reachable from RCO: fix in 1.3.3',
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    },
  });
  expect(waived.status(), await waived.text()).toBe(201);
  const policy = fs
    .readFileSync(
      path.join(examples, 'rco/evidence/policyreport-rco-prod.yaml'),
      'utf8',
    )
    .replace('result: fail', 'result: pass')
    .replace('pass: 14, fail: 1', 'pass: 15, fail: 0');
  await uploadEvidence(request, policy, { environment: 'production' });
  // Velero backs RCO up every five minutes: the portal's demo backups age past the RPO (PT5M)
  // a few minutes after it starts, so upload the newest list as the schedule would have it.
  const backups = fs
    .readFileSync(
      path.join(examples, 'rco/evidence/velero-backups.yaml'),
      'utf8',
    )
    .replace(/\{\{now-(\d+)m\}\}/g, (_m, minutes) =>
      new Date(Date.now() - Number(minutes) * 60_000).toISOString(),
    )
    .replace(/\{\{now\+(\d+)d\}\}/g, (_m, days) =>
      new Date(Date.now() + Number(days) * 86_400_000).toISOString(),
    );
  await uploadEvidence(request, backups, { environment: 'production' });
  const guest = await tokenFor(request, 'guest');
  const asked = await request.post(`${RCO_API}/releases`, {
    headers: { Authorization: `Bearer ${guest}` },
    data: release,
  });
  expect(asked.status(), await asked.text()).toBe(201);
  const dpo = await tokenFor(request, 'lena.vogel');
  const signed = await request.post(`${RCO_API}/signoffs`, {
    headers: { Authorization: `Bearer ${dpo}` },
    data: {
      role: 'dpo',
      release,
      comment: 'Pseudonymous identifiers only: approved',
    },
  });
  expect(signed.status(), await signed.text()).toBe(201);
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
