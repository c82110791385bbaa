import { DriverRevision } from '@helix-portal/plugin-rco-node';

interface Entry {
  promise: Promise<DriverRevision[]>;
  /** Until when a settled read is served; Infinity while it is in flight. */
  until: number;
}

/**
 * One read of a target's revisions shared by every viewer (issue 10, point 9): each page load and
 * each live signal asks for every environment, and the helm driver starts a `helm history` per
 * ask. Concurrent callers share the read in flight; a settled read is served for `ttlMs`; a
 * failed one only to the callers that were already waiting (the next caller asks again). An
 * operation's change on the target drops it. Per backend instance: another instance's change is
 * seen at most `ttlMs` later. Preflight and the runner do not come here; they read fresh.
 */
export class HistoryCache {
  private readonly entries = new Map<string, Entry>();
  /** Target keys read for each entity and environment, to invalidate from an operation record. */
  private readonly keysOf = new Map<string, Set<string>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  read(
    key: string,
    owner: { entityRef: string; environment: string },
    load: () => Promise<DriverRevision[]>,
  ): Promise<DriverRevision[]> {
    const hit = this.entries.get(key);
    if (hit && hit.until > this.now()) return hit.promise;
    const ownerKey = `${owner.entityRef}|${owner.environment}`.toLowerCase();
    const keys = this.keysOf.get(ownerKey) ?? new Set<string>();
    keys.add(key);
    this.keysOf.set(ownerKey, keys);
    const entry: Entry = { promise: (async () => load())(), until: Infinity };
    this.entries.set(key, entry);
    // An entry replaced meanwhile (invalidated while in flight) is not brought back.
    entry.promise.then(
      () => {
        if (this.entries.get(key) === entry)
          entry.until = this.now() + this.ttlMs;
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.promise;
  }

  /** Drops a target's read, in flight or settled. */
  invalidate(key: string) {
    this.entries.delete(key);
  }

  /** Drops what was read for an entity in an environment (an operation there changed). */
  invalidateFor(entityRef: string, environment: string) {
    const keys = this.keysOf.get(`${entityRef}|${environment}`.toLowerCase());
    for (const key of keys ?? []) this.invalidate(key);
  }
}
