import { Entity } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { LoggerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { RcoConfig } from '../../config';
import { DecisionStore } from '../../database/DecisionStore';
import { JudgementStore } from '../../database/JudgementStore';
import { Ledger } from '../../database/Ledger';
import { OperationStore } from '../../database/OperationStore';
import { OverrideStore } from '../../database/OverrideStore';
import { EvidenceService } from '../../evidence/EvidenceService';
import { sha256 } from '../../lib/canonicalJson';
import { ReleaseService } from '../ReleaseService';
import {
  HistoryDocument,
  HistoryEvidence,
  HistoryRelease,
} from './history/historyEvidence';
import { planReleases, seeded, TIME } from './history/historyStory';
import {
  HISTORY_LABEL,
  HistoryClock,
  HistoryWriter,
} from './history/HistoryWriter';

const { HOUR, DAY } = TIME;
const MINUTE = 60_000;
/** How far back the history reaches. */
const HISTORY_DAYS = 90;

/** The example organisation's people (app-config.development.yaml auth.providers.demoUsers). */
const user = (name: string) => `user:default/${name}`;
const PEOPLE = {
  requesters: [user('amara.okafor'), user('jonas.berg')],
  po: user('priya.raman'),
  dpo: user('lena.vogel'),
  // Security signs off and grants waivers (rco.waivers.group).
  security: user('samir.haddad'),
  breakGlass: user('mei.tanaka'),
};

/** The services of the history: examples/rco and examples/rcot. */
const SERVICES = [
  {
    dir: 'rco',
    seed: 17,
    version: (i: number) => `1.${Math.floor(i / 10)}.${i % 10}`,
  },
  {
    dir: 'rcot',
    seed: 71,
    version: (i: number) => `0.${8 + Math.floor(i / 10)}.${i % 10}`,
  },
];

/** Whether a stored record is the history's (its CI is labelled). */
export const isHistoryRecord = (r: { submitter: string }) =>
  r.submitter.endsWith(`(${HISTORY_LABEL})`);

export interface DemoHistory {
  from: string;
  to: string;
  entities: string[];
}

/**
 * The Component of a catalog file, as the catalog will serve it, with the location the runbook
 * reader resolves the runbook annotation against (the file itself).
 */
export async function exampleEntity(file: string): Promise<Entity> {
  const docs = parseAllDocuments(await fs.readFile(file, 'utf8')).map(d =>
    d.toJS(),
  );
  const entity = docs.find(d => d?.kind === 'Component') as Entity;
  const location = `file:${path.resolve(file)}`;
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      namespace: entity.metadata.namespace ?? 'default',
      annotations: {
        ...entity.metadata.annotations,
        'backstage.io/managed-by-location': location,
        'backstage.io/managed-by-origin-location': location,
      },
    },
  };
}

/**
 * Issue 17: a believable 90-day history of RCO and RCOT for the local portal, ending at `now`
 * (the demo clock's). Every record is written through the product's stores, evidence service,
 * gates and decision path with a clock walked forward through the 90 days, so the metrics and
 * the replay are real computations over it. Releases every two to four days, CI's evidence,
 * sign-offs by the example organisation's people (four eyes: the requester never signs), staging
 * then production after a day's soak; blocks turned green by a new policy report, by Security's
 * waiver of an image-scan finding and by break-glass, production rollbacks for about a tenth of deploys (one through a
 * waiver: an escape) and a rollback of a rollback. What it writes says "demo history".
 */
