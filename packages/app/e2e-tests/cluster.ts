import { APIRequestContext, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { BACKEND, examples, tokenFor } from './api';

/**
 * What the tools of an owner's CI would write into the file an upload command names: the
 * end-to-end journeys run the page's own commands, and this stands in for `kubectl get …`,
 * Velero and Kyverno. The documents are the example service's real cluster state
 * (examples/rco/evidence), in the environment's namespace, dated on the portal's clock, with the
 * Kyverno violation the demo starts with fixed (the owner fixed the Deployment).
 */
const UNIT: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

function render(text: string, now: number) {
  return text.replace(/\{\{now((?:[+-]\d+[mhd])*)\}\}/g, (_m, offsets) => {
    let t = now;
    for (const [, sign, n, unit] of String(offsets).matchAll(
      /([+-])(\d+)([mhd])/g,
    ))
      t += (sign === '-' ? -1 : 1) * Number(n) * UNIT[unit];
    return new Date(t).toISOString();
  });
}

const example = (file: string, environment: string, now: number) => {
  const text = render(
    fs.readFileSync(path.join(examples, 'rco/evidence', file), 'utf8'),
    now,
  ).replace(
    /rco-prod/g,
    environment === 'production' ? 'rco-prod' : `rco-${environment}`,
  );
  return parse(text);
};

const list = (items: unknown[]) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2);

/** The portal's time: the local portal's demo clock may run ahead of real time. */
export async function portalNow(request: APIRequestContext) {
  const token = await tokenFor(request, 'guest');
  const res = await request.get(`${BACKEND}/api/rco/demo/clock`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(res.status(), await res.text()).toBe(200);
  return Date.parse((await res.json()).now);
}

/** The document a command's `--data-binary @<file>` uploads, as the tool would have written it. */
export function produce(file: string, environment: string, now: number) {
  switch (file) {
    case 'rollout.json':
      return list([
        example('rollout-rco.yaml', environment, now),
        example('analysistemplate-rco-canary-slo.yaml', environment, now),
        example('analysisrun-rco-1.3.2.yaml', environment, now),
      ]);
    case 'analysistemplates.json':
      return list([
        example('analysistemplate-rco-canary-slo.yaml', environment, now),
      ]);
    case 'analysisruns.json':
      return list([example('analysisrun-rco-1.3.2.yaml', environment, now)]);
    case 'policyreports.json': {
      const report = example('policyreport-rco-prod.yaml', environment, now);
      report.metadata.creationTimestamp = new Date(now).toISOString();
      for (const r of report.results) r.result = 'pass';
      report.summary = { ...report.summary, pass: 15, fail: 0 };
      return list([report]);
    }
    case 'constraints.json':
      return list([
        example('gatekeeper-rco-required-labels.yaml', environment, now),
      ]);
    case 'velero-backups.json':
      return JSON.stringify(example('velero-backups.yaml', environment, now));
    case 'velero-restores.json':
      return list([example('velero-restore-drill.yaml', environment, now)]);
    case 'workloads.json':
      return list([example('deployment-rco.yaml', environment, now)]);
    case 'networkpolicies.json':
      return list([example('networkpolicy-rco.yaml', environment, now)]);
    case 'bundle.sigstore.json':
      // The demo release's Sigstore bundle (issue 13), signed by the demo CI identity the local
      // portal trusts (rco.sigstore in app-config.development.yaml): what cosign hands CI.
      return fs.readFileSync(
        path.join(examples, 'rco/evidence/sigstore-bundle-rco-1.3.2.json'),
        'utf8',
      );
    case 'prometheusrule.json':
      return JSON.stringify(
        example('prometheusrule-rco-slo.yaml', environment, now),
      );
    default:
      throw new Error(
        `The journey's stand-in cluster cannot produce ${file}: add it to e2e-tests/cluster.ts`,
      );
  }
}
