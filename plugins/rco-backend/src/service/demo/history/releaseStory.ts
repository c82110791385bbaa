import {
  HistoryDocument,
  HistoryEvidence,
  HistoryRelease,
} from './historyEvidence';
import { TIME } from './historyStory';
import { HistoryWriter } from './HistoryWriter';

const { HOUR, DAY } = TIME;
const MINUTE = 60_000;

/** The example organisation's people (app-config.development.yaml auth.providers.demoUsers). */
const user = (name: string) => `user:default/${name}`;
export const PEOPLE = {
  requesters: [user('amara.okafor'), user('jonas.berg')],
  po: user('priya.raman'),
  dpo: user('lena.vogel'),
  // Security signs off and grants waivers (rco.waivers.group).
  security: user('samir.haddad'),
  breakGlass: user('mei.tanaka'),
};

/**
 * How often the history's pipelines and clusters report a sample again (by file): within the
 * gates' maximum ages (policy and restore drills a day, service reports a week, the dry-run a
 * month), never more often than a deploy needs. Unlisted samples (image scans, SBOM, signatures,
 * the release's Deployment, Velero's backups) go with every build or deploy. Fewer uploads keep the whole history within seconds.
 */
const REPORT_AGAIN_AFTER: Record<string, number> = {
  'policyreport-rco-prod.yaml': 20 * HOUR,
  'gatekeeper-rco-required-labels.yaml': 20 * HOUR,
  'velero-restore-drill.yaml': 20 * HOUR,
  'naming-report.yaml': 2 * DAY,
  'vault-attestation.yaml': 2 * DAY,
  'rollback-dry-run.yaml': 10 * DAY,
  'rollout-rco.yaml': 10 * DAY,
  'analysistemplate-rco-canary-slo.yaml': 10 * DAY,
  'prometheusrule-rco-slo.yaml': 10 * DAY,
  'networkpolicy-rco.yaml': 5 * DAY,
};

/** What of `docs` is due at `at`, by REPORT_AGAIN_AFTER; remembers what it lets through. */
export function reportCadence() {
  const last = new Map<string, { at: number; body: string }>();
  return (
    docs: HistoryDocument[],
    at: number,
    force?: (d: HistoryDocument) => boolean,
  ) =>
    docs.filter(d => {
      const every = d.file ? REPORT_AGAIN_AFTER[d.file] : undefined;
      if (every === undefined) return true;
      // Per release: each release's documents name it, so one's report does not count for another.
      const key = `${d.version ?? ''}|${d.environment ?? ''}|${d.file}`;
      const before = last.get(key);
      if (before && at - before.at < every && !force?.(d)) return false;
      last.set(key, { at, body: d.body });
      return true;
    });
}

/** The next time at or after `t` on a working day between 08:00 and 14:00 UTC. */
function weekdayMorning(t: number, rand: () => number) {
  const d = new Date(t);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6 || d.getUTCHours() >= 14) {
    d.setUTCDate(d.getUTCDate() + 1);
    d.setUTCHours(8, Math.floor(rand() * 90), 0, 0);
  }
  if (d.getUTCHours() < 8) d.setUTCHours(8, Math.floor(rand() * 90), 0, 0);
  return d.getTime();
}

/**
 * One release's way: CI, request, sign-offs, staging, a day's soak, production, aftermath.
 * Returns when its story ended.
 */
