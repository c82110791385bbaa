import { Duration } from 'luxon';
import { createTestDatabases } from '../../../__testUtils__/databases';
import { Ledger } from '../../../database/Ledger';
import { reconcileLedger } from '../../../database/LedgerReconciler';
import { migrateToLatest } from '../../../database/migrations';
import { DatabaseWindowStore } from './DatabaseWindowStore';
import { WindowService } from './WindowService';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const REF = 'component:default/rco';
const at = (hhmm: string) => new Date(`2026-12-14T${hhmm}:00.000Z`);
const NOW = at('06:00');

/** The windows of one day, in UTC; the deploy gate asks about them at different times. */
const WINDOWS = [
  {
    name: 'A',
    release: { version: '1.5.0' },
    from: '10:00',
    to: '12:00',
    accept: true,
  },
  {
    name: 'B (any release)',
    release: {},
    from: '14:00',
    to: '16:00',
    accept: true,
  },
  {
    name: 'C (only proposed)',
    release: { version: '1.5.0' },
    from: '09:00',
    to: '18:00',
    accept: false,
  },
  {
    name: 'D (another release)',
    release: { version: '1.6.0' },
    from: '08:00',
    to: '20:00',
    accept: true,
  },
  {
    name: 'E (cancelled)',
    release: { version: '1.5.0' },
    from: '12:00',
    to: '14:00',
    accept: true,
    cancel: true,
  },
  {
    name: 'F (staging)',
    release: { version: '1.5.0' },
    from: '00:00',
    to: '23:59',
    accept: true,
    environment: 'staging',
  },
  {
    name: 'G (accepted by the proposer only)',
    release: { version: '1.5.0' },
    from: '16:00',
    to: '17:00',
    accept: 'self',
  },
];

async function setup(databaseId: any) {
  const knex = await databases.init(databaseId);
  await migrateToLatest(knex);
  const store = new DatabaseWindowStore(knex, new Ledger(knex));
  const ids: Record<string, string> = {};
  for (const w of WINDOWS) {
    const record = await store.add({
      entityRef: REF,
      environment: w.environment ?? 'production',
      release: w.release,
      start: at(w.from),
      end: at(w.to),
      timeZone: 'Europe/Berlin',
      requiredRoles: ['po', 'security'],
      proposedBy: 'user:default/alice',
      proposedAt: NOW,
    });
    ids[w.name] = record.id;
    if (w.accept === true) {
      await store.accept(record.id, ['po'], 'user:default/priya', NOW);
      await store.accept(record.id, ['security'], 'user:default/samir', NOW);
    }
    // A row the rules must not count even if it got into the table.
    if (w.accept === 'self')
      await store.accept(
        record.id,
        ['po', 'security'],
        'user:default/alice',
        NOW,
      );
    if (w.cancel) await store.cancel(record.id, 'user:default/alice', NOW);
  }
  const service = new WindowService({
    store,
    access: {} as any,
    environments: {
      get: name => ({ name, requiredSignoffs: ['po', 'dpo', 'security'] }),
    },
    config: {
      windowMaxDuration: Duration.fromISO('P1D'),
      signoffGroups: { po: undefined, dpo: undefined, security: undefined },
      operationEntityKinds: ['component'],
    },
    clock: { now: () => NOW },
  });
  return { knex, store, service, ids };
}

describe.each(databases.eachSupportedId())(
  'WindowService on %s',
  databaseId => {
    it('acceptedWindowAt and nextWindow: only accepted, uncancelled windows of the environment that cover the release', async () => {
      const { service, ids, knex } = await setup(databaseId);
      const table: Array<
        [string, string, string | undefined, string | undefined]
      > = [
        // [release version, at, acceptedWindowAt, nextWindow]
        ['1.5.0', '09:30', undefined, 'A'],
        ['1.5.0', '10:00', 'A', 'A'],
        ['1.5.0', '11:59', 'A', 'A'],
        ['1.5.0', '12:00', undefined, 'B (any release)'],
        ['1.5.0', '15:00', 'B (any release)', 'B (any release)'],
        ['1.5.0', '16:00', undefined, undefined],
        ['1.6.0', '09:00', 'D (another release)', 'D (another release)'],
        ['1.6.0', '15:00', 'D (another release)', 'D (another release)'],
        ['2.0.0', '06:00', undefined, 'B (any release)'],
      ];
      for (const [version, time, open, next] of table) {
        const release = { version };
        const got = await service.acceptedWindowAt(
          REF,
          'production',
          release,
          at(time),
        );
        const ahead = await service.nextWindow(
          REF,
          'production',
          release,
          at(time),
        );
        expect({
          version,
          time,
          open: got && [got.id, got.state, got.openNow],
          next: ahead && [ahead.id, ahead.state, ahead.openNow],
        }).toEqual({
          version,
          time,
          open: open && [ids[open], 'accepted', true],
          // The next window is open at `time` exactly when it is the open one.
          next: next && [ids[next], 'accepted', next === open],
        });
      }
      // The ledger holds every proposal, acceptance and cancellation, and the rows match it.
      expect((await reconcileLedger(knex)).problems).toEqual([]);
    });

    it('the ledger reconciler finds a window edited in the database and an acceptance written without its entry', async () => {
      const { knex, ids } = await setup(databaseId);
      await knex('rco_deploy_windows')
        .where({ id: ids['C (only proposed)'] })
        .update({ end_at: at('23:00') });
      await knex('rco_deploy_window_acceptances').insert({
        id: '11111111-1111-4111-8111-111111111111',
        window_id: ids['C (only proposed)'],
        entity_ref: REF,
        role: 'po',
        accepted_by: 'user:default/mallory',
        accepted_at: NOW,
      });
      const { problems } = await reconcileLedger(knex);
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            table: 'rco_deploy_windows',
            id: ids['C (only proposed)'],
            problem: expect.stringMatching(
              /differs from its ledger entry \d+ \(end\)/,
            ),
          }),
          expect.objectContaining({
            table: 'rco_deploy_window_acceptances',
            problem: 'no ledger entry',
          }),
        ]),
      );
    });
  },
);
