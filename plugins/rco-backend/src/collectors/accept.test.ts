import { CollectionPlace } from '@helix-portal/plugin-rco-node';
import { reportObject } from '../__testUtils__/fakeCollector';
import { acceptObjects } from './accept';

const cluster = { name: 'prod-eu', url: 'https://prod-eu.example' };
const place: CollectionPlace = {
  entityRef: 'component:default/rco',
  name: 'rco',
  entityNamespace: 'default',
  environment: 'production',
  cluster,
  namespace: 'rco',
};
const collector = { id: 'kubernetes', source: 'cluster' as const };
const v = { uid: 'u', resourceVersion: '1' };
const object = (overrides: any = {}) => {
  const o = reportObject(place, 'r', v, 'kubernetes', 'prod-eu');
  return {
    ...o,
    ...overrides,
    provenance: { ...o.provenance, ...overrides.provenance },
  };
};

describe('acceptObjects', () => {
  it('keeps an object of a requested place, from its cluster, by this collector', () => {
    const { accepted, dropped } = acceptObjects(
      collector,
      [place],
      [object()],
      [],
    );
    expect(dropped).toEqual([]);
    expect(accepted).toEqual([{ object: object(), place }]);
  });

  it.each([
    [
      'another entity',
      { entityRef: 'component:default/payments' },
      /not among the places/,
    ],
    ['another environment', { environment: 'staging' }, /not among the places/],
    [
      'another collector named in the provenance',
      { provenance: { collector: 'prometheus' } },
      /names collector prometheus/,
    ],
    [
      'another cluster than the place’s',
      { provenance: { cluster: 'dev' } },
      /read from cluster dev/,
    ],
    [
      'an unknown evidence kind',
      { evidenceKind: 'rootkit' },
      /unknown evidence kind/,
    ],
    ['no uid', { provenance: { uid: '' } }, /no provenance uid/],
    [
      'no resourceVersion',
      { provenance: { resourceVersion: undefined } },
      /no resourceVersion/,
    ],
  ])('%s', (_name, overrides, reason) => {
    const { accepted, dropped } = acceptObjects(
      collector,
      [place],
      [object(overrides)],
      [],
    );
    expect(accepted).toEqual([]);
    expect(dropped[0]).toMatch(reason);
  });

  it('the same entity in other letters is the same place', () => {
    const upper = object({ entityRef: 'Component:default/RCO' });
    expect(acceptObjects(collector, [place], [upper], []).accepted).toEqual([
      { object: upper, place },
    ]);
  });

  it('drops objects of a cluster and kind reported failing in the same run', () => {
    const { accepted, dropped } = acceptObjects(
      collector,
      [place],
      [object()],
      [
        {
          collector: 'kubernetes',
          cluster: 'prod-eu',
          kind: 'policyreport',
          environments: ['production'],
          ok: false,
          error: '403',
        },
      ],
    );
    expect(accepted).toEqual([]);
    expect(dropped[0]).toMatch(/failed in this run/);
  });

  it('a failure naming a namespace or an entity drops only that namespace’s or entity’s objects', () => {
    const failure = (extra: object) => ({
      collector: 'kubernetes',
      cluster: 'prod-eu',
      kind: 'PolicyReport',
      environments: ['production'],
      ok: false,
      error: '403',
      ...extra,
    });
    // reportObject's provenance namespace is 'default'.
    const elsewhere = acceptObjects(
      collector,
      [place],
      [object()],
      [failure({ namespace: 'payments' })],
    );
    expect(elsewhere.accepted).toHaveLength(1);
    const here = acceptObjects(
      collector,
      [place],
      [object()],
      [failure({ namespace: 'default' })],
    );
    expect(here.accepted).toHaveLength(0);
    const otherEntity = acceptObjects(
      collector,
      [place],
      [object()],
      [failure({ entityRef: 'component:default/payments' })],
    );
    expect(otherEntity.accepted).toHaveLength(1);
    const thisEntity = acceptObjects(
      collector,
      [place],
      [object()],
      [failure({ entityRef: 'Component:default/RCO' })],
    );
    expect(thisEntity.accepted).toHaveLength(0);
  });
});
