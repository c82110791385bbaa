import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { OperationState } from '@helix-portal/plugin-rco-common';
import { createTestDatabases } from '../__testUtils__/databases';
import { Ledger } from '../database/Ledger';
import {
  OperationStore,
  OperationTransition,
} from '../database/OperationStore';
import {
  assertTransitionAllowed,
  ForbiddenTransitionError,
  OPERATION_TRANSITIONS,
  TransitionField,
} from './transitions';

const databases = createTestDatabases();
jest.setTimeout(60_000);

const migrations = resolvePackagePath(
  '@helix-portal/plugin-rco-backend',
  'migrations',
);

/** A value for every field a change may write. */
const VALUES: Required<Pick<OperationTransition, TransitionField>> = {
  steps: [{ id: 'deploy', title: 'Deploy', status: 'done' }],
  progress: { phase: 'succeeded' },
  reasons: ['because'],
  confirmedBy: 'user:default/alice',
  awaiting: 'plan',
  gateSnapshot: {
    hash: 'h',
    evaluatedAt: new Date(0).toISOString(),
    gates: [],
    signoffs: [],
  },
  overrideId: 'override-1',
  baselineRevision: '4',
  resultRevision: '5',
  lease: { owner: 'instance-a', ms: 60_000 },
  timings: { controlPlaneMs: 1, driverMs: 2 },
};

const PAIRS = (
  Object.entries(OPERATION_TRANSITIONS) as Array<
    [
      OperationState,
      Partial<Record<OperationState, readonly TransitionField[]>>,
    ]
  >
).flatMap(([from, tos]) =>
  (
    Object.entries(tos) as Array<[OperationState, readonly TransitionField[]]>
  ).map(([to, fields]) => ({ from, to, fields })),
);

const FORBIDDEN: Array<[OperationState, OperationState]> = [
  ['requested', 'running'],
  ['preflight', 'succeeded'],
  ['awaiting-confirmation', 'succeeded'],
  ['running', 'preflight'],
  ['running', 'awaiting-confirmation'],
  ['succeeded', 'running'],
  ['failed', 'succeeded'],
  ['needs-attention', 'failed'],
  ['blocked', 'running'],
];

describe('the operation state machine table', () => {
  it('ends nowhere: terminal states have no way out', () => {
    for (const state of [
      'succeeded',
      'failed',
      'rolled-back',
      'aborted',
      'blocked',
      'needs-attention',
    ] as const) {
      expect(OPERATION_TRANSITIONS[state]).toEqual({});
    }
  });

  it.each(FORBIDDEN)('refuses %s → %s', (from, to) => {
    expect(() => assertTransitionAllowed([from], to, [])).toThrow(
      ForbiddenTransitionError,
    );
  });

  it('refuses a field the change may not write', () => {
    expect(() =>
      assertTransitionAllowed(['running'], 'succeeded', ['confirmedBy']),
    ).toThrow('may not set confirmedBy');
  });
});

describe.each(
  databases.eachSupportedId().filter(([id]) => id.startsWith('SQLITE')),
)('OperationStore enforces the table on %s', databaseId => {
  let store: OperationStore;
  let knex: Awaited<ReturnType<typeof databases.init>>;
  let n = 0;
  beforeAll(async () => {
    knex = await databases.init(databaseId);
    await knex.migrate.latest({ directory: migrations });
    store = new OperationStore(knex, new Ledger(knex));
  });

  /** A new operation put straight into `state` (as the machine would have left it). */
  async function inState(state: OperationState) {
    n += 1;
    const op = await store.create({
      entityRef: 'component:default/rco',
      environment: 'staging',
      type: 'deploy',
      driver: 'simulated',
      simulated: true,
      release: { version: '1.5.0' },
      steps: [{ id: 'deploy', title: 'Deploy', status: 'pending' }],
      requestedBy: 'user:default/alice',
      requestHash: 'h',
      lockKey: `staging|entity|rco-${n}`,
      lease: { owner: 'instance-a', ms: 60_000 },
    });
    await knex('rco_operations').where({ id: op.id }).update({ state });
    return op.id;
  }

  it.each(PAIRS.map(p => [p.from, p.to, p.fields] as const))(
    'allows %s → %s, writing %j',
    async (from, to, fields) => {
      const id = await inState(from);
      const change: OperationTransition = {
        from: [from],
        to,
        actor: 'test',
        ...Object.fromEntries(fields.map(f => [f, VALUES[f]])),
      };
      const done = await store.transition(id, change);
      expect(done?.state).toBe(to);
    },
  );

  it.each(FORBIDDEN)(
    'throws for %s → %s and writes nothing',
    async (from, to) => {
      const id = await inState(from);
      await expect(
        store.transition(id, { from: [from], to, actor: 'test' }),
      ).rejects.toThrow(ForbiddenTransitionError);
      expect((await store.get(id))?.state).toBe(from);
    },
  );

  it('throws whatever the caller lists: one forbidden from-state is enough', async () => {
    const id = await inState('running');
    await expect(
      store.transition(id, {
        from: ['running', 'succeeded'],
        to: 'failed',
        actor: 'test',
      }),
    ).rejects.toThrow('may not go from succeeded to failed');
    expect((await store.get(id))?.state).toBe('running');
  });

  it('throws for a field the change may not write', async () => {
    const id = await inState('running');
    await expect(
      store.transition(id, {
        from: ['running'],
        to: 'succeeded',
        confirmedBy: 'user:default/mallory',
        actor: 'test',
      }),
    ).rejects.toThrow('may not set confirmedBy');
  });
});
