import { CollectionPlace } from '@helix-portal/plugin-rco-node';
import { ok, reportObject } from '../__testUtils__/fakeCollector';
import { entityCounts, healthOutcomes } from './healthOutcomes';

const place = (entityRef: string, namespace: string): CollectionPlace => ({
  entityRef,
  name: entityRef.split('/')[1],
  entityNamespace: 'default',
  environment: 'production',
  namespace,
});
const inNamespace = (p: CollectionPlace, uid: string) => {
  const o = reportObject(p, uid, { uid, resourceVersion: '1' });
  return {
    object: { ...o, provenance: { ...o.provenance, namespace: p.namespace } },
    place: p,
  };
};

describe('health outcomes', () => {
  it('counts each entity’s objects per outcome, within the outcome’s namespace when it names one', () => {
    const rco = place('component:default/rco', 'rco');
    const pay = place('component:default/payments', 'payments');
    const accepted = [
      inNamespace(rco, 'a'),
      inNamespace(rco, 'b'),
      inNamespace(pay, 'c'),
    ];
    const counts = entityCounts(
      'fake',
      [
        ok([rco], { namespace: 'rco' }),
        ok([pay], { namespace: 'payments', ok: false }),
        ok([rco, pay]),
      ],
      accepted,
    );
    expect(counts.map(c => [c.namespace, c.entityRef, c.objects])).toEqual([
      ['rco', 'component:default/rco', 2],
      ['', 'component:default/rco', 2],
      ['', 'component:default/payments', 1],
    ]);
  });

  it('one row per environment; errors and notes redacted; the entity an outcome is about kept', () => {
    const rows = healthOutcomes(
      'fake',
      [
        {
          collector: 'fake',
          cluster: 'c',
          kind: 'PolicyReport',
          environments: ['staging', 'production'],
          entityRef: 'Component:default/RCO',
          ok: false,
          error: 'refused token s3cr3t-value',
        },
        {
          collector: 'fake',
          cluster: 'c',
          kind: 'Backup',
          environments: ['production'],
          ok: true,
          note: 'seen with s3cr3t-value',
        },
      ],
      ['s3cr3t-value'],
    );
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({
      environment: 'staging',
      aboutEntity: 'component:default/rco',
      namespace: '',
      error: 'refused token [redacted]',
    });
    expect(rows[2].note).toBe('seen with [redacted]');
  });
});

describe('health outcomes: notes that name entities (S1 L1)', () => {
  const RCO = 'component:default/rco';
  const X = 'component:default/x';
  const row = (over: object) =>
    ({
      collector: 'kubernetes',
      cluster: 'east',
      kind: 'K8sRequiredLabels',
      environments: ['staging'],
      ok: true,
      ...over,
    } as any);

  it('moves a note to rows about the entities it names; the shared row keeps none', () => {
    const out = healthOutcomes(
      'kubernetes',
      [row({ note: `c1 matched ${X} and ${RCO}`, objects: 3 })],
      [],
      [RCO, X, 'component:default/other'],
    );
    expect(out.map(o => [o.aboutEntity, o.note])).toEqual([
      ['', undefined],
      [RCO, `c1 matched ${X} and ${RCO}`],
      [X, `c1 matched ${X} and ${RCO}`],
    ]);
  });

  it('refuses: a note’s row about an entity wipes that entity’s own failure of the same key', () => {
    const out = healthOutcomes(
      'kubernetes',
      [
        row({ entityRef: X, ok: false, error: `${X}: invalid selector` }),
        row({ note: `c1 matched ${X} and ${RCO}` }),
      ],
      [],
      [RCO, X],
    );
    const aboutX = out.filter(o => o.aboutEntity === X);
    expect(aboutX).toEqual([expect.objectContaining({ ok: false })]);
  });

  it('refuses: a note cut at 500 characters inside …/rco-api goes to …/rco', () => {
    const head = 'attributed to none: ';
    const name = 'n'.repeat(497 - head.length - 1 - RCO.length);
    const note = `${head}${name} ${RCO}-api in staging`;
    const out = healthOutcomes(
      'kubernetes',
      [row({ note })],
      [],
      [RCO, `${RCO}-api`],
    );
    expect(out.map(o => o.aboutEntity).filter(Boolean)).toEqual([`${RCO}-api`]);
  });

  it('does not read api:default/x inside openapi:default/x', () => {
    const out = healthOutcomes(
      'kubernetes',
      [row({ note: 'matched openapi:default/x' })],
      [],
      ['api:default/x'],
    );
    expect(out.map(o => o.aboutEntity)).toEqual(['']);
  });
});
