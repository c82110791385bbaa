import { PortfolioItem } from '@helix-portal/plugin-rco-common';
import { applyFilters, filtersFrom, gateTitle, queryOf } from './filters';

const item = (
  name: string,
  owner: string,
  gates: PortfolioItem['gates'],
): PortfolioItem => ({
  entityRef: `component:default/${name}`,
  title: name.toUpperCase(),
  owners: [owner],
  release: { version: '1.2.3' },
  summary: {
    passing: 0,
    total: gates.length,
    blockedBy: [],
    waived: [],
    ready: false,
    text: '',
  },
  gates,
});

const items = [
  item('pay', 'group:default/payments', [
    { id: 'image-scanning', status: 'fail' },
    { id: 'dpo-signoff', status: 'missing' },
  ]),
  item('ship', 'group:default/logistics', [
    { id: 'image-scanning', status: 'missing' },
    { id: 'dpo-signoff', status: 'pass' },
  ]),
];
const none = { owner: '', gate: '', status: '', q: '' };
const names = (f: typeof none) => applyFilters(items, f).map(i => i.title);

describe('portfolio filters', () => {
  it('round-trips through the query string, leaving out empty filters', () => {
    const f = { ...none, owner: 'group:default/payments', status: 'fail' };
    const query = queryOf(f);
    expect(query).toEqual({ owner: 'group:default/payments', status: 'fail' });
    expect(filtersFrom(new URLSearchParams(query))).toEqual(f);
  });

  it('matches gate and status together', () => {
    expect(names({ ...none, gate: 'image-scanning', status: 'fail' })).toEqual([
      'PAY',
    ]);
    expect(names({ ...none, status: 'missing' })).toEqual(['PAY', 'SHIP']);
    expect(names({ ...none, gate: 'dpo-signoff', status: 'missing' })).toEqual([
      'PAY',
    ]);
  });

  it('filters by owner and searches titles, owners and the titles of gates not passing', () => {
    expect(names({ ...none, owner: 'group:default/logistics' })).toEqual([
      'SHIP',
    ]);
    expect(names({ ...none, q: 'ship' })).toEqual(['SHIP']);
    expect(names({ ...none, q: 'payments' })).toEqual(['PAY']);
    expect(names({ ...none, q: 'DPO Sign' })).toEqual(['PAY']);
  });

  it('names gates by title, and an unknown gate by its id', () => {
    expect(gateTitle('image-scanning')).toBe('Image & Dependency Scanning');
    expect(gateTitle('custom-gate')).toBe('custom-gate');
  });
});
