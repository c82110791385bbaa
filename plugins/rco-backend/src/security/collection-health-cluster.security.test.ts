/**
 * Issue 13 security review S1 L1: collection health is shown by environment, namespace AND
 * cluster. An entity on one cluster must not be shown another cluster's failures or notes in
 * the same environment, and a note that names entities is shown to those entities only.
 */
import { Entity } from '@backstage/catalog-model';
import path from 'node:path';
import { createTestDatabases } from '../__testUtils__/databases';
import { FakeCollector, ok } from '../__testUtils__/fakeCollector';
import { examplesDir, governedEntity } from '../__testUtils__/fixtures';
import {
  collection,
  refresh,
  startCollectorBackend,
} from '../__testUtils__/collectorBackend';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const LEDGER = '/api/rco/entities/component/default/ledger';
const ledger: Entity = governedEntity(
  'ledger',
  `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`,
  { 'rco.helix.dev/runbook': './runbook/rco-runbook.yaml' },
);

const cluster = (name: string, port: number) => ({
  name,
  url: `https://127.0.0.1:${port}`,
  authProvider: 'serviceAccount',
  serviceAccountToken: `token-${name}`,
  skipTLSVerify: true,
});

/** staging is on cluster east; a module collector also reads cluster west for staging. */
const start = (knex: any, fake: FakeCollector) =>
  startCollectorBackend(knex, {
    logLevel: 'none',
    extraEntities: [ledger],
    collectors: [fake],
    config: {
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [cluster('east', 1), cluster('west', 2)],
          },
        ],
      },
    },
    rco: { collectors: { kubernetes: { enabled: false } } },
    environments: [
      {
        name: 'staging',
        driver: 'simulated',
        cluster: 'east',
        namespace: 'rco',
      },
    ],
  });

describe('S1 L1: collection health is shown by cluster, and entity-naming notes to those entities', () => {
  it.each(databases.eachSupportedId())(
    'refuses: an entity on cluster east is shown cluster west’s failure without a namespace in the same environment (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const fake = new FakeCollector();
      fake.respond = ({ places }) => ({
        objects: [],
        health: [
          ok(places, { cluster: 'east', objects: 0 }),
          ok(places, {
            cluster: 'west',
            kind: 'ConstraintTemplate',
            ok: false,
            error:
              '403 Forbidden: constrainttemplates on west (secret-constraint-name)',
          }),
        ],
      });
      const { app } = await start(knex, fake);
      await refresh(app).expect(200);
      const health = (await collection(app)).health;
      expect(health).toEqual([
        expect.objectContaining({ cluster: 'east', state: 'ok' }),
      ]);
      expect(JSON.stringify(health)).not.toMatch(/west|secret-constraint-name/);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses: a note about objects contested by two other entities is shown on a third entity’s page (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const fake = new FakeCollector();
      const note =
        '1 object(s) matched the label selectors of more than one entity and were attributed to none: rco/ledger-report (component:default/ledger, component:sandbox/ledger)';
      fake.respond = ({ places }) => ({
        objects: [],
        health: [ok(places, { cluster: 'east', objects: 0, note })],
      });
      const { app } = await start(knex, fake);
      // rco's own refresh: ledger's place is known to it (attribution), the note names ledger.
      await refresh(app).expect(200);
      const mine = (await collection(app)).health;
      expect(mine).toEqual([
        expect.objectContaining({ cluster: 'east', state: 'ok' }),
      ]);
      expect(JSON.stringify(mine)).not.toMatch(
        /ledger-report|component:default\/ledger/,
      );
      // The entity it names is shown it.
      const theirs = (await collection(app, LEDGER)).health;
      expect(theirs).toEqual([
        expect.objectContaining({ cluster: 'east', note }),
      ]);
    },
  );
});
