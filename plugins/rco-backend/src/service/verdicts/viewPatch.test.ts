import {
  GATES,
  GateStatus,
  PortfolioItem,
} from '@helix-portal/plugin-rco-common';
import { PortfolioQuery, viewPortfolio } from './portfolioView';
import { Change, KeptView, patchView } from './viewPatch';

const STATUSES: GateStatus[] = ['pass', 'fail', 'missing', 'stale', 'waived'];

/** A small deterministic random source, so a failure names the seed that reproduces it. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

function item(key: string, rnd: () => number): PortfolioItem {
  const gates = GATES.map(g => ({
    id: g.id,
    status: STATUSES[Math.floor(rnd() * 2.4) % STATUSES.length],
    ...(rnd() < 0.5
      ? { validUntil: new Date(1_800_000_000_000 + rnd() * 1e9).toISOString() }
      : {}),
  }));
  const blockedBy = gates
    .filter(g => g.status !== 'pass' && g.status !== 'waived')
    .map(g => g.id);
  return {
    entityRef: `component:default/${key}`,
    // Titles repeat, so orders fall through to the entity ref.
    title: `Service ${Math.floor(rnd() * 5)}`,
    owners: [`group:default/team-${Math.floor(rnd() * 3)}`],
    release: { version: '1.0.0' },
    summary: {
      passing: gates.filter(g => g.status === 'pass').length,
      total: gates.length,
      blockedBy,
      waived: [],
      ready: blockedBy.length === 0,
      text: '',
    },
    gates,
    expiresSoon: rnd() < 0.3 ? [gates[0].id] : [],
  };
}

/** A view built from scratch over `state`, as PortfolioService builds one. */
function rebuild(
  state: Map<string, PortfolioItem | null>,
  q: PortfolioQuery,
): KeptView {
  const items = [...state.values()].filter(
    (i): i is PortfolioItem => i !== null,
  );
  const pending = [...state.values()].filter(i => i === null).length;
  return { ...viewPortfolio(items, q), pending, state: new Map(state) };
}

const QUERIES: PortfolioQuery[] = [
  {},
  { sort: 'risk' },
  { sort: 'title', order: 'desc' },
  { sort: 'expires' },
  { status: 'fail' },
  { gate: GATES[2].id, status: 'missing', sort: 'risk', order: 'desc' },
  { owner: 'team-1', sort: 'title' },
  { expiring: true, sort: 'expires' },
  { q: 'service 3' },
];

describe('patchView', () => {
  it.each(QUERIES.flatMap(q => [1, 2, 3].map(seed => [seed, q] as const)))(
    'gives what a full rebuild gives, seed %s, query %j',
    (seed, q) => {
      const rnd = random(seed);
      const keys = Array.from({ length: 300 }, (_, i) => `svc-${i}`);
      const state = new Map<string, PortfolioItem | null>(
        keys.map(k => [k, rnd() < 0.1 ? null : item(k, rnd)]),
      );
      let view = rebuild(state, q);
      for (let round = 0; round < 20; round++) {
        const changes: Change[] = [];
        for (let n = Math.floor(rnd() * 15); n >= 0; n--) {
          const key = keys[Math.floor(rnd() * keys.length)];
          // A new verdict, a service turning pending, or the same item again.
          const roll = rnd();
          let next: PortfolioItem | null = item(key, rnd);
          if (roll < 0.15) next = null;
          else if (roll < 0.2) next = state.get(key) ?? null;
          state.set(key, next);
          changes.push({ key, item: next });
        }
        const before = view;
        const rowsBefore = before.rows.slice();
        view = patchView(view, changes, q);
        const full = rebuild(state, q);
        expect(view.rows.map(r => r.entityRef)).toEqual(
          full.rows.map(r => r.entityRef),
        );
        expect(view.rows).toEqual(full.rows);
        expect(view.totals).toEqual(full.totals);
        expect(view.columns).toEqual(full.columns);
        expect(view.pending).toBe(full.pending);
        // The view a request may still be paging is left as it was.
        expect(before.rows).toEqual(rowsBefore);
      }
    },
  );
});
