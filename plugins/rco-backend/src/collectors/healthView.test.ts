import {
  CollectionHealthRow,
  EntityCount,
} from '../database/CollectionHealthStore';
import { healthView } from './healthView';

const RCO = 'component:default/rco';
const row = (overrides: Partial<CollectionHealthRow>): CollectionHealthRow => ({
  collector: 'kubernetes',
  cluster: 'prod-eu',
  kind: 'PolicyReport',
  environment: 'production',
  lastAttemptAt: new Date('2026-11-30T10:00:00Z'),
  lastSuccessAt: new Date('2026-11-30T10:00:00Z'),
  namespace: '',
  aboutEntity: '',
  ...overrides,
});
const count = (
  entityRef: string,
  objects: number,
  overrides: Partial<EntityCount> = {},
): EntityCount => ({
  collector: 'kubernetes',
  cluster: 'prod-eu',
  kind: 'PolicyReport',
  environment: 'production',
  namespace: '',
  aboutEntity: '',
  entityRef,
  objects,
  ...overrides,
});

describe('healthView', () => {
  it('one line per collector, cluster and kind, with this entity’s objects only', () => {
    expect(
      healthView(
        RCO,
        ['kubernetes'],
        ['production', 'staging'],
        [row({}), row({ environment: 'staging' })],
        [
          count(RCO, 3),
          count('component:default/payments', 7),
          count(RCO, 1, { environment: 'staging' }),
        ],
      ),
    ).toEqual([
      {
        collector: 'kubernetes',
        cluster: 'prod-eu',
        kind: 'PolicyReport',
        environments: ['production', 'staging'],
        state: 'ok',
        lastAttemptAt: '2026-11-30T10:00:00.000Z',
        lastSuccessAt: '2026-11-30T10:00:00.000Z',
        objects: 4,
      },
    ]);
  });

  it('failing with its error, keeping the last success; never for a collector that has not run', () => {
    const [k8s, prom] = healthView(
      RCO,
      ['kubernetes', 'prometheus'],
      ['production'],
      [
        row({
          lastAttemptAt: new Date('2026-11-30T11:00:00Z'),
          lastError: 'the cluster answered 403 Forbidden',
        }),
      ],
    );
    expect(k8s).toMatchObject({
      state: 'failing',
      error: 'the cluster answered 403 Forbidden',
      lastSuccessAt: '2026-11-30T10:00:00.000Z',
    });
    expect(prom).toMatchObject({ collector: 'prometheus', state: 'never' });
  });

  // The store clears a whole-collector failure once a run covering it completes (review M1:
  // a later refresh's newer rows no longer hide a scheduled run that keeps timing out).
  it('a whole-collector failure shows while it is stored, whatever newer rows exist; another owner’s failed refresh does not', () => {
    const failed = row({
      cluster: '*',
      kind: '*',
      lastAttemptAt: new Date('2026-11-30T10:30:00Z'),
      lastError: 'did not finish within 120 s',
      errorScope: 'full',
    });
    const later = row({ lastAttemptAt: new Date('2026-11-30T11:00:00Z') });
    expect(
      healthView(RCO, ['kubernetes'], ['production'], [later, failed]).map(
        v => v.kind,
      ),
    ).toEqual(['*', 'PolicyReport']);
    const othersRefresh = { ...failed, errorScope: 'component:team-b/rco' };
    expect(
      healthView(
        RCO,
        ['kubernetes'],
        ['production'],
        [later, othersRefresh],
      ).map(v => v.kind),
    ).toEqual(['PolicyReport']);
    const mine = { ...failed, errorScope: RCO };
    expect(
      healthView(RCO, ['kubernetes'], ['production'], [later, mine]).map(
        v => v.kind,
      ),
    ).toEqual(['*', 'PolicyReport']);
  });

  it('notes of ok rows are served (a kind not served, objects attributed to none); a failing row’s old note is not', () => {
    const [view] = healthView(
      RCO,
      ['kubernetes'],
      ['production', 'staging'],
      [
        row({
          note: '1 object(s) matched the label selectors of more than one entity and were attributed to none: default/rco-report (component:default/rco, component:team-b/rco)',
        }),
        row({ environment: 'staging', note: 'not served by this cluster' }),
      ],
    );
    expect(view.note).toBe(
      '1 object(s) matched the label selectors of more than one entity and were attributed to none: default/rco-report (component:default/rco, component:team-b/rco); not served by this cluster',
    );
    const [failing] = healthView(
      RCO,
      ['kubernetes'],
      ['production'],
      [row({ note: 'old', lastError: '403' })],
    );
    expect(failing.note).toBeUndefined();
  });

  it('namespaces merge into one line; this entity’s objects summed over its rows', () => {
    const [view] = healthView(
      RCO,
      ['kubernetes'],
      ['production'],
      [row({ namespace: 'rco' }), row({ namespace: 'velero' })],
      [
        count(RCO, 2, { namespace: 'rco' }),
        count(RCO, 1, { namespace: 'velero' }),
        count(RCO, 9, { namespace: 'elsewhere' }),
      ],
    );
    expect(view).toMatchObject({ state: 'ok', objects: 3 });
  });

  it('rows of environments the entity has no place in are not its health', () => {
    expect(healthView(RCO, ['kubernetes'], ['staging'], [row({})])).toEqual([
      expect.objectContaining({ state: 'never' }),
    ]);
  });
});
