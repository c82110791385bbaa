import { DriverRevision } from '@helix-portal/plugin-rco-node';
import { HistoryCache } from './historyCache';

const REVISIONS: DriverRevision[] = [
  { revision: '4', status: 'deployed', current: true } as DriverRevision,
];
const owner = { entityRef: 'component:default/rco', environment: 'production' };
const KEY = 'production|prod-eu|rco|helm|rco';

/** A driver read that resolves or rejects when the test says so. */
function slowRead() {
  const calls: Array<{
    resolve: (r: DriverRevision[]) => void;
    reject: (e: Error) => void;
  }> = [];
  const load = jest.fn(
    () =>
      new Promise<DriverRevision[]>((resolve, reject) => {
        calls.push({ resolve, reject });
      }),
  );
  return { load, calls };
}

describe('HistoryCache', () => {
  let now = 0;
  const cache = () => new HistoryCache(10_000, () => now);
  beforeEach(() => {
    now = 1_000_000;
  });

  it('shares one driver read among N concurrent readers of a target', async () => {
    const c = cache();
    const { load, calls } = slowRead();
    const reads = Array.from({ length: 25 }, () => c.read(KEY, owner, load));
    expect(load).toHaveBeenCalledTimes(1);
    calls[0].resolve(REVISIONS);
    for (const r of await Promise.all(reads)) expect(r).toBe(REVISIONS);
    // Served from the cache within the TTL, read again after it.
    now += 9_000;
    await c.read(KEY, owner, load);
    expect(load).toHaveBeenCalledTimes(1);
    now += 2_000;
    const again = c.read(KEY, owner, load);
    expect(load).toHaveBeenCalledTimes(2);
    calls[1].resolve([]);
    await expect(again).resolves.toEqual([]);
  });

  it('reads again after an operation on the target invalidates it', async () => {
    const c = cache();
    const load = jest.fn(async () => REVISIONS);
    await c.read(KEY, owner, load);
    await c.read(KEY, owner, load);
    expect(load).toHaveBeenCalledTimes(1);
    c.invalidateFor('Component:default/RCO', 'production');
    await c.read(KEY, owner, load);
    expect(load).toHaveBeenCalledTimes(2);
    // Another environment's change leaves this read be.
    c.invalidateFor('component:default/rco', 'staging');
    await c.read(KEY, owner, load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('does not keep a read that was in flight when the target changed', async () => {
    const c = cache();
    const { load, calls } = slowRead();
    const stale = c.read(KEY, owner, load);
    c.invalidate(KEY);
    const fresh = c.read(KEY, owner, load);
    expect(load).toHaveBeenCalledTimes(2);
    calls[1].resolve(REVISIONS);
    calls[0].resolve([]);
    await Promise.all([stale, fresh]);
    await expect(c.read(KEY, owner, load)).resolves.toBe(REVISIONS);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('shares a failure with the readers waiting for it, and asks again for the next one', async () => {
    const c = cache();
    const { load, calls } = slowRead();
    const a = c.read(KEY, owner, load);
    const b = c.read(KEY, owner, load);
    calls[0].reject(new Error('cluster unreachable'));
    await expect(a).rejects.toThrow('cluster unreachable');
    await expect(b).rejects.toThrow('cluster unreachable');
    expect(load).toHaveBeenCalledTimes(1);
    const next = c.read(KEY, owner, load);
    expect(load).toHaveBeenCalledTimes(2);
    calls[1].resolve(REVISIONS);
    await expect(next).resolves.toBe(REVISIONS);
  });

  it('turns a driver that throws at once into a failed read, not a broken cache', async () => {
    const c = cache();
    const load = jest.fn((): Promise<DriverRevision[]> => {
      throw new Error('no helm on PATH');
    });
    await expect(c.read(KEY, owner, load)).rejects.toThrow('no helm on PATH');
    await expect(c.read(KEY, owner, load)).rejects.toThrow('no helm on PATH');
    expect(load).toHaveBeenCalledTimes(2);
  });
});