export async function generateDemoHistory(deps: {
  /** examples/rco/evidence (rco.demoEvidenceDir): the sample documents and the examples. */
  dir: string;
  now: Date;
  db: Knex;
  ledger: Ledger;
  evidenceService: EvidenceService;
  releases: ReleaseService;
  config: Pick<RcoConfig, 'environments'>;
  configDigest: string;
  /**
   * The Sigstore bundle that signs a release's image, as CI uploads it beside the scans: the
   * image-scanning gate passes only on a signature the console verified itself (issue 13).
   * Default: the bundles of demoHistoryBundles (none stored yet, see there).
   */
  sign?: (
    entityRef: string,
    release: HistoryRelease,
  ) => Promise<string | undefined>;
  logger?: LoggerService;
}): Promise<DemoHistory> {
  const clock = new HistoryClock();
  const to = deps.now;
  const from = new Date(to.getTime() - HISTORY_DAYS * DAY);
  const samples = await HistoryEvidence.load(deps.dir);
  const examples = path.resolve(deps.dir, '..', '..');
  const environments = deps.config.environments.map(e => e.name);
  const required = (env: string) =>
    (deps.config.environments.find(e => e.name === env)?.requiredSignoffs ??
      []) as Array<'po' | 'dpo' | 'security'>;
  const sign = deps.sign ?? (await historyBundles(deps.dir));
  // Without a verified signature image-scanning holds every release (issue 13): such a history
  // would show a console that blocks everything, so none is written (checked before any write).
  for (const service of SERVICES) {
    const name = service.dir;
    const version = service.version(0);
    const ref = `component:default/${name}`;
    const digest = `sha256:${sha256(`${name} ${version}`)}`;
    if (!(await sign(ref, { version, digest, commit: '' })))
      throw new NotFoundError(
        `no Sigstore bundle the portal's trusted root verifies signs the history's image ${digest} of ${ref}: only the fixtures' generator can sign with the demo CA (see demoHistory.ts historyBundles)`,
      );
  }
  const entities: string[] = [];
  for (const service of SERVICES) {
    const entity = await exampleEntity(
      path.join(examples, service.dir, 'catalog-info.yaml'),
    );
    const name = entity.metadata.name;
    const writer = new HistoryWriter({
      entity,
      clock,
      operations: new OperationStore(deps.db, deps.ledger, clock),
      decisions: new DecisionStore(deps.db, deps.ledger, clock),
      overrides: new OverrideStore(deps.db, deps.ledger, clock),
      judgements: new JudgementStore(deps.db),
      evidence: deps.evidenceService,
      releases: deps.releases,
      configDigest: deps.configDigest,
      requiredSignoffs: required,
      submitter: `service:ci-${name} (${HISTORY_LABEL})`,
    });
    const rand = seeded(service.seed * 7919);
    const plan = planReleases(from, to, service.seed);
    let t = 0;
    const due = reportCadence();
    for (const planned of plan) {
      const version = service.version(planned.index);
      const release: HistoryRelease = {
        version,
        digest: `sha256:${sha256(`${name} ${version}`)}`,
        commit: sha256(`${name} ${version} commit`).slice(0, 12),
      };
      t = Math.max(planned.builtAt.getTime(), t + HOUR);
      t = await writeRelease({
        writer,
        samples,
        release,
        trouble: planned.trouble,
        builtAt: t,
        environments,
        requester: PEOPLE.requesters[planned.index % 2],
        rand,
        sign,
        due,
      });
    }
    deps.releases.invalidate(writer.entityRef, 'operation');
    entities.push(writer.entityRef);
  }
  deps.logger?.info(
    `Demo history written: ${HISTORY_DAYS} days of ${entities.join(
      ' and ',
    )} (labelled "${HISTORY_LABEL}")`,
  );
  return { from: from.toISOString(), to: to.toISOString(), entities };
}

/**
 * Signatures of the history's images that the local portal's trusted root verifies
 * (examples/rco/sigstore/demo-history-bundles.json: digest → bundle), when that file exists.
 * The demo CA's keys were thrown away after signing the demo release, so only the fixtures'
 * generator can make them; without them the history's releases have no verified signature.
 */
async function historyBundles(dir: string) {
  const file = path.resolve(dir, '..', 'sigstore', 'demo-history-bundles.json');
  const bundles: Record<string, unknown> = await fs
    .readFile(file, 'utf8')
    .then(text => JSON.parse(text))
    .catch(() => ({}));
  return async (_entityRef: string, release: HistoryRelease) => {
    const bundle = bundles[release.digest];
    return bundle ? JSON.stringify(bundle) : undefined;
  };
}

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
      const key = `${d.environment ?? ''}|${d.file}`;
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
async function writeRelease(o: {
  writer: HistoryWriter;
  samples: HistoryEvidence;
  release: HistoryRelease;
  trouble?: string;
  builtAt: number;
  environments: string[];
  requester: string;
  rand: () => number;
  sign: NonNullable<Parameters<typeof generateDemoHistory>[0]['sign']>;
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
