import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { createTestDatabases } from '../__testUtils__/databases';
import { ActiveOperationError, OperationStore } from './OperationStore';
import { Ledger } from './Ledger';
import { OperationRow } from './tables';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const migrations = resolvePackagePath(
  '@helix-portal/plugin-rco-backend',
  'migrations',
);

async function store(databaseId: any) {
  const knex = await databases.init(databaseId);
  await knex.migrate.latest({ directory: migrations });
  const ledger = new Ledger(knex);
  return { knex, ledger, store: new OperationStore(knex, ledger) };
}

const op = (overrides = {}) => ({
  entityRef: 'component:default/rco',
  environment: 'staging',
  type: 'deploy' as const,
  driver: 'simulated',
  simulated: true,
  release: { version: '1.5.0' },
  steps: [{ id: 'deploy', title: 'Deploy', status: 'pending' as const }],
  requestedBy: 'user:default/alice',
  requestHash: 'h',
  lockKey: 'staging|entity|component:default/rco',
  lease: { owner: 'instance-a', ms: 60_000 },
  ...overrides,
});

describe.each(databases.eachSupportedId())(
  'OperationStore on %s',
  databaseId => {
    it('moves through the states by compare-and-set, each change with its ledger entry', async () => {
      const { store: s, ledger } = await store(databaseId);
      const created = await s.create(op());
      expect(created.state).toBe('requested');
      const actor = 'user:default/alice';
      expect(
        await s.transition(created.id, {
          from: ['requested'],
          to: 'preflight',
          actor,
        }),
      ).toMatchObject({ state: 'preflight' });
      // A change from a state the operation has left is refused: someone else won.
      expect(
        await s.transition(created.id, {
          from: ['requested'],
          to: 'failed',
          actor,
        }),
      ).toBeUndefined();
      await s.transition(created.id, {
        from: ['preflight'],
        to: 'awaiting-confirmation',
        awaiting: 'plan',
        actor,
      });
      await s.transition(created.id, {
        from: ['awaiting-confirmation'],
        to: 'running',
        awaiting: null,
        actor,
      });
      const done = await s.transition(created.id, {
        from: ['running'],
        to: 'succeeded',
        resultRevision: '3',
        actor,
      });
      expect(done).toMatchObject({
        state: 'succeeded',
        resultRevision: '3',
        leaseOwner: undefined,
      });
      expect(done!.finishedAt).toBeDefined();
      const entries = await ledger.list({ entityRef: 'component:default/rco' });
      expect(entries.map(e => [e.entryType, e.payload.to ?? null])).toEqual([
        ['operation-requested', null],
        ['operation-state', 'preflight'],
        ['operation-state', 'awaiting-confirmation'],
        ['operation-state', 'running'],
        ['operation-state', 'succeeded'],
      ]);
      expect((await ledger.verify()).ok).toBe(true);
    });

    it('holds one active operation per entity and environment until it ends', async () => {
      const { store: s } = await store(databaseId);
      const first = await s.create(op());
      await expect(s.create(op())).rejects.toThrow(ActiveOperationError);
      await expect(s.create(op())).rejects.toThrow(
        `Operation ${first.id} is already active in staging`,
      );
      expect(
        (
          await s.create(
            op({
              environment: 'production',
              lockKey: 'production|entity|component:default/rco',
            }),
          )
        ).state,
      ).toBe('requested');
      await s.transition(first.id, {
        from: ['requested'],
        to: 'aborted',
        actor: 'x',
      });
      expect((await s.create(op())).state).toBe('requested');
    });

    it('leases: only the holder renews, anyone may take an expired one, finished operations none', async () => {
      const { store: s } = await store(databaseId);
      const created = await s.create(
        op({ lease: { owner: 'instance-a', ms: 60_000 } }),
      );
      expect(await s.claimLease(created.id, 'instance-b', 1000)).toBe(false);
      expect(await s.claimLease(created.id, 'instance-a', 50)).toBe(true);
      expect(await s.listOrphans()).toHaveLength(0);
      await new Promise(r => setTimeout(r, 80));
      expect((await s.listOrphans()).map(o => o.id)).toEqual([created.id]);
      expect(await s.claimLease(created.id, 'instance-b', 60_000)).toBe(true);
      expect(
        await s.reportProgress(created.id, 'instance-a', 1000, {
          progress: { phase: 'progressing' },
        }),
      ).toBe(false);
      expect(
        await s.reportProgress(created.id, 'instance-b', 1000, {
          progress: { phase: 'progressing' },
        }),
      ).toBe(true);
      await s.transition(created.id, {
        from: ['requested'],
        to: 'failed',
        actor: 'x',
      });
      expect(await s.claimLease(created.id, 'instance-b', 1000)).toBe(false);
    });
  },
);

describe.each(
  databases.eachSupportedId().filter(([id]) => id.startsWith('POSTGRES')),
)('OperationStore on %s, while another writer holds the entity', databaseId => {
  /**
   * Holds the entity's ledger lock in another transaction, lets a transition start (it reads
   * the row and waits for the lock), moves the row to `meanwhile`, and lets go.
   */
  async function raced(meanwhile: OperationRow['state']) {
    const { knex, store: s, ledger } = await store(databaseId);
    const created = await s.create(op());
    const holder = await knex.transaction();
    await holder.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [
      'rco_ledger:component:default/rco',
    ]);
    const pending = s.transition(created.id, {
      from: ['requested', 'preflight'],
      to: 'failed',
      reasons: ['Interrupted during preflight'],
      actor: 'rco:reconciler',
    });
    // Wait until the transition is queued behind the lock (in this test's database).
    let waiting = 0;
    for (let i = 0; i < 500 && waiting !== 1; i++) {
      await new Promise(r => setTimeout(r, 10));
      waiting = (
        await knex.raw(
          `SELECT count(*)::int AS n FROM pg_locks
           WHERE locktype = 'advisory' AND NOT granted
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        )
      ).rows[0].n;
    }
    expect(waiting).toBe(1);
    await holder('rco_operations')
      .where({ id: created.id })
      .update({ state: meanwhile });
    await holder.commit();
    const result = await pending;
    const entries = await ledger.list({ entityRef: 'component:default/rco' });
    return { result, last: entries[entries.length - 1] };
  }

  it('judges a change again on the state another writer left, when that state is allowed', async () => {
    const { result, last } = await raced('preflight');
    expect(result).toMatchObject({ state: 'failed' });
    // The ledger says where it really came from.
    expect(last.payload).toMatchObject({ from: 'preflight', to: 'failed' });
  });

  it('refuses it when the state another writer left is not one it may change', async () => {
    const { result, last } = await raced('awaiting-confirmation');
    expect(result).toBeUndefined();
    // Nothing written: the newest ledger entry is still the request.
    expect(last.entryType).toBe('operation-requested');
  });
});
