import { passOrFail } from '../__testUtils__/collectorBackend';
import {
  CollectedObject,
  CollectionPlace,
} from '@helix-portal/plugin-rco-node';
import { Knex } from 'knex';
import request from 'supertest';
import yaml from 'yaml';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  collectorModule,
  FakeCollector,
  ok,
  reportObject,
} from '../__testUtils__/fakeCollector';
import { readSample } from '../__testUtils__/fixtures';
import {
  asService,
  asUser,
  DIGEST,
  RCO,
  RELEASE,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';

/**
 * Issue 13, third review (R3 M2, M4): what the gates read of collected evidence — uploads about
 * another release than the one the cluster runs still count, and an object's current version is
 * chosen before the release filter.
 */
const databases = createTestDatabases();
jest.setTimeout(120_000);

const NO_SCHEDULED_RUN = {
  frequency: { hours: 1 },
  timeout: { minutes: 1 },
  initialDelay: { hours: 1 },
};
const ALICE = asUser('alice');
const CI = asService('external:ci-rco');
/** The release the cluster runs (the judged one is RELEASE, DIGEST). */
const RUNNING = `sha256:${'1'.repeat(64)}`;
const STAGING = {
  entityRef: 'component:default/rco',
  environment: 'staging',
};

/** A policy report object of staging whose results all pass, or whose first one fails. */
const report = (name: string, v: { uid: string; rv: string; fail?: boolean }) =>
  passOrFail(STAGING, name, v);

/** The sample Rollout as the cluster shows it, running an image by digest. */
function rollout(v: { uid: string; rv: string; digest: string }) {
  const doc = yaml.parse(
    readSample('argo-rollouts-rollout-aborted-canary.yaml'),
  );
  doc.metadata.uid = v.uid;
  doc.metadata.resourceVersion = v.rv;
  doc.spec.template.spec.containers[0].image = `registry.example/rco@${v.digest}`;
  const object: CollectedObject = {
    ...reportObject(STAGING, doc.metadata.name, {
      uid: v.uid,
      resourceVersion: v.rv,
    }),
    evidenceKind: 'argo-rollout',
    document: doc,
    subject: { digest: v.digest },
  };
  object.provenance = {
    ...object.provenance,
    kind: 'Rollout',
    apiVersion: 'argoproj.io/v1alpha1',
  };
  return object;
}

async function start(knex: Knex, rco: Record<string, unknown> = {}) {
  const fake = new FakeCollector();
  const cluster: { objects: CollectedObject[] } = { objects: [] };
  fake.respond = ({ places }) => {
    const staging = places.filter(
      (p: CollectionPlace) => p.environment === 'staging',
    );
    return {
      objects: staging.length ? cluster.objects : [],
      health: [ok(staging)],
    };
  };
  const { app } = await startOperationsBackend(knex, {
    logLevel: 'error',
    rco: {
      ledger: { onDemandInterval: 'PT0S' },
      ...rco,
      collection: {
        schedule: NO_SCHEDULED_RUN,
        refreshCooldown: 'PT0S',
        ...(rco.collection as object | undefined),
      },
    },
    features: [collectorModule(fake)],
  });
  const refresh = async () =>
    (
      await request(app)
        .post(`${RCO}/collection/refresh`)
        .set('Authorization', ALICE)
        .expect(200)
    ).body.run;
  const gate = async (id: string, digest = DIGEST) => {
    const res = await request(app)
      .get(
        `${RCO}/status?version=${RELEASE.version}&digest=${digest}&environment=staging`,
      )
      .set('Authorization', ALICE)
      .expect(200);
    return res.body.gates.find((g: any) => g.id === id);
  };
  /** CI's `kyverno apply` report, uploaded for a release. */
  const upload = (
    fail: boolean,
    subject: { digest?: string; version?: string },
  ) => {
    const params = new URLSearchParams({
      kind: 'policy-report',
      environment: 'staging',
      ...subject,
    });
    return request(app)
      .post(`${RCO}/evidence?${params}`)
      .set('Authorization', CI)
      .set('Content-Type', 'application/octet-stream')
      .send(
        Buffer.from(
          JSON.stringify(
            report('ci-apply', { uid: 'u-ci', rv: '1', fail }).document,
          ),
        ),
      )
      .expect(201);
  };
  return { cluster, refresh, gate, upload };
}

describe('R3 M2: an upload about another release than the cluster runs still counts', () => {
  it.each(databases.eachSupportedId())(
    "refuses: the cluster's passing report about the running release sets aside CI's failing kyverno apply report for the release being judged (%s)",
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { cluster, refresh, gate, upload } = await start(knex);
      cluster.objects = [
        report('rco-report', { uid: 'u-1', rv: '1' }),
        rollout({ uid: 'u-roll', rv: '1', digest: RUNNING }),
      ];
      await refresh();
      expect((await gate('policy-enforcement')).status).toBe('pass');
      await upload(true, { digest: DIGEST, version: RELEASE.version });
      const g = await gate('policy-enforcement');
      expect(g.status).toBe('fail');
      expect(g.reasons.join('\n')).not.toMatch(/own state is read/);
    },
  );

  it.each(databases.eachSupportedId())(
    "refuses: CI's passing upload for the release the cluster runs stands in for the cluster's failing report (%s)",
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { cluster, refresh, gate, upload } = await start(knex);
      cluster.objects = [
        report('rco-report', { uid: 'u-1', rv: '1', fail: true }),
        rollout({ uid: 'u-roll', rv: '1', digest: DIGEST }),
      ];
      await refresh();
      await upload(false, { digest: DIGEST, version: RELEASE.version });
      await upload(false, {});
      const g = await gate('policy-enforcement');
      expect(g.status).toBe('fail');
      expect(g.reasons.join('\n')).toMatch(
        /ignored: policy-report uploaded by CI .* own state is read for this in staging/,
      );
    },
  );
});

