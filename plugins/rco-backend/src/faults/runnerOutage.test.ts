import { mockServices } from '@backstage/backend-test-utils';
import { DeployDriver, DriverContext } from '@helix-portal/plugin-rco-node';
import { OperationRecord, OperationStore } from '../database/OperationStore';
import {
  ServiceState,
  SimulatedDriver,
} from '../drivers/simulated/SimulatedDriver';
import { Environments } from '../operations/environments';
import { OperationRunner } from '../operations/OperationRunner';
import { TargetBindings } from '../operations/targetBinding';
import { markDatabaseClientError } from '../service/unavailable';
import { waitUntil } from './__testUtils__/burst';

// A database outage while a deploy runs is no failure of the deploy: the tool carries on without
// the console. The runner must leave the operation to its lease (the reconciler adopts it once
// the database answers), not record "failed" with the driver's error, which quotes the SQL.

const ENTITY = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'svc', namespace: 'default' },
  spec: { owner: 'group:default/team' },
};
const TARGET = {
  entityRef: 'component:default/svc',
  environment: 'staging',
  driver: 'simulated',
  namespace: 'default',
  timeoutMs: 60_000,
} as any;

/**
 * knex's words for a query whose connection was cut: the statement first, bindings included;
 * marked as the plugin's watched knex marks what it throws (watchDatabaseErrors).
 */
const cut = () => {
  const error = new Error(
    `update "rco_operations" set "progress" = '{"phase":"progressing"}' where "id" = 'op-1' - Connection terminated unexpectedly`,
  );
  markDatabaseClientError(error);
  return error;
};

/** An operation store in memory whose writes fail while `down` says so. */
function fakeStore(op: OperationRecord, down: () => boolean) {
  const transitions: Array<{ to: string; reasons?: string[] }> = [];
  let current = op;
  const store = {
    transitions,
    current: () => current,
    claimLease: async () => true,
    reportProgress: async (
      _id: string,
      _owner: string,
      _ms: number,
      p: any,
    ) => {
      if (down()) throw cut();
      current = { ...current, ...p };
    },
    transition: async (_id: string, t: any) => {
      if (down()) throw cut();
      transitions.push({ to: t.to, reasons: t.reasons });
      current = { ...current, state: t.to, reasons: t.reasons ?? [] };
      return current;
    },
    list: async () => [],
    listOrphans: async () => (current.state === 'running' ? [current] : []),
    listUnconfirmed: async () => [],
  };
  return store;
}

const OP = {
  id: 'op-1',
  entityRef: TARGET.entityRef,
  environment: 'staging',
  type: 'deploy',
  driver: 'simulated',
  state: 'running',
  release: { version: '2.0.0', digest: `sha256:${'d'.repeat(64)}` },
  steps: [{ id: 'deploy', title: 'Deploy', status: 'pending' }],
  reasons: [],
  lockKey: 'simulated|component:default/svc|staging',
  baselineRevision: '2',
} as unknown as OperationRecord;

/** The runner with fakes around it, driving through `driver`. */
function runnerOf(store: ReturnType<typeof fakeStore>, driver: DeployDriver) {
  const logger = mockServices.logger.mock();
  const runner = new OperationRunner({
    store: store as unknown as OperationStore,
    environments: {
      target: () => TARGET,
      lockKey: () => OP.lockKey,
      legacyLockKey: () => OP.lockKey,
      imageFor: () => 'registry.example/svc@sha256:d',
    } as unknown as Environments,
    drivers: new Map([['simulated', driver]]),
    loadEntity: async () => ENTITY,
    events: {
      changed: async () => {},
      finished: async () => {},
      dryRunRecorded: async () => {},
    },
    logger,
    instanceId: 'one',
    leaseMs: 1_000,
    pollMs: 10,
    confirmationTimeoutMs: 60_000,
    bindings: { decide: async () => 'held' } as unknown as TargetBindings,
  });
  return { runner, logger };
}

it.each([
  ['a connection cut under one write (the next one works)', 1],
  ['the database away for a while', 1_000_000],
])(
  'leaves a deploy to the reconciler on %s, and finishes it once it is back',
  async (_what, writes) => {
    // How many writes fail from the moment the database goes away.
    let failing = 0;
    const down = () => failing > 0 && failing-- > 0;
    const op = OP;
    const store = fakeStore(op, down);
    const cluster = new Map<string, ServiceState>();
    const driver = new SimulatedDriver({ stepDelayMs: 20, cluster });
    const { runner, logger } = runnerOf(store, driver);

    runner.start(op);
    // The canary starts; then the database goes away while the runner writes its progress.
    await waitUntil(
      'the canary to start',
      () => !!store.current().progress,
      5_000,
    );
    failing = writes;
    await waitUntil(
      'the runner to let go',
      () => runner.activeCount === 0,
      5_000,
    );
    expect(store.transitions).toEqual([]);
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain(
      'rco_operations',
    );

    // Back: the reconciler adopts it, reads what the cluster did meanwhile and follows it on.
    failing = 0;
    await runner.reconcile();
    await waitUntil(
      'the adopted canary to pause for promotion',
      () => store.current().progress?.phase === 'paused',
      5_000,
    );
    await driver.promote(TARGET);
    await waitUntil(
      'the deploy to end',
      () => store.transitions.length > 0,
      5_000,
    );
    expect(store.transitions).toEqual([
      expect.objectContaining({ to: 'succeeded' }),
    ]);
    await runner.stop();
  },
);

