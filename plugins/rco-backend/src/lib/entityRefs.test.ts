import { normalizeEntityRef, sameEntityRef } from './entityRefs';

describe('entity refs', () => {
  it.each([
    ['Component:Default/RCO', 'component:default/rco'],
    ['component:default/rco', 'component:default/rco'],
    ['Component:RCO', 'component:default/rco'],
  ])('normalises %s to %s', (ref, expected) => {
    expect(normalizeEntityRef(ref)).toBe(expected);
  });

  it('normalises entities and compound refs the same way', () => {
    const entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'Payments-API', namespace: 'Team-A' },
    };
    expect(normalizeEntityRef(entity)).toBe('component:team-a/payments-api');
    expect(
      sameEntityRef(entity, {
        kind: 'component',
        namespace: 'team-a',
        name: 'PAYMENTS-api',
      }),
    ).toBe(true);
  });

  it('tells different entities apart', () => {
    expect(sameEntityRef('component:default/rco', 'api:default/rco')).toBe(
      false,
    );
    expect(sameEntityRef('component:default/rco', 'component:other/rco')).toBe(
      false,
    );
  });

  it('refuses a ref without a kind', () => {
    expect(() => normalizeEntityRef('default/rco')).toThrow();
  });
});
