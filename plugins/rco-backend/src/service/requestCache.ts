import { BackstageCredentials } from '@backstage/backend-plugin-api';

/**
 * Less work per request (issue 14, point 4): what a request asks the catalog, the user info
 * service and the permission framework is asked once for that request, and shared briefly with
 * the same caller's next requests.
 *
 * Why a few seconds across requests are acceptable: a page load fires several requests (status,
 * capabilities, environments, evidence…) that each need the same entity and the same decisions,
 * and a bare authenticated catalog lookup costs the portal 10 ms. What the cache may serve stale
 * is already stale by longer elsewhere in Backstage: a user's ownership comes from the `ent` claim
 * of their token, fixed for the token's lifetime (an hour by default); the catalog shows an edited
 * entity only after its processing loop (minutes); the frontend's `usePermission` caches decisions
 * too. So access revoked in the catalog or the policy may linger here for the TTL, no more. What
 * is never done: one caller's view served to another (every key starts with the caller), a
 * failed read kept (the next caller asks again), or an unbounded map.
 */
export const LOOKUP_TTL_MS = 5_000;

interface Entry<V> {
  promise: Promise<V>;
  /** Served until then, counted from when the read began (in flight included). */
  until: number;
}

/** A bounded, single-flight cache of reads for a short TTL; failures are not kept. */
export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly o: {
      ttlMs: number;
      maxEntries: number;
      now?: () => number;
    },
  ) {}

  private now() {
    return (this.o.now ?? Date.now)();
  }

  private hit(key: string): Promise<V> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > this.now()) return entry.promise;
    this.entries.delete(key);
    return undefined;
  }

  private start(key: string, promise: Promise<V>) {
    const entry: Entry<V> = { promise, until: this.now() + this.o.ttlMs };
    // Re-inserted at the end: the Map's order is the order of reads, oldest first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.o.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    promise.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return promise;
  }

  /** The value of `key`: a fresh or in-flight read of it, or `load()` now. */
  get(key: string, load: () => Promise<V>): Promise<V> {
    // A load that throws at once is a failed read, not a broken cache.
    return this.hit(key) ?? this.start(key, Promise.resolve().then(load));
  }

  /**
   * Several values in one go: the keys not cached are read with one `loadMany` call (one round
   * trip to the permission framework for several decisions), given their indexes in `keys`.
   */
  getMany(
    keys: string[],
    loadMany: (missing: number[]) => Promise<V[]>,
  ): Promise<V[]> {
    const found = keys.map(key => this.hit(key));
    const missing = found.flatMap((p, i) => (p ? [] : [i]));
    if (missing.length) {
      const batch = Promise.resolve().then(() => loadMany(missing));
      missing.forEach((index, j) => {
        found[index] = this.start(
          keys[index],
          batch.then(values => {
            if (values.length !== missing.length)
              throw new Error('A batched read answered the wrong count');
            return values[j];
          }),
        );
      });
    }
    return Promise.all(found as Promise<V>[]);
  }

  /** Entries held (expired ones included until they are next asked for or pushed out). */
  get size() {
    return this.entries.size;
  }
}

const perRequestMemo = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * Once per request: `scope` is the request (or the credentials object, which Backstage's
 * HttpAuthService makes once per request), so the memo goes with it. Within one request a
 * failure is shared too: that request fails or says "no" either way.
 */
export function perRequest<V>(
  scope: object,
  key: string,
  load: () => Promise<V>,
): Promise<V> {
  let memo = perRequestMemo.get(scope);
  if (!memo) {
    memo = new Map();
    perRequestMemo.set(scope, memo);
  }
  let hit = memo.get(key) as Promise<V> | undefined;
  if (!hit) {
    hit = Promise.resolve().then(load);
    memo.set(key, hit);
  }
  return hit;
}

/**
 * Who is asking, as a cache key: a user (and the service acting for them, if any) or a service
 * principal with its access restrictions. Undefined for anyone else: never cached across requests.
 */
export function callerKey(
  credentials: BackstageCredentials,
): string | undefined {
  const p = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
    actor?: { subject?: string };
    accessRestrictions?: unknown;
  };
  if (p.type === 'user' && p.userEntityRef) {
    return JSON.stringify(['user', p.userEntityRef, p.actor?.subject ?? null]);
  }
  if (p.type === 'service' && p.subject) {
    return JSON.stringify(['service', p.subject, p.accessRestrictions ?? null]);
  }
  return undefined;
}

/**
 * Per request, then across requests of the same caller for the TTL: `key` names what is read and
 * must not name the caller (this does). `scope` is the request (see perRequest).
 */
export function cachedForCaller<V>(
  cache: TtlCache<V>,
  asked: { scope: object; credentials: BackstageCredentials },
  key: string,
  load: () => Promise<V>,
): Promise<V> {
  const caller = callerKey(asked.credentials);
  return perRequest(asked.scope, key, () =>
    caller ? cache.get(`${caller}|${key}`, load) : load(),
  );
}
