import {
  EnvironmentView,
  OperationResponse,
} from '@helix-portal/plugin-rco-common';
import {
  migrationsNotUndone,
  migrationWarning,
  previousRevision,
  revisionVersions,
  revisionWords,
} from './revisions';

const at = (h: number) => new Date(Date.UTC(2026, 10, 29, h)).toISOString();
const rev = (revision: string, status: string, h: number, current = false) => ({
  revision,
  status,
  updatedAt: at(h),
  current,
});
const env = (revisions: EnvironmentView['revisions']): EnvironmentView => ({
  name: 'production',
  driver: 'helm',
  driverLabel: 'Helm',
  simulated: false,
  namespace: 'rco',
  requiredSignoffs: [],
  revisions,
  currentRevision: revisions.find(r => r.current),
});
const op = (o: Partial<OperationResponse>): OperationResponse => ({
  id: 'op',
  entityRef: 'component:default/rco',
  environment: 'production',
  type: 'deploy',
  driver: 'helm',
  simulated: false,
  release: {},
  state: 'succeeded',
  steps: [],
  reasons: [],
  requestedBy: 'user:default/alice',
  createdAt: at(0),
  updatedAt: at(0),
  ...o,
});

describe('previousRevision', () => {
  it('is the revision the serving one just replaced, in whatever order the driver lists them', () => {
    const helmOrder = [
      rev('1', 'superseded', 1),
      rev('2', 'superseded', 2),
      rev('3', 'superseded', 3),
      rev('4', 'deployed', 4, true),
    ];
    expect(previousRevision(env(helmOrder))?.revision).toBe('3');
    expect(previousRevision(env([...helmOrder].reverse()))?.revision).toBe('3');
  });

  it('skips a revision that never served (a failed upgrade helm rolled back)', () => {
    expect(
      previousRevision(
        env([
          rev('7', 'deployed', 7, true),
          rev('6', 'failed', 6),
          rev('5', 'superseded', 5),
          rev('4', 'superseded', 4),
        ]),
      )?.revision,
    ).toBe('5');
  });

  it('is never the serving revision, and undefined when there is nothing earlier', () => {
    expect(previousRevision(env([rev('1', 'deployed', 1, true)]))).toBe(
      undefined,
    );
  });
});

describe('revisionVersions', () => {
  it('follows deploys and rollbacks to the version each revision runs', () => {
    const e = env([rev('5', 'deployed', 5, true), rev('4', 'superseded', 4)]);
    const versions = revisionVersions(e, [
      op({
        id: 'rb',
        type: 'rollback',
        targetRevision: '3',
        resultRevision: '5',
        createdAt: at(5),
      }),
      op({
        id: 'd4',
        release: { version: '1.3.2' },
        resultRevision: '4',
        createdAt: at(4),
      }),
      op({
        id: 'd3',
        release: { version: '1.3.1' },
        resultRevision: '3',
        createdAt: at(3),
      }),
      // Another environment's revision 4 is not this one's.
      op({
        id: 'x',
        environment: 'staging',
        release: { version: '9.9.9' },
        resultRevision: '4',
        createdAt: at(6),
      }),
    ]);
    expect(Object.fromEntries(versions)).toEqual({
      '3': '1.3.1',
      '4': '1.3.2',
      '5': '1.3.1',
    });
    expect(revisionWords('5', versions)).toBe('revision 5 (v1.3.1)');
    expect(revisionWords('9', versions)).toBe('revision 9');
  });
});

describe('migrationsNotUndone', () => {
  const e = env([rev('4', 'deployed', 4, true), rev('3', 'superseded', 3)]);
  const migrated = op({
    id: 'd4',
    release: { version: '1.3.2' },
    resultRevision: '4',
    createdAt: at(4),
    steps: [
      {
        id: 'db-migration',
        title: 'Database migration: V42__add_call_index',
        status: 'done',
        irreversible: true,
        finishedAt: at(4),
      },
    ],
  });

  it('names the migration that ran since the target revision went live', () => {
    const found = migrationsNotUndone(e, e.revisions[1], [migrated]);
    expect(found.map(migrationWarning)).toEqual([
      'The database migration V42__add_call_index of v1.3.2 will not be undone by this rollback.',
    ]);
  });

  it('leaves out migrations older than the target, and ones that never ran', () => {
    const older = rev('4', 'superseded', 5);
    expect(migrationsNotUndone(e, older, [migrated])).toEqual([]);
    const pending = {
      ...migrated,
      steps: [{ ...migrated.steps[0], status: 'pending' as const }],
    };
    expect(migrationsNotUndone(e, e.revisions[1], [pending])).toEqual([]);
  });
});
