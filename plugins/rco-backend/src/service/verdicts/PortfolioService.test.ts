import { PortfolioService } from './PortfolioService';

const user = (ref: string) =>
  ({ principal: { type: 'user', userEntityRef: ref } } as any);
const entity = (name: string) => ({
  kind: 'Component',
  metadata: { name, namespace: 'default', title: name.toUpperCase() },
  spec: { owner: 'group:default/team' },
  relations: [],
});
const row = (name: string, generation: number, status = 'fail') => ({
  entityRef: `component:default/${name}`,
  environment: '',
  release: {},
  ready: false,
  gates: [{ id: 'image-scanning', title: 'Scan', status }],
  summary: {
    passing: 0,
    total: 1,
    blockedBy: ['image-scanning'],
    waived: [],
    ready: false,
    text: '',
  },
  judgedAt: new Date(),
  readAt: new Date(),
  basisSeq: 0,
  readSeq: 0,
  changes: 0,
  judgedChanges: 0,
  configDigest: 'd',
  generation,
});

function setup() {
  let now = 1_000_000;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
  const rows: any[] = [];
  const store = {
    changedSince: jest.fn(async (g: number) =>
      rows.filter(r => r.generation > g),
    ),
  };
  // Alice sees a and b; Bob sees only b.
  const sees: Record<string, string[]> = {
    'user:default/alice': ['a', 'b'],
    'user:default/bob': ['b'],
  };
  const catalog = {
    getEntities: jest.fn(async (_req: any, o: any) => ({
      items: sees[o.credentials.principal.userEntityRef].map(entity),
    })),
  };
  const nudge = jest.fn();
  const service = new PortfolioService({
    store: store as any,
    catalog: catalog as any,
    now: () => new Date(now),
    horizonMs: 0,
    configDigest: 'd',
    nudge,
  });
  return {
    service,
    rows,
    store,
    catalog,
    nudge,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

afterEach(() => jest.restoreAllMocks());

describe('PortfolioService', () => {
  it('shows each caller only the services the catalog lets them see, never another caller’s list', async () => {
    const { service, rows } = setup();
    rows.push(row('a', 1), row('b', 2));
    const alice = await service.view(user('user:default/alice'), {});
    const bob = await service.view(user('user:default/bob'), {});
    expect(alice.rows.map(r => r.title)).toEqual(['A', 'B']);
    expect(bob.rows.map(r => r.title)).toEqual(['B']);
  });

  it('counts a verdict judged under another configuration or overtaken by a write as pending, never shown', async () => {
    const { service, rows } = setup();
    rows.push(
      { ...row('a', 1), configDigest: 'old' },
      {
        ...row('b', 2),
        changes: 1,
      },
    );
    const view = await service.view(user('user:default/alice'), {});
    expect(view.rows).toEqual([]);
    expect(view.pending).toBe(2);
  });

  it('counts services without a stored verdict as pending and asks for them', async () => {
    const { service, rows, nudge } = setup();
    rows.push(row('b', 1));
    const view = await service.view(user('user:default/alice'), {});
    expect(view.pending).toBe(1);
    expect(nudge).toHaveBeenCalledWith('component:default/a');
  });

  it('reads only rows changed since a look older than the look-back, so a late commit is not lost', async () => {
    const { service, rows, store, advance } = setup();
    rows.push(row('a', 5));
    await service.view(user('user:default/alice'), {});
    // A row with an earlier generation commits after generation 5 was read.
    rows.push(row('b', 3, 'pass'));
    advance(1_000);
    const view = await service.view(user('user:default/alice'), {});
    expect(store.changedSince).toHaveBeenLastCalledWith(0);
    expect(view.rows.find(r => r.title === 'B')?.gates[0].status).toBe('pass');
    advance(11_000);
    await service.view(user('user:default/alice'), {});
    advance(1_000);
    await service.view(user('user:default/alice'), {});
    expect(store.changedSince).toHaveBeenLastCalledWith(5);
  });

  it('reuses a caller’s list briefly, then serves it while reading a new one, then waits for a new one', async () => {
    const { service, rows, catalog, advance } = setup();
    rows.push(row('a', 1), row('b', 2));
    const alice = user('user:default/alice');
    await service.view(alice, {});
    advance(5_000);
    await service.view(alice, {});
    expect(catalog.getEntities).toHaveBeenCalledTimes(1);
    advance(20_000);
    await service.view(alice, {});
    expect(catalog.getEntities).toHaveBeenCalledTimes(2);
    advance(120_000);
    await service.view(alice, {});
    expect(catalog.getEntities).toHaveBeenCalledTimes(3);
  });

  it('serves the same view again from memory, yet never past a gate ageing out or a row changing', async () => {
    const { service, rows, store, advance } = setup();
    rows.push({
      ...row('a', 1, 'pass'),
      gates: [
        {
          id: 'image-scanning',
          title: 'Scan',
          status: 'pass',
          expiresAt: new Date(1_000_000 + 5_000).toISOString(),
        },
      ],
    });
    const alice = user('user:default/alice');
    const first = await service.view(alice, { sort: 'risk' });
    expect(first.rows[0].gates[0].status).toBe('pass');
    expect(await service.view(alice, { sort: 'risk' })).toBe(first);
    advance(6_000);
    const aged = await service.view(alice, { sort: 'risk' });
    expect(aged).not.toBe(first);
    expect(aged.rows[0].gates[0].status).toBe('stale');
    // A new stored verdict is read on the next look and replaces the view.
    rows.push({ ...row('a', 2, 'fail') });
    const changed = await service.view(alice, { sort: 'risk' });
    expect(changed.rows[0].gates[0].status).toBe('fail');
    expect(store.changedSince).toHaveBeenCalled();
  });

  it('serves one view for every spelling of the same text search', async () => {
    const { service, rows } = setup();
    rows.push(row('a', 1), row('b', 2));
    const alice = user('user:default/alice');
    const lower = await service.view(alice, { q: 'a' });
    expect(await service.view(alice, { q: 'A' })).toBe(lower);
  });

  it('does not keep a failed catalog read: the next request asks again', async () => {
    const { service, rows, catalog } = setup();
    rows.push(row('a', 1));
    catalog.getEntities.mockRejectedValueOnce(new Error('catalog down'));
    await expect(service.view(user('user:default/alice'), {})).rejects.toThrow(
      'catalog down',
    );
    const view = await service.view(user('user:default/alice'), {});
    expect(view.rows).toHaveLength(1);
  });
});

describe('PortfolioService kept views', () => {
  it('brings a kept view up to date with the rows that changed, as a fresh instance would build it', async () => {
    const kept = setup();
    const alice = user('user:default/alice');
    kept.rows.push(row('a', 1, 'fail'), row('b', 2, 'pass'));
    const first = await kept.service.view(alice, { sort: 'risk' });
    expect(first.rows.map(r => r.entityRef)).toEqual([
      'component:default/a',
      'component:default/b',
    ]);
    // b fails now, a passes: the order, the totals and the column counts move with them.
    // (The same row objects for both instances: row() stamps the time it is made.)
    const changed = [row('a', 3, 'pass'), row('b', 4, 'fail')];
    kept.rows.splice(0, 2, ...changed);
    kept.advance(11_000);
    const patched = await kept.service.view(alice, { sort: 'risk' });

    const fresh = setup();
    fresh.rows.push(...changed);
    const built = await fresh.service.view(alice, { sort: 'risk' });
    expect(patched).toEqual(built);
    expect(patched.rows.map(r => r.entityRef)).toEqual([
      'component:default/b',
      'component:default/a',
    ]);
    expect(patched.totals.failing).toBe(1);
    // The view served before is left as it was (a request may still be paging it).
    expect(first.rows.map(r => r.gates[0].status)).toEqual(['fail', 'pass']);
  });

  it('takes a service out of a filtered view when its row stops matching, and counts pending', async () => {
    const kept = setup();
    const alice = user('user:default/alice');
    kept.rows.push(row('a', 1, 'fail'), row('b', 2, 'fail'));
    expect(
      (await kept.service.view(alice, { status: 'fail' })).rows,
    ).toHaveLength(2);
    kept.rows.splice(0, 2, row('a', 3, 'pass'), {
      ...row('b', 4, 'fail'),
      configDigest: 'other',
    });
    kept.advance(11_000);
    const view = await kept.service.view(alice, { status: 'fail' });
    expect(view.rows).toEqual([]);
    expect(view.pending).toBe(1);
    expect(kept.nudge).toHaveBeenCalledWith('component:default/b');
  });
});