describe('R3 M4: an object’s current version is chosen before the release filter', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a Rollout that moved from digest A to B is read at its old A version when judging release A (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { cluster, refresh, gate } = await start(knex);
      cluster.objects = [rollout({ uid: 'u-roll', rv: '1', digest: DIGEST })];
      await refresh();
      const before = await gate('progressive-delivery');
      expect(before.evidence.map((e: any) => e.kind)).toContain('argo-rollout');
      cluster.objects = [rollout({ uid: 'u-roll', rv: '2', digest: RUNNING })];
      await refresh();
      const after = await gate('progressive-delivery');
      expect(after.evidence.map((e: any) => e.kind)).not.toContain(
        'argo-rollout',
      );
      // The release the Rollout runs now reads it.
      const running = await gate('progressive-delivery', RUNNING);
      expect(running.evidence.map((e: any) => e.kind)).toContain(
        'argo-rollout',
      );
    },
  );
});

describe('R3 M3: collected evidence ages with the observation granularity as slack', () => {
  it.each(databases.eachSupportedId())(
    'refuses: an object still listed, whose stored observation lags by less than the granularity, reads stale (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { cluster, refresh, gate } = await start(knex, {
        gates: { 'policy-enforcement': { maxAge: 'PT4H' } },
        collection: { observationGranularity: 'PT1H' },
      });
      cluster.objects = [report('rco-report', { uid: 'u-1', rv: '1' })];
      await refresh();
      // Last moved 4 h 30 min ago: listed since, unchanged, its observation not yet moved (the
      // store moves it once older than the granularity, on the next run).
      const at = (ms: number) => new Date(Date.now() - ms);
      await knex('rco_evidence')
        .where({ origin_uid: 'u-1' })
        .update({
          collected_at: at(5 * 3_600_000),
          observed_at: at(4.5 * 3_600_000),
        });
      const g = await gate('policy-enforcement');
      expect(g.maxAge).toBe('PT4H');
      expect(g.status).toBe('pass');
      // Beyond maxAge plus the granularity it is stale: gates/collectedAge.test.ts.
    },
  );
});
