import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  DatabaseCollectionHealthStore,
  HealthOutcome,
  HealthRun,
} from './CollectionHealthStore';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const migrations = resolvePackagePath(
  '@helix-portal/plugin-rco-backend',
  'migrations',
);
const RCO = 'component:default/rco';
const PAY = 'component:default/payments';

const outcome = (o: Partial<HealthOutcome>): HealthOutcome => ({
  collector: 'kubernetes',
  cluster: 'prod',
  kind: 'PolicyReport',
  environment: 'production',
  namespace: '',
  aboutEntity: '',
  ok: true,
  ...o,
});
let minute = 0;
const run = (o: Partial<HealthRun>): HealthRun => ({
  collector: 'kubernetes',
  at: new Date(Date.UTC(2026, 10, 30, 10, minute++)),
  scope: 'full',
  environments: ['production'],
  entities: [RCO, PAY],
  complete: true,
  outcomes: [],
  counts: [],
  ...o,
});

async function setup(id: any) {
  const knex: Knex = await databases.init(id);
  await knex.migrate.latest({ directory: migrations });
  return { knex, store: new DatabaseCollectionHealthStore(knex) };
}

const view = (store: DatabaseCollectionHealthStore, ref: string, ns: string) =>
  store.list({
    entityRef: ref,
    environments: ['production'],
    namespaces: [ns],
  });

