/**
 * R3 H1: an object the cluster still lists but that the collector could attribute to no entity
 * (its selector matched several entities, the owner lookups ran out or were refused) is not gone:
 * a failing report keeps the gate red. Through the real plugin, SQLite and PostgreSQL.
 */
import {
  CollectedObject,
  CollectionHealth,
  CollectionPlace,
} from '@helix-portal/plugin-rco-node';
import { Knex } from 'knex';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  collectorModule,
  FakeCollector,
  ok,
  reportObject,
} from '../__testUtils__/fakeCollector';
import {
  asUser,
  DIGEST,
  RCO,
  RELEASE,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';

const databases = createTestDatabases();
jest.setTimeout(120_000);

const ALICE = asUser('alice');

/** A policy report whose results all pass, or whose first one fails. */
function report(
  place: Pick<CollectionPlace, 'entityRef' | 'environment'>,
  name: string,
  uid: string,
  fail: boolean,
): CollectedObject {
  const object = reportObject(place, name, { uid, resourceVersion: '1' });
  const doc = object.document as any;
  doc.results = doc.results.map((r: any, i: number) => ({
    ...r,
    result: fail && i === 0 ? 'fail' : 'pass',
  }));
  const f = fail ? 1 : 0;
  doc.summary = {
    pass: doc.results.length - f,
    fail: f,
    warn: 0,
    error: 0,
    skip: 0,
  };
  return object;
}

/**
 * The cluster holds a failing report F and a passing P. `claimed` says whether the collector
 * could attribute F this run; `extra` is what its health says about the list.
 */
async function start(knex: Knex) {
  const fake = new FakeCollector();
  const cluster = {
    claimed: true,
    present: true,
    health: (_: CollectionPlace[]): Partial<CollectionHealth> => ({}),
  };
  fake.respond = ({ places }) => {
    const staging = places.filter(p => p.environment === 'staging');
    return {
      objects: staging.flatMap(p => [
        report(p, 'passing', 'u-pass', false),
        ...(cluster.claimed && cluster.present
          ? [report(p, 'failing', 'u-fail', true)]
          : []),
      ]),
      health: [ok(staging, cluster.health(staging))],
    };
  };
  const { app } = await startOperationsBackend(knex, {
    logLevel: 'error',
    rco: {
      ledger: { onDemandInterval: 'PT0S' },
      collection: {
        schedule: {
          frequency: { hours: 1 },
          timeout: { minutes: 1 },
          initialDelay: { hours: 1 },
        },
        refreshCooldown: 'PT0S',
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
  const gate = async () => {
    const res = await request(app)
      .get(
        `${RCO}/status?version=${RELEASE.version}&digest=${DIGEST}&environment=staging`,
      )
      .set('Authorization', ALICE)
      .expect(200);
    return res.body.gates.find((g: any) => g.id === 'policy-enforcement');
  };
  return { cluster, refresh, gate };
}

describe('R3 H1: an object still listed but attributed to no entity is not gone', () => {
  it.each(databases.eachSupportedId())(
    'refuses: another team making the failing report ambiguous (or using up the owner lookups) turns the gate green (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { cluster, refresh, gate } = await start(knex);
      await refresh();
      expect((await gate()).status).toBe('fail');
      // Listed, but claimed by no entity: the collector names every uid it listed.
      cluster.claimed = false;
      cluster.health = () => ({
        listed: ['u-pass', 'u-fail'],
        note: '1 object(s) matched the label selectors of more than one entity and were attributed to none',
      });
      expect(await refresh()).toMatchObject({ gone: 0 });
      expect((await gate()).status).toBe('fail');
      // A collector that names no uids but says some went unclaimed: nothing is judged gone.
      cluster.health = () => ({
        note: 'a report could not be attributed through its resource: the limit of 200 owner lookups per run was reached',
      });
      expect(await refresh()).toMatchObject({ gone: 0 });
      expect((await gate()).status).toBe('fail');
      // Really deleted: missing from the list, gone.
      cluster.present = false;
      cluster.health = () => ({ listed: ['u-pass'] });
      expect(await refresh()).toMatchObject({ gone: 1 });
      expect((await gate()).status).toBe('pass');
    },
  );
});
