import { mockCredentials } from '@backstage/backend-test-utils';
import {
  cachedForCaller,
  callerKey,
  perRequest,
  TtlCache,
} from './requestCache';

describe('TtlCache', () => {
  let now = 1_000_000;
  const cache = <V>(maxEntries = 100) =>
    new TtlCache<V>({ ttlMs: 5_000, maxEntries, now: () => now });
  beforeEach(() => {
    now = 1_000_000;
  });

  it('reads once for concurrent and repeated asks within the TTL, again after it', async () => {
    const c = cache<string>();
    const load = jest.fn(async () => 'rco');
    const all = await Promise.all(
      Array.from({ length: 10 }, () => c.get('a', load)),
    );
    expect(all).toEqual(Array(10).fill('rco'));
    now += 4_999;
    await c.get('a', load);
    expect(load).toHaveBeenCalledTimes(1);
    now += 1;
    await c.get('a', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps no failure: the waiting callers share it, the next caller asks again', async () => {
    const c = cache<string>();
    let fail = true;
    const load = jest.fn(async () => {
      if (fail) throw new Error('catalog unavailable');
      return 'rco';
    });
    const [a, b] = [c.get('a', load), c.get('a', load)];
    await expect(a).rejects.toThrow('catalog unavailable');
    await expect(b).rejects.toThrow('catalog unavailable');
    expect(load).toHaveBeenCalledTimes(1);
    fail = false;
    await expect(c.get('a', load)).resolves.toBe('rco');
    expect(load).toHaveBeenCalledTimes(2);
    // A load that throws before returning a promise is a failed read too.
    const sync = jest.fn((): Promise<string> => {
      throw new Error('no');
    });
    await expect(c.get('b', sync)).rejects.toThrow('no');
    await expect(c.get('b', sync)).rejects.toThrow('no');
    expect(sync).toHaveBeenCalledTimes(2);
  });

  it('holds at most maxEntries, pushing out the oldest read', async () => {
    const c = cache<number>(3);
    const load = jest.fn(async () => 1);
    for (const key of ['a', 'b', 'c', 'd']) await c.get(key, load);
    expect(c.size).toBe(3);
    await c.get('d', load);
    await c.get('b', load);
    expect(load).toHaveBeenCalledTimes(4);
    await c.get('a', load); // pushed out: read again
    expect(load).toHaveBeenCalledTimes(5);
    expect(c.size).toBe(3);
  });

  it('reads the keys not cached in one batch, and keeps no failed batch', async () => {
    const c = cache<string>();
    const loadMany = jest.fn(async (missing: number[]) =>
      missing.map(i => `v${i}`),
    );
    await expect(c.getMany(['a', 'b'], loadMany)).resolves.toEqual([
      'v0',
      'v1',
    ]);
    await expect(c.getMany(['b', 'c', 'a'], loadMany)).resolves.toEqual([
      'v1',
      'v1',
      'v0',
    ]);
    expect(loadMany).toHaveBeenCalledTimes(2);
    expect(loadMany.mock.calls[1][0]).toEqual([1]);
    const failing = jest.fn(async (): Promise<string[]> => {
      throw new Error('permission backend down');
    });
    await expect(c.getMany(['d', 'a'], failing)).rejects.toThrow(
      'permission backend down',
    );
    await expect(c.getMany(['d'], loadMany)).resolves.toEqual(['v0']);
    // A batch answering the wrong count is an error, never a shifted answer.
    await expect(
      c.getMany(['x', 'y'], async () => ['only one']),
    ).rejects.toThrow('wrong count');
    await expect(c.getMany(['y'], loadMany)).resolves.toEqual(['v0']);
  });
});

describe('perRequest', () => {
  it('reads once per scope, and again for another scope', async () => {
    const load = jest.fn(async () => 'entity');
    const req1 = {};
    const req2 = {};
    await Promise.all([
      perRequest(req1, 'k', load),
      perRequest(req1, 'k', load),
    ]);
    expect(load).toHaveBeenCalledTimes(1);
    await perRequest(req2, 'k', load);
    expect(load).toHaveBeenCalledTimes(2);
  });
});

describe('cachedForCaller', () => {
  const alice = mockCredentials.user('user:default/alice');
  const bob = mockCredentials.user('user:default/bob');
  const ci = mockCredentials.service('external:ci-rco');

  it('never serves one caller what was read for another', async () => {
    const c = new TtlCache<string>({ ttlMs: 5_000, maxEntries: 100 });
    const seen: string[] = [];
    const read = (credentials: any) =>
      cachedForCaller(c, { scope: {}, credentials }, 'entity|rco', async () => {
        seen.push(credentials.principal.userEntityRef ?? 'service');
        return `as ${credentials.principal.userEntityRef ?? 'service'}`;
      });
    await expect(read(alice)).resolves.toBe('as user:default/alice');
    await expect(read(bob)).resolves.toBe('as user:default/bob');
    await expect(read(ci)).resolves.toBe('as service');
    // Another request of alice's is served her own read.
    await expect(
      read(mockCredentials.user('user:default/alice')),
    ).resolves.toBe('as user:default/alice');
    expect(seen).toEqual(['user:default/alice', 'user:default/bob', 'service']);
  });

  it('reads for an anonymous caller every request, once within one', async () => {
    const c = new TtlCache<string>({ ttlMs: 5_000, maxEntries: 100 });
    const none = mockCredentials.none();
    expect(callerKey(none)).toBeUndefined();
    const load = jest.fn(async () => 'x');
    const req = {};
    await cachedForCaller(c, { scope: req, credentials: none }, 'k', load);
    await cachedForCaller(c, { scope: req, credentials: none }, 'k', load);
    await cachedForCaller(c, { scope: {}, credentials: none }, 'k', load);
    expect(load).toHaveBeenCalledTimes(2);
    expect(c.size).toBe(0);
  });

  it('tells apart a user acting alone from a service acting for them', () => {
    const onBehalf = {
      ...alice,
      principal: { ...alice.principal, actor: { subject: 'plugin:x' } },
    };
    expect(callerKey(onBehalf)).not.toBe(callerKey(alice));
    expect(callerKey(ci)).not.toBe(
      callerKey(mockCredentials.service('external:ci-other')),
    );
  });
});