describe.each(databases.eachSupportedId())(
  'collection health store on %s',
  id => {
    it('refuses: an owner refresh of one namespace clearing another namespace’s failure', async () => {
      const { store } = await setup(id);
      await store.record(
        run({
          outcomes: [
            outcome({
              namespace: 'rco',
              ok: false,
              error: '403 Forbidden in rco',
            }),
            outcome({
              namespace: 'payments',
              ok: false,
              error: '403 in payments',
            }),
          ],
        }),
      );
      await store.record(
        run({
          scope: PAY,
          entities: [PAY],
          outcomes: [outcome({ namespace: 'payments' })],
        }),
      );
      const rco = await view(store, RCO, 'rco');
      expect(rco.rows.map(r => [r.namespace, r.lastError])).toEqual([
        ['rco', '403 Forbidden in rco'],
      ]);
      const pay = await view(store, PAY, 'payments');
      expect(pay.rows.map(r => [r.namespace, r.lastError])).toEqual([
        ['payments', undefined],
      ]);
    });

    it('refuses: a refresh that finishes clearing the failure of a scheduled run that keeps timing out', async () => {
      const { store } = await setup(id);
      // The scheduled run overran: the whole collector failed.
      await store.record(
        run({
          complete: false,
          outcomes: [
            outcome({
              cluster: '*',
              kind: '*',
              ok: false,
              error: 'did not finish within 120 s',
            }),
          ],
        }),
      );
      // And the Prometheus-like row without a namespace failed in an earlier scheduled run.
      await store.record(
        run({
          complete: false,
          outcomes: [outcome({ kind: 'rules', ok: false, error: 'timed out' })],
        }),
      );
      await store.record(
        run({
          scope: RCO,
          entities: [RCO],
          outcomes: [outcome({ kind: 'rules', objects: 1 })],
        }),
      );
      let rows = (await view(store, RCO, 'rco')).rows;
      expect(rows.map(r => [r.kind, r.lastError])).toEqual([
        ['*', 'did not finish within 120 s'],
        ['rules', 'timed out'],
      ]);
      // A scheduled run covering the same scope succeeds: both clear.
      await store.record(
        run({ outcomes: [outcome({ kind: 'rules', objects: 2 })] }),
      );
      rows = (await view(store, RCO, 'rco')).rows;
      expect(rows.map(r => [r.kind, r.lastError])).toEqual([
        ['rules', undefined],
      ]);
    });

    it('a refresh’s own failure is cleared by a later completed refresh; notes are stored', async () => {
      const { store } = await setup(id);
      await store.record(
        run({
          scope: RCO,
          entities: [RCO],
          complete: false,
          outcomes: [
            outcome({
              cluster: '*',
              kind: '*',
              ok: false,
              error: 'did not finish',
            }),
          ],
        }),
      );
      expect((await view(store, RCO, 'rco')).rows).toHaveLength(1);
      await store.record(
        run({
          scope: RCO,
          entities: [RCO],
          outcomes: [
            outcome({
              namespace: 'rco',
              note: '1 object(s) … attributed to none',
            }),
          ],
        }),
      );
      const rows = (await view(store, RCO, 'rco')).rows;
      expect(rows.map(r => [r.kind, r.note])).toEqual([
        ['PolicyReport', '1 object(s) … attributed to none'],
      ]);
    });

    it('refuses: an owner refresh replacing the scheduled run’s broader note on a row about no namespace', async () => {
      const { store } = await setup(id);
      await store.record(
        run({
          outcomes: [outcome({ note: 'scheduled: 3 objects unclaimed' })],
        }),
      );
      await store.record(
        run({
          scope: RCO,
          entities: [RCO],
          outcomes: [outcome({ objects: 1 })],
        }),
      );
      expect((await view(store, RCO, 'rco')).rows.map(r => r.note)).toEqual([
        'scheduled: 3 objects unclaimed',
      ]);
      // The next scheduled run's word replaces it.
      await store.record(run({ outcomes: [outcome({})] }));
      expect((await view(store, RCO, 'rco')).rows.map(r => r.note)).toEqual([
        undefined,
      ]);
    });

    it('counts: one row per entity with objects, none for the others; a page reads only its own', async () => {
      const { knex, store } = await setup(id);
      const entities = Array.from(
        { length: 500 },
        (_, i) => `component:default/s${i}`,
      );
      await store.record(
        run({
          entities,
          outcomes: [outcome({ objects: 3 })],
          counts: [
            { ...outcome({}), entityRef: 'component:default/s1', objects: 2 },
            { ...outcome({}), entityRef: 'component:default/s2', objects: 1 },
          ],
        }),
      );
      const stored = await knex('rco_collection_counts').select();
      expect(stored).toHaveLength(2);
      const s1 = await store.list({
        entityRef: 'component:default/s1',
        environments: ['production'],
        namespaces: [],
      });
      expect(s1.counts.map(c => c.objects)).toEqual([2]);
      // The health row holds no per-entity data at all.
      const [row] = await knex('rco_collection_health').select();
      expect(JSON.stringify(row).length).toBeLessThan(600);
      // A later scheduled run without s1's objects removes its count.
      await store.record(
        run({
          entities,
          outcomes: [outcome({ objects: 1 })],
          counts: [
            { ...outcome({}), entityRef: 'component:default/s2', objects: 1 },
          ],
        }),
      );
      expect(
        (await knex('rco_collection_counts').select('entity_ref')).map(
          r => r.entity_ref,
        ),
      ).toEqual(['component:default/s2']);
    });

    it('refuses: a refresh and a scheduled run writing at once losing each other’s counts', async () => {
      const { knex, store } = await setup(id);
      const full = run({
        outcomes: [outcome({ objects: 3 })],
        counts: [
          { ...outcome({}), entityRef: PAY, objects: 2 },
          { ...outcome({}), entityRef: RCO, objects: 1 },
        ],
      });
      const refreshes = Array.from({ length: 5 }, (_, i) =>
        run({
          scope: `component:default/n${i}`,
          entities: [`component:default/n${i}`],
          outcomes: [outcome({ objects: 1 })],
          counts: [
            {
              ...outcome({}),
              entityRef: `component:default/n${i}`,
              objects: 1,
            },
          ],
        }),
      );
      await Promise.all([
        store.record(full),
        ...refreshes.map(r => store.record(r)),
      ]);
      const refs = (await knex('rco_collection_counts').select('entity_ref'))
        .map(r => r.entity_ref)
        .sort();
      expect(refs).toEqual(expect.arrayContaining([PAY, RCO]));
      // Every refresh's count stands unless the scheduled run (which did not see it) came later
      // and replaced it: then only then. Never a count of another entity lost.
      expect(refs.filter(r => r === PAY || r === RCO)).toHaveLength(2);
    });
  },
);
