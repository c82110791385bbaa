import { CollectionHealthRow } from '../database/CollectionHealthStore';
import { healthView } from './healthView';

const RCO = 'component:default/rco';
const row = (overrides: Partial<CollectionHealthRow>): CollectionHealthRow => ({
  collector: 'kubernetes',
  cluster: 'prod-eu',
  kind: 'PolicyReport',
  environment: 'production',
  lastAttemptAt: new Date('2026-11-30T10:00:00Z'),
  lastSuccessAt: new Date('2026-11-30T10:00:00Z'),
  entityObjects: { [RCO]: 3, 'component:default/payments': 7 },
  ...overrides,
});

describe('healthView', () => {
  it('one line per collector, cluster and kind, with this entity’s objects only', () => {
    expect(
      healthView(
        RCO,
        ['kubernetes'],
        ['production', 'staging'],
        [row({}), row({ environment: 'staging', entityObjects: { [RCO]: 1 } })],
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

  it('a whole-collector failure shows until the collector reaches its clusters again', () => {
    const failed = row({
      cluster: '*',
      kind: '*',
      lastAttemptAt: new Date('2026-11-30T10:30:00Z'),
      lastError: 'did not finish within 120 s',
    });
    expect(
      healthView(RCO, ['kubernetes'], ['production'], [row({}), failed]).map(
        v => v.kind,
      ),
    ).toEqual(['*', 'PolicyReport']);
    const later = row({ lastAttemptAt: new Date('2026-11-30T11:00:00Z') });
    expect(
      healthView(RCO, ['kubernetes'], ['production'], [later, failed]).map(
        v => v.kind,
      ),
    ).toEqual(['PolicyReport']);
  });

  it('rows of environments the entity has no place in are not its health', () => {
    expect(healthView(RCO, ['kubernetes'], ['staging'], [row({})])).toEqual([
      expect.objectContaining({ state: 'never' }),
    ]);
  });
});
