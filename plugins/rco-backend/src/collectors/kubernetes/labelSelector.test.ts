import { matchesLabelSelector, parseLabelSelector } from './labelSelector';
import { attribute, renderSelector } from './attribution';
import { compareVersionsNewestFirst } from './kinds';

const labels = { 'app.kubernetes.io/name': 'rco', tier: 'web', env: 'prod' };

describe('label selectors, as the API server reads them', () => {
  it.each([
    ['app.kubernetes.io/name=rco', true],
    ['app.kubernetes.io/name==rco', true],
    ['app.kubernetes.io/name!=rco', false],
    ['tier in (web, api)', true],
    ['tier notin (web,api)', false],
    ['missing notin (a)', true],
    ['missing!=x', true],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['tier=web,env in (prod),!canary', true],
    ['tier=web,env=dev', false],
    ['', true],
  ])('%s → %s', (selector, expected) => {
    expect(matchesLabelSelector(labels, selector)).toBe(expected);
  });

  it.each(['a=b,', 'tier in (web', 'bad key!=x', 'a=b=c', 'k=v v'])(
    'refuses %j rather than guessing',
    selector => {
      expect(() => parseLabelSelector(selector)).toThrow(/label selector/);
    },
  );
});

describe('attribution of listed objects to entities', () => {
  const place = (
    entityRef: string,
    name: string,
    entityNamespace = 'default',
  ) => ({
    entityRef,
    name,
    entityNamespace,
    environment: 'production',
    namespace: 'rco',
  });
  const obj = (name: string, l: Record<string, string>) => ({
    metadata: { name, namespace: 'rco', labels: l },
  });

  it('refuses: an entity whose name is a selector ("rco,tier") widens what it matches', () => {
    expect(() =>
      renderSelector('app.kubernetes.io/name={name}', place('c', 'rco,tier')),
    ).toThrow(/cannot be a label value/);
    expect(() =>
      renderSelector('app.kubernetes.io/name={name}', place('c', 'x in (rco)')),
    ).toThrow(/cannot be a label value/);
  });

  it('refuses: a second entity named rco (another catalog namespace) takes the rco objects; both selectors match, so neither gets it', () => {
    const a = place('component:default/rco', 'rco');
    const b = place('component:team-b/rco', 'rco', 'team-b');
    const t = 'app.kubernetes.io/name={name}';
    const result = attribute(
      [
        obj('rco-pods', { 'app.kubernetes.io/name': 'rco' }),
        obj('x', { 'app.kubernetes.io/name': 'x' }),
      ],
      [
        { place: a, requirements: renderSelector(t, a) },
        { place: b, requirements: renderSelector(t, b) },
      ],
    );
    expect(result.owned).toEqual([]);
    expect(result.ambiguous).toEqual([
      'rco/rco-pods (component:default/rco in production, component:team-b/rco in production)',
    ]);
  });

  it("refuses: a broad selector of one environment (exists) swallows another entity's object", () => {
    const a = place('component:default/rco', 'rco');
    const b = place('component:default/rco-db', 'rco-db');
    const result = attribute(
      [obj('db', { 'app.kubernetes.io/name': 'rco-db' })],
      [
        { place: a, requirements: renderSelector('app.kubernetes.io/name', a) },
        {
          place: b,
          requirements: renderSelector('app.kubernetes.io/name={name}', b),
        },
      ],
    );
    expect(result.owned).toEqual([]);
    expect(result.ambiguous).toHaveLength(1);
  });

  it('gives each object to the one entity whose selector matches', () => {
    const a = place('component:default/rco', 'rco');
    const b = place('component:default/rco-db', 'rco-db');
    const t = 'app.kubernetes.io/name={name}';
    const result = attribute(
      [
        obj('1', { 'app.kubernetes.io/name': 'rco' }),
        obj('2', { 'app.kubernetes.io/name': 'rco-db' }),
        obj('3', {}),
      ],
      [
        { place: a, requirements: renderSelector(t, a) },
        { place: b, requirements: renderSelector(t, b) },
      ],
    );
    expect(
      result.owned.map(o => `${o.object.metadata?.name}:${o.place.name}`),
    ).toEqual(['1:rco', '2:rco-db']);
  });
});

describe('API versions, newest first', () => {
  it('orders GA, beta, alpha as Kubernetes does', () => {
    expect(
      ['v1alpha1', 'v1beta1', 'v1', 'v2beta2', 'v1alpha2', 'v2'].sort(
        compareVersionsNewestFirst,
      ),
    ).toEqual(['v2', 'v1', 'v2beta2', 'v1beta1', 'v1alpha2', 'v1alpha1']);
  });
});