it('still records a failure the driver reports in socket words: the cluster, not the database, is out of reach', async () => {
  const store = fakeStore(OP, () => false);
  const simulated = new SimulatedDriver({
    stepDelayMs: 20,
    cluster: new Map(),
  });
  const refused = Object.assign(
    new Error('connect ECONNREFUSED 10.0.0.9:6443'),
    {
      code: 'ECONNREFUSED',
    },
  );
  const driver = Object.assign(Object.create(simulated), {
    observe: async () => {
      throw refused;
    },
  }) as DeployDriver;
  const { runner } = runnerOf(store, driver);
  // Adopted: the runner observes what the tool did, and the tool cannot be reached.
  runner.start(
    { ...OP, progress: { phase: 'progressing' } } as OperationRecord,
    true,
  );
  await waitUntil(
    'the deploy to end',
    () => store.transitions.length > 0,
    5_000,
  );
  expect(store.transitions).toEqual([
    {
      to: 'failed',
      reasons: ['Simulated cluster failed: connect ECONNREFUSED 10.0.0.9:6443'],
    },
  ]);
  await runner.stop();
});

it("leaves a deploy to the reconciler when the database is cut under the driver's own ctx.report", async () => {
  let writes = 0;
  // #1 the runner's step write, #2 the driver's report.
  const store = fakeStore(OP, () => ++writes === 2);
  const simulated = new SimulatedDriver({
    stepDelayMs: 20,
    cluster: new Map(),
  });
  const driver = Object.assign(Object.create(simulated), {
    deploy: async (_t: any, _r: any, ctx: DriverContext) => {
      await ctx.report({ phase: 'progressing', message: 'x' });
      return { phase: 'progressing', message: 'x' };
    },
    observe: async () => ({ phase: 'progressing', message: 'x' }),
  }) as DeployDriver;
  const { runner, logger } = runnerOf(store, driver);
  runner.start(OP);
  await waitUntil(
    'the runner to let go',
    () => runner.activeCount === 0 || store.transitions.length > 0,
    5_000,
  );
  expect(store.transitions).toEqual([]);
  expect(JSON.stringify(logger.warn.mock.calls)).not.toContain(
    'rco_operations',
  );
  await runner.stop();
});

/** A driver whose deploy reports once, then hands the report's error on as `wrap` words it. */
function reportingDriver(wrap: (error: Error) => Error) {
  const simulated = new SimulatedDriver({
    stepDelayMs: 20,
    cluster: new Map(),
  });
  return Object.assign(Object.create(simulated), {
    deploy: async (_t: any, _r: any, ctx: DriverContext) => {
      try {
        await ctx.report({ phase: 'progressing', message: 'x' });
      } catch (error) {
        throw wrap(error as Error);
      }
      return { phase: 'progressing', message: 'x' };
    },
  }) as DeployDriver;
}

it('takes a report error the driver wrapped as its cause for the console, not the tool', async () => {
  let writes = 0;
  const store = fakeStore(OP, () => ++writes === 2);
  const driver = reportingDriver(
    error => new Error('Following the Rollout failed', { cause: error }),
  );
  const { runner } = runnerOf(store, driver);
  runner.start(OP);
  await waitUntil(
    'the runner to let go',
    () => runner.activeCount === 0 || store.transitions.length > 0,
    5_000,
  );
  expect(store.transitions).toEqual([]);
  await runner.stop();
});

it('quotes no SQL when a driver words a report error as its own', async () => {
  let writes = 0;
  const store = fakeStore(OP, () => ++writes === 2);
  const driver = reportingDriver(
    error => new Error(`Following the Rollout failed: ${error.message}`),
  );
  const { runner } = runnerOf(store, driver);
  runner.start(OP);
  await waitUntil(
    'the deploy to end',
    () => store.transitions.length > 0,
    5_000,
  );
  // Without a cause the runner cannot tell: the tool's failure, but in the console's words.
  expect(store.transitions).toEqual([
    {
      to: 'failed',
      reasons: [
        'Simulated cluster failed: Following the Rollout failed: The console could not record the progress (Connection terminated unexpectedly)',
      ],
    },
  ]);
  await runner.stop();
});

it("names, never quotes, the console's own store error that is no outage", async () => {
  let writes = 0;
  const deadlock = Object.assign(
    new Error(
      `update "rco_operations" set "steps" = '[]' where "id" = 'op-1' - deadlock detected`,
    ),
    { name: 'error', code: '40P01', severity: 'ERROR' },
  );
  const store = fakeStore(OP, () => false);
  const reportProgress = store.reportProgress;
  store.reportProgress = async (...args) => {
    if (++writes === 1) throw deadlock; // the runner's own step write
    return reportProgress(...args);
  };
  const { runner, logger } = runnerOf(
    store,
    new SimulatedDriver({ stepDelayMs: 20, cluster: new Map() }),
  );
  runner.start(OP);
  await waitUntil(
    'the deploy to end',
    () => store.transitions.length > 0,
    5_000,
  );
  expect(store.transitions).toEqual([
    {
      to: 'failed',
      reasons: ['The console could not follow it (error 40P01)'],
    },
  ]);
  expect(JSON.stringify(logger.error.mock.calls)).not.toContain(
    'rco_operations',
  );
  await runner.stop();
});
