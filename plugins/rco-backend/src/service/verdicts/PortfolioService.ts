import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { PortfolioItem } from '@helix-portal/plugin-rco-common';
import { StoredVerdict, VerdictStore } from '../../database/VerdictStore';
import { normalizeEntityRef } from '../../lib/entityRefs';
import {
  itemChangesAt,
  portfolioItem,
  PortfolioQuery,
  viewPortfolio,
} from './portfolioView';
import { KeptView, patchView } from './viewPatch';
import { Facts, VisibleServices } from './visibleServices';

/**
 * A store's generations are handed out when a row is written, not when it commits: a row
 * written just before a faster one can commit after it. Each look re-reads this far back, so
 * such a row is read on a later look (a verdict store commits in milliseconds).
 */
const LOOKBACK_MS = 10_000;
/** How long one read of the open reviews serves every portfolio request. */
const REVIEWS_TTL_MS = 5_000;
/** Services without a verdict one request asks to be judged (the scheduled backfill does all). */
const NUDGE_PER_REQUEST = 50;

type Row = Omit<StoredVerdict, 'judged'>;
type Result = ReturnType<typeof viewPortfolio> & { pending: number };
/** Views (filters, order, scope) kept per instance; a page of the same view reads from one. */
const RESULTS = 50;
/** Above this many changed services a kept view is rebuilt rather than patched. */
const PATCH_LIMIT = 1_000;
/** Row changes remembered for patching kept views. */
const LOG_LIMIT = 20_000;
/** When each item built may read differently by time alone (PortfolioService.itemOf). */
const itemUntil = new WeakMap<PortfolioItem, number>();
/** Each visible-services list as a map by key, built once per list. */
const byKey = new WeakMap<Facts[], Map<string, Facts>>();
const factsByKey = (services: Facts[]) => {
  let map = byKey.get(services);
  if (!map) {
    map = new Map(services.map(f => [f.key, f]));
    byKey.set(services, map);
  }
  return map;
};

/**
 * GET /portfolio from stored verdicts (issue 14, point 2): the rows are kept in memory and
 * refreshed with what changed since the last look; the request filters, sorts and pages them.
 * No verdict is computed here.
 */
export class PortfolioService {
  private readonly rows = new Map<string, Row>();
  private readonly visible: VisibleServices;
  /** Rises whenever a look brings a changed row: cached views older than it are rebuilt. */
  private version = 0;
  /** Which service each version rise was for, so kept views can be patched (viewPatch). */
  private readonly log: Array<{ version: number; key: string }> = [];
  /** Views built at or after this version can be patched from the log. */
  private logFloor = 0;
  /** Nudges asked for by the request being served (at most NUDGE_PER_REQUEST). */
  private nudged = 0;
  private readonly items = new Map<
    string,
    { row: Row; facts: Facts; item: PortfolioItem; until: number }
  >();
  private readonly results = new Map<
    string,
    {
      version: number;
      services: Facts[];
      until: number;
      result: Result;
      view: KeptView;
    }
  >();
  private readonly looks: Array<{ at: number; generation: number }> = [];
  private syncing?: Promise<void>;

  constructor(
    private readonly o: {
      store: VerdictStore;
      catalog: CatalogService;
      now: () => Date;
      horizonMs: number;
      /** The configuration verdicts must have been judged under (VerdictService.digest). */
      configDigest: string;
      /** Asks for a service's verdict (a governed service that has none yet). */
      nudge: (entityRef: string) => void;
      /** Open reviews after production deploys, per entity (ReviewService.openReviewCounts). */
      openReviews?: () => Promise<Map<string, number>>;
    },
  ) {
    this.visible = new VisibleServices(o.catalog);
  }

  private reviews?: { at: number; counts: Promise<Map<string, number>> };

  /**
   * Each item with its open reviews (issue 15). Read apart from the stored verdicts, once per
   * REVIEWS_TTL_MS for every caller: a review recorded changes no verdict, and one grouped query
   * over the operations answers for every service.
   */
  async withOpenReviews(items: PortfolioItem[]): Promise<PortfolioItem[]> {
    if (!this.o.openReviews) return items;
    if (!this.reviews || Date.now() - this.reviews.at >= REVIEWS_TTL_MS) {
      const counts = this.o
        .openReviews()
        .then(
          m => new Map([...m].map(([ref, n]) => [normalizeEntityRef(ref), n])),
        );
      const entry = { at: Date.now(), counts };
      // A failed read is not kept: the next request asks again.
      counts.catch(() => {
        if (this.reviews === entry) this.reviews = undefined;
      });
      this.reviews = entry;
    }
    const counts = await this.reviews.counts;
    return items.map(item => {
      const open = counts.get(normalizeEntityRef(item.entityRef));
      return open ? { ...item, openReviews: open } : item;
    });
  }

