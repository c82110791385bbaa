import { passOrFail } from '../__testUtils__/collectorBackend';
import {
  CollectedObject,
  CollectionPlace,
} from '@helix-portal/plugin-rco-node';
import { Knex } from 'knex';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import yaml from 'yaml';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  collectorModule,
  FakeCollector,
  ok,
  reportObject,
} from '../__testUtils__/fakeCollector';
import { examplesDir } from '../__testUtils__/fixtures';
import {
  asService,
  asUser,
  DIGEST,
  RCO,
  RELEASE,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';

/**
 * Issue 13 review (R1 H1, H2, M2, M3, M4; R2 H1): the gates read the CURRENT state of each
 * collected object — its newest version by last observation, never pushed out by other objects'
 * versions, gone once the cluster no longer lists it — and an upload never masks it.
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

const report = passOrFail;

/** What the fake cluster shows now, per object name: its uid, version and whether it fails. */
type Shown = Record<string, { uid: string; rv: string; fail?: boolean }>;

async function start(knex: Knex, rco: Record<string, unknown> = {}) {
  const fake = new FakeCollector();
  const cluster: { shown: Shown; ok: boolean; extra: CollectedObject[] } = {
    shown: {},
    ok: true,
    extra: [],
  };
  fake.respond = ({ places }) => {
    const staging = places.filter(p => p.environment === 'staging');
    return {
      objects: cluster.ok
        ? [
            ...staging.flatMap(p =>
              Object.entries(cluster.shown).map(([name, v]) =>
                report(p, name, v),
              ),
            ),
            ...cluster.extra,
          ]
        : [],
      health: [
        cluster.ok
          ? ok(staging)
          : { ...ok(staging), ok: false, error: 'the cluster answered 503' },
      ],
    };
  };
  const { app } = await startOperationsBackend(knex, {
    logLevel: 'error',
    rco: {
      ledger: { onDemandInterval: 'PT0S' },
      ...rco,
      collection: {
        schedule: NO_SCHEDULED_RUN,
        // Many refreshes in a row: the owners' cooldown is not what these tests are about.
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
  const gate = async (id: string, environment = 'staging') => {
    const res = await request(app)
      .get(
        `${RCO}/status?version=${RELEASE.version}&digest=${DIGEST}&environment=${environment}`,
      )
      .set('Authorization', ALICE)
      .expect(200);
    return res.body.gates.find((g: any) => g.id === id);
  };
  const verify = async () =>
    (
      await request(app)
        .post('/api/rco/ledger/verify')
        .set('Authorization', ALICE)
        .expect(200)
    ).body;
  return { app, fake, cluster, refresh, gate, verify };
}

describe('R1 H1, R2 H1: the gates read each collected object’s current version', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a report flapping through 26 versions pushes a still-observed failing report out of what the gate reads (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { cluster, refresh, gate, verify } = await start(knex);
      cluster.shown = {
        stuck: { uid: 'u-stuck', rv: '1', fail: true },
        flappy: { uid: 'u-flappy', rv: '0' },
      };
      await refresh();
      expect((await gate('policy-enforcement')).status).toBe('fail');
      for (let rv = 1; rv <= 52; rv++) {
        cluster.shown.flappy = {
          uid: 'u-flappy',
          rv: String(rv),
          fail: rv % 2 === 1,
        };
        await refresh();
      }
      const g = await gate('policy-enforcement');
      expect(g.status).toBe('fail');
      expect(g.reasons.join('\n')).toContain('Policy report stuck');
      // The flapping report's current version passes: only the stuck one holds the gate red.
      expect(g.reasons.join('\n')).not.toContain('Policy report flappy');
      expect(await verify()).toMatchObject({ ok: true });
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a report going back to an earlier version (fail, pass, fail again) is judged on the newer one it left (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { cluster, refresh, gate, verify } = await start(knex);
      cluster.shown = { r: { uid: 'u-r', rv: 'A', fail: true } };
      await refresh();
      expect((await gate('policy-enforcement')).status).toBe('fail');
      cluster.shown = { r: { uid: 'u-r', rv: 'B' } };
      await refresh();
      expect((await gate('policy-enforcement')).status).toBe('pass');
      // Version A again (a monitoring stack's content hash, a restored object): it is current.
      cluster.shown = { r: { uid: 'u-r', rv: 'A', fail: true } };
      expect(await refresh()).toMatchObject({ created: 0, observed: 1 });
      expect((await gate('policy-enforcement')).status).toBe('fail');
      expect(await verify()).toMatchObject({ ok: true });
    },
  );
});

describe('R1 M2: objects the cluster no longer lists are gone', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a deleted failing report holds the gate red (or stale) after a full successful list without it (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { cluster, refresh, gate, verify } = await start(knex);
      cluster.shown = {
        deleted: { uid: 'u-deleted', rv: '1', fail: true },
        live: { uid: 'u-live', rv: '1' },
      };
      await refresh();
      expect((await gate('policy-enforcement')).status).toBe('fail');
      // A failing list says nothing about what exists: nothing is marked gone.
      cluster.ok = false;
      delete cluster.shown.deleted;
      await refresh();
      expect((await gate('policy-enforcement')).status).toBe('fail');
      cluster.ok = true;
      const run = await refresh();
      expect(run).toMatchObject({ gone: 1 });
      const g = await gate('policy-enforcement');
      expect(g.status).toBe('pass');
      expect(g.reasons.join('\n')).toContain('1 policy reports');
      // One evidence-gone entry for the run and cluster, and the ledger accounts for gone_at.
      const entries = await knex('rco_ledger').where({
        entry_type: 'evidence-gone',
      });
      expect(entries).toHaveLength(1);
      expect(JSON.parse(entries[0].payload)).toMatchObject({
        collector: 'fake',
        cluster: 'own-context',
        ids: [expect.any(String)],
      });
      expect(await verify()).toMatchObject({ ok: true });
      // A second run does not mark it again.
      expect(await refresh()).toMatchObject({ gone: 0 });
      // Editing gone_at in the database is caught.
      await knex('rco_evidence')
        .where({ origin_uid: 'u-live' })
        .update({ gone_at: new Date() });
      const tampered = await verify();
      expect(tampered.ok).toBe(false);
      expect(tampered.problems[0].problem).toMatch(/\(goneAt\)$/);
      await knex('rco_evidence')
        .where({ origin_uid: 'u-live' })
        .update({ gone_at: null });
      // It comes back (same version): current again.
      cluster.shown.deleted = { uid: 'u-deleted', rv: '1', fail: true };
      await refresh();
      expect((await gate('policy-enforcement')).status).toBe('fail');
      expect(await verify()).toMatchObject({ ok: true });
    },
  );
});

describe('R1 H2: an upload does not mask what the cluster shows', () => {
  it.each(databases.eachSupportedId())(
    'refuses: CI uploads a passing copy of the failing report the cluster shows and the gate passes (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { app, cluster, refresh, gate } = await start(knex);
      cluster.shown = { 'rco-report': { uid: 'u-1', rv: '1', fail: true } };
      await refresh();
      expect((await gate('policy-enforcement')).status).toBe('fail');
      const passing = report(
        { entityRef: 'component:default/rco', environment: 'staging' },
        'rco-report',
        { uid: 'u-1', rv: '1' },
      ).document;
      const upload = (auth: string, environment: string) =>
        request(app)
          .post(`${RCO}/evidence?kind=policy-report&environment=${environment}`)
          .set('Authorization', auth)
          .set('Content-Type', 'application/octet-stream')
          .send(Buffer.from(JSON.stringify(passing)))
          .expect(201);
      await upload(CI, 'staging');
      await upload(ALICE, 'staging');
      await upload(CI, 'production');
      const g = await gate('policy-enforcement');
      expect(g.status).toBe('fail');
      expect(g.reasons.join('\n')).toContain(
        "ignored: policy-report uploaded by CI (service:external:ci-rco) — the cluster's own state is read for this in staging",
      );
      // Where the console collects nothing of that kind, CI's upload still counts.
      expect((await gate('policy-enforcement', 'production')).status).toBe(
        'pass',
      );
    },
  );
});

describe('R1 M4: collected evidence is tied to its environment', () => {
  it.each(databases.eachSupportedId())(
    'refuses: a PrometheusRule collected in staging counts for production (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { cluster, refresh, gate } = await start(knex);
      const doc = yaml.parse(
        readFileSync(
          path.join(examplesDir, 'rco/evidence/prometheusrule-rco-slo.yaml'),
          'utf8',
        ),
      );
      const staging: Pick<CollectionPlace, 'entityRef' | 'environment'> = {
        entityRef: 'component:default/rco',
        environment: 'staging',
      };
      cluster.extra = [
        {
          ...reportObject(staging, 'rco-slo', {
            uid: 'u-rule',
            resourceVersion: '1',
          }),
          evidenceKind: 'prometheus-rule',
          document: doc,
        },
      ];
      expect(await refresh()).toMatchObject({ created: 1 });
      expect((await gate('monitoring-alerting')).status).toBe('pass');
      expect((await gate('monitoring-alerting', 'production')).status).toBe(
        'missing',
      );
    },
  );
});

describe('R1 M3: unchanged objects do not grow the ledger on every run', () => {
  it.each(databases.eachSupportedId())(
    'refuses: every run lists every unchanged object in the ledger (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { cluster, refresh, verify } = await start(knex);
      cluster.shown = {
        a: { uid: 'u-a', rv: '1' },
        b: { uid: 'u-b', rv: '1' },
      };
      expect(await refresh()).toMatchObject({ created: 2, ledgerEntries: 2 });
      const steady = await refresh();
      expect(steady).toMatchObject({
        created: 0,
        unchanged: 2,
        observed: 0,
        ledgerEntries: 0,
      });
      expect(
        await knex('rco_ledger').where({ entry_type: 'evidence-observed' }),
      ).toHaveLength(0);
      expect(await verify()).toMatchObject({ ok: true });
    },
  );
});
