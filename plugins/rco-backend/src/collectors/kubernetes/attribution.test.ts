import type { CollectionPlace } from '@helix-portal/plugin-rco-node';
import { attribute, CandidateIndex, renderSelector } from './attribution';
import { parseLabelSelector } from './labelSelector';

const place = (name: string, environment = 'production'): CollectionPlace => ({
  entityRef: `component:default/${name}`,
  name,
  entityNamespace: 'default',
  environment,
  namespace: 'apps',
});

const object = (name: string, labels: Record<string, string>) => ({
  metadata: { name, namespace: 'apps', uid: name, labels },
});

describe('attribute', () => {
  it('10,000 entities sharing one namespace and 10,000 objects: each object goes to its entity (an index by label value, not objects × entities)', () => {
    const n = 10_000;
    let checks = 0;
    const candidates = Array.from({ length: n }, (_, i) => {
      const requirements = renderSelector(
        'app.kubernetes.io/name={name}',
        place(`s${i}`),
      );
      // Counts the times a selector is checked against an object's labels.
      requirements.every = function every(this: unknown[], ...args: any[]) {
        checks++;
        return Array.prototype.every.apply(this, args as any);
      } as any;
      return { place: place(`s${i}`), requirements };
    });
    const objects = Array.from({ length: n }, (_, i) =>
      object(`o${i}`, { 'app.kubernetes.io/name': `s${(i * 7) % n}` }),
    );
    const started = Date.now();
    const a = attribute(objects, candidates);
    // eslint-disable-next-line no-console
    console.info(
      `attribute: ${n} entities × ${n} objects in ${Date.now() - started} ms`,
    );
    // Each object is checked against the entities its label value can match (one), not all.
    expect(checks).toBe(n);
    expect(a.owned).toHaveLength(n);
    expect(a.ambiguous).toEqual([]);
    for (const [i, o] of a.owned.entries()) {
      expect(o.place.name).toBe(`s${(i * 7) % n}`);
    }
  });

  it('still finds every match: selectors without equality are checked against every object, `in` buckets by each value', () => {
    const index = new CandidateIndex([
      {
        place: place('eq'),
        requirements: parseLabelSelector('app=a,tier!=db'),
      },
      { place: place('in'), requirements: parseLabelSelector('team in (x,y)') },
      { place: place('exists'), requirements: parseLabelSelector('canary') },
    ]);
    const a = attribute(
      [
        object('1', { app: 'a' }),
        object('2', { app: 'a', tier: 'db' }),
        object('3', { team: 'y' }),
        object('4', { canary: 'true' }),
        object('5', { app: 'a', canary: '' }),
        object('6', { app: 'b' }),
      ],
      index,
    );
    expect(
      a.owned.map(o => `${o.object.metadata?.name}:${o.place.name}`),
    ).toEqual(['1:eq', '3:in', '4:exists']);
    expect(a.ambiguous).toEqual([
      'apps/5 (component:default/eq in production, component:default/exists in production)',
    ]);
    expect(a.unmatched.map(o => o.metadata?.name)).toEqual(['2', '6']);
  });

  it('the same entity in two environments of one cluster gets neither', () => {
    const r = parseLabelSelector('app=a');
    const a = attribute(
      [object('1', { app: 'a' })],
      [
        { place: place('a'), requirements: r },
        { place: place('a', 'staging'), requirements: r },
      ],
    );
    expect(a.owned).toEqual([]);
    expect(a.ambiguous).toHaveLength(1);
  });
});