export async function writeRelease(o: {
  writer: HistoryWriter;
  samples: HistoryEvidence;
  release: HistoryRelease;
  trouble?: string;
  builtAt: number;
  environments: string[];
  requester: string;
  rand: () => number;
  sign: (
    entityRef: string,
    release: HistoryRelease,
  ) => Promise<string | undefined>;
  due: ReturnType<typeof reportCadence>;
}): Promise<number> {
  const { writer: w, samples, release, trouble, rand, requester } = o;
  const scanBlocked = trouble === 'scan-then-waiver';
  w.at(o.builtAt);
  await w.upload(
    o.due(samples.build(release, new Date(o.builtAt), scanBlocked), o.builtAt),
  );
  const bundle = await o.sign(w.entityRef, release);
  if (bundle)
    await w.upload([
      { body: bundle, kind: 'sigstore-bundle', digest: release.digest },
    ]);
  let t = o.builtAt + 30 * MINUTE + rand() * 30 * MINUTE;
  w.at(t);
  await w.requestRelease(release, requester);
  for (const [role, who] of [
    ['po', PEOPLE.po],
    ['security', PEOPLE.security],
    ['dpo', PEOPLE.dpo],
  ] as const) {
    t += 20 * MINUTE + rand() * 60 * MINUTE;
    w.at(t);
    await w.signoff(release, role, who);
  }
  const minutes = () => ({
    confirm: 2 + Math.floor(rand() * 2),
    run: 5 + Math.floor(rand() * 10),
  });
  let policyFails = trouble === 'policy-then-fix';
  const deployIn = async (env: string, at: number) => {
    w.at(at);
    await w.upload(
      o.due(
        samples.cluster(release, env, new Date(at), policyFails),
        at,
        // The release whose policy report failed: every report of it is sent (fail, then fix).
        d =>
          trouble === 'policy-then-fix' && !!d.file?.startsWith('policyreport'),
      ),
    );
    const op = await w.deploy(env, release, requester, minutes());
    if (op.state === 'succeeded') {
      w.at(op.finishedAt ? Date.parse(op.finishedAt) + MINUTE : at);
      await w.upload([
        samples.analysisRun(release, env, new Date(w.now()), false),
      ]);
    }
    return op;
  };
  const [staging, production] = o.environments;
  // Staging, an hour or two after the last sign-off.
  t += HOUR + rand() * HOUR;
  let op = await deployIn(staging, t);
  if (op.state === 'blocked') {
    t += 2 * HOUR + rand() * 2 * HOUR;
    w.at(t);
    if (trouble === 'scan-then-waiver') {
      await w.waive(
        release,
        PEOPLE.security,
        'CVE-2024-34156 (encoding/gob) is not reachable: the service never decodes gob from callers; the Go upgrade ships with the next release',
        7,
      );
    } else {
      // The owner fixed the init container; the cluster's next report passes.
      policyFails = false;
    }
    t += 20 * MINUTE;
    op = await deployIn(staging, t);
  }
  if (op.state !== 'succeeded') {
    return t;
  }
  // Production after a day's soak, on a working morning (no weekend deploys).
  t = weekdayMorning(
    Date.parse(op.finishedAt!) + DAY + rand() * 3 * HOUR,
    rand,
  );
  if (trouble === 'break-glass') {
    // Last night's scan found a new HIGH finding; a customer incident cannot wait for the fix.
    w.at(t - 6 * HOUR);
    await w.upload(samples.rescan(release, new Date(t - 6 * HOUR), true));
    op = await deployIn(production, t);
    t += 25 * MINUTE;
    w.at(t);
    await w.breakGlass(
      release,
      production,
      PEOPLE.breakGlass,
      `the fix in ${release.version} stops an ongoing incident (tenant calls retried without a budget); the new scan finding is in a package the service does not load`,
    );
    t += 10 * MINUTE;
  }
  op = await deployIn(production, t);
  t = Date.parse(op.finishedAt ?? new Date(t).toISOString());
  const rolledBack =
    trouble === 'rollback' ||
    trouble === 'rollback-twice' ||
    trouble === 'scan-then-waiver';
  if (op.state === 'succeeded' && rolledBack) {
    const before = w.live(production);
    // Error rates rose within hours: the on-call rolled production back to the revision before.
    t += HOUR + rand() * 4 * HOUR;
    w.at(t);
    const back = await w.rollback(production, requester, before - 1);
    t = Date.parse(back.finishedAt!);
    if (trouble === 'rollback-twice') {
      // The errors did not stop: the cause was elsewhere, so the rollback was rolled back.
      t += 40 * MINUTE;
      w.at(t);
      const again = await w.rollback(production, requester, before);
      t = Date.parse(again.finishedAt!);
    }
  }
  return t;
}
