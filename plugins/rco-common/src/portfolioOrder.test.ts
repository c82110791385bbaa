import { GateStatus } from './api';
import {
  compareByRisk,
  countInTotals,
  riskScore,
  totalsOf,
} from './portfolioOrder';

const svc = (title: string, statuses: GateStatus[], ready = false) => ({
  entityRef: `component:default/${title.toLowerCase()}`,
  title,
  gates: statuses.map((status, n) => ({ id: `gate-${n}`, status })),
  summary: {
    passing: statuses.filter(s => s === 'pass').length,
    total: statuses.length,
    blockedBy: statuses
      .map((s, n) => (s === 'pass' || s === 'waived' ? '' : `gate-${n}`))
      .filter(Boolean),
    waived: [],
    ready,
    text: '',
  },
});

describe('risk order of the portfolio', () => {
  it('puts a failing gate before any number of missing ones, and missing before stale', () => {
    const oneFail = svc('A', ['fail', 'pass']);
    const nineMissing = svc('B', Array(9).fill('missing'));
    const nineStale = svc('C', Array(9).fill('stale'));
    const oneMissing = svc('D', ['missing', 'pass']);
    const sorted = [nineStale, oneMissing, nineMissing, oneFail].sort(
      compareByRisk,
    );
    expect(sorted.map(s => s.title)).toEqual(['A', 'B', 'D', 'C']);
  });

  it('weighs by how many gates block: two failing gates before one', () => {
    const sorted = [
      svc('One', ['fail', 'pass', 'pass']),
      svc('Two', ['fail', 'fail', 'pass']),
    ].sort(compareByRisk);
    expect(sorted.map(s => s.title)).toEqual(['Two', 'One']);
  });

  it('puts ready services last, even with a waived gate, and any blocked one before them', () => {
    const ready = svc('Aardvark', ['pass', 'waived'], true);
    const blocked = svc('Zebra', ['pass', 'pass']);
    blocked.summary.blockedBy = ['gate-x']; // blocked for a reason the gates do not show
    expect(riskScore(ready)).toBe(0);
    expect([ready, blocked].sort(compareByRisk)[0].title).toBe('Zebra');
  });

  it('breaks ties by title, then by entity ref, so every load shows the same order', () => {
    const b = svc('Beta', ['missing']);
    const a = svc('Alpha', ['missing']);
    const a2 = { ...svc('Alpha', ['missing']), entityRef: 'component:x/alpha' };
    expect([b, a, a2].sort(compareByRisk).map(s => s.entityRef)).toEqual([
      'component:default/alpha',
      'component:x/alpha',
      'component:default/beta',
    ]);
  });
});

describe('portfolio totals', () => {
  it('counts services ready, blocked, with failing, missing and stale gates', () => {
    expect(
      totalsOf([
        svc('A', ['fail', 'missing']),
        svc('B', ['missing', 'stale']),
        svc('C', ['pass'], true),
      ]),
    ).toEqual({
      services: 3,
      ready: 1,
      blocked: 2,
      failing: 1,
      missing: 2,
      stale: 1,
    });
  });

  it('counts a service in and out again in place, as totalsOf counts it', () => {
    const a = svc('A', ['fail', 'stale']);
    const b = svc('B', ['pass'], true);
    const totals = totalsOf([a]);
    expect(countInTotals(totals, b)).toBe(totals);
    expect(totals).toEqual(totalsOf([a, b]));
    countInTotals(totals, a, -1);
    expect(totals).toEqual(totalsOf([b]));
    countInTotals(totals, b, -1);
    expect(totals).toEqual(totalsOf([]));
  });
});
