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
import { HistoryEvidence, HistoryRelease } from './history/historyEvidence';
import { DatabaseReviewStore } from '../reviews/ReviewStore';
import { PEOPLE, reportCadence, writeRelease } from './history/releaseStory';
import { planReleases, seeded, TIME } from './history/historyStory';
import {
  HISTORY_LABEL,
  HistoryClock,
  HistoryWriter,
} from './history/HistoryWriter';

const { HOUR, DAY } = TIME;
/** How far back the history reaches. */
const HISTORY_DAYS = 90;

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
      reviews: new DatabaseReviewStore(deps.db, deps.ledger),
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