  /** Reads the rows changed since the last look (single-flight: concurrent requests share it). */
  sync(): Promise<void> {
    this.syncing ??= (async () => {
      const now = Date.now();
      const old = this.looks.filter(l => l.at <= now - LOOKBACK_MS);
      const since = old.length ? old[old.length - 1].generation : 0;
      const changed = await this.o.store.changedSince(since);
      let max = this.looks.length
        ? this.looks[this.looks.length - 1].generation
        : 0;
      for (const row of changed) {
        const key = normalizeEntityRef(row.entityRef);
        const held = this.rows.get(key);
        if (!held || held.generation < row.generation) {
          this.rows.set(key, row);
          this.version++;
          this.log.push({ version: this.version, key });
        }
        max = Math.max(max, row.generation);
      }
      this.looks.push({ at: now, generation: max });
      if (this.log.length > LOG_LIMIT) {
        const dropped = this.log.splice(0, this.log.length - LOG_LIMIT);
        this.logFloor = dropped[dropped.length - 1].version;
      }
      // Keep the newest look older than the window and everything after it.
      while (this.looks.length > 1 && this.looks[1].at <= now - LOOKBACK_MS)
        this.looks.shift();
    })().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  /** Every service the caller can see with its stored verdict, filtered and sorted. */
  async view(
    credentials: BackstageCredentials,
    query: PortfolioQuery & { entityRefs?: string[] },
  ): Promise<Result> {
    const [services] = await Promise.all([
      this.visible.forCaller(credentials),
      this.sync(),
    ]);
    const now = this.o.now().getTime();
    this.nudged = 0;
    // The same view of the same list and rows (the next page, say) is served as it was built,
    // until a row changes or time alone changes an item.
    // Text is matched whatever its case: one key per meaning, so spelling `q` differently cannot
    // make every request a new view (a full filter and sort) and push out other callers' views.
    const key = JSON.stringify({ ...query, q: query.q?.toLowerCase() });
    const cached = this.results.get(key);
    if (cached && cached.services === services) {
      if (cached.version === this.version && now < cached.until)
        return cached.result;
      // Brought up to date by the services that changed, when few did (see viewPatch).
      const changed = this.changedSince(cached, now);
      if (changed) {
        const view = patchView(
          cached.view,
          changed.map(k => ({ key: k, item: this.stateOf(services, k, now) })),
          query,
        );
        return this.keep(key, services, view);
      }
    }
    const only = query.entityRefs && new Set(query.entityRefs);
    const items: PortfolioItem[] = [];
    const state = new Map<string, PortfolioItem | null>();
    for (const facts of services) {
      if (only && !only.has(facts.key)) continue;
      const item = this.stateOf(services, facts.key, now);
      state.set(facts.key, item);
      if (item) items.push(item);
    }
    const built = viewPortfolio(items, query);
    let pending = 0;
    for (const item of state.values()) if (!item) pending++;
    return this.keep(key, services, { ...built, pending, state });
  }

  /** Keeps a view (the oldest one out when full) and answers with it. */
  private keep(key: string, services: Facts[], view: KeptView): Result {
    let until = Number.POSITIVE_INFINITY;
    for (const item of view.state.values())
      if (item) until = Math.min(until, itemUntil.get(item) ?? until);
    const result = {
      rows: view.rows,
      totals: view.totals,
      columns: view.columns,
      pending: view.pending,
    };
    this.results.delete(key);
    if (this.results.size >= RESULTS)
      this.results.delete(this.results.keys().next().value!);
    this.results.set(key, {
      version: this.version,
      services,
      until,
      result,
      view,
    });
    return result;
  }

  /**
   * The services of a kept view whose item may read differently now: rows changed since it was
   * built, and items whose time came. Undefined when the change log no longer reaches back to
   * the view, or so many changed that a full rebuild is as cheap.
   */
  private changedSince(
    cached: { version: number; until: number; view: KeptView },
    now: number,
  ): string[] | undefined {
    if (cached.version < this.logFloor) return undefined;
    const keys = new Set<string>();
    for (let i = this.log.length - 1; i >= 0; i--) {
      const entry = this.log[i];
      if (entry.version <= cached.version) break;
      if (cached.view.state.has(entry.key)) keys.add(entry.key);
    }
    if (now >= cached.until)
      for (const [k, item] of cached.view.state)
        if (item && (itemUntil.get(item) ?? Infinity) <= now) keys.add(k);
    return keys.size <= PATCH_LIMIT ? [...keys] : undefined;
  }

  /** A service's item at `now`, or null while its verdict is pending (being judged). */
  private stateOf(
    services: Facts[],
    key: string,
    now: number,
  ): PortfolioItem | null {
    const facts = factsByKey(services).get(key)!;
    const row = this.rows.get(key);
    // A verdict judged under another configuration (a tighter maxAge, say) is not shown as if
    // it held; nor one a write outside the ledger chain has overtaken. Both are being judged.
    if (
      !row ||
      row.configDigest !== this.o.configDigest ||
      row.changes !== row.judgedChanges
    ) {
      if (this.nudged++ < NUDGE_PER_REQUEST) this.o.nudge(facts.entityRef);
      return null;
    }
    return this.itemOf(facts, row, now).item;
  }

  /** A service's item, rebuilt only when its row, its catalog facts or time change it. */
  private itemOf(facts: Facts, row: Row, now: number) {
    const held = this.items.get(facts.key);
    if (held && held.row === row && held.facts === facts && now < held.until)
      return held;
    const built = {
      row,
      facts,
      item: portfolioItem(facts, row, now, this.o.horizonMs),
      until: itemChangesAt(row, now, this.o.horizonMs),
    };
    this.items.set(facts.key, built);
    itemUntil.set(built.item, built.until);
    return built;
  }
}
