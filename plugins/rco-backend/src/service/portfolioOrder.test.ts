import { orderPortfolio } from './portfolioOrder';

const row = (name: string, fails: number, ready = false) => ({
  entityRef: `component:default/${name}`,
  title: name,
  gates: [
    ...Array.from({ length: fails }, (_, i) => ({
      id: `g${i}`,
      status: 'fail' as const,
    })),
    { id: 'm', status: ready ? ('pass' as const) : ('missing' as const) },
  ],
  summary: {
    passing: 0,
    total: 1,
    blockedBy: ready ? [] : ['m'],
    waived: [],
    ready,
    text: '',
  },
});

describe('orderPortfolio (GET /portfolio before paging)', () => {
  const rows = [
    row('b-ready', 0, true),
    row('a-missing', 0),
    row('c-fails', 2),
  ];

  it('orders by entity ref by default, as before', () => {
    expect(orderPortfolio(rows).rows.map(r => r.title)).toEqual([
      'a-missing',
      'b-ready',
      'c-fails',
    ]);
  });

  it('orders riskiest first with sort=risk', () => {
    expect(orderPortfolio(rows, 'risk').rows.map(r => r.title)).toEqual([
      'c-fails',
      'a-missing',
      'b-ready',
    ]);
  });

  it('counts every row, whatever the order', () => {
    expect(orderPortfolio(rows, 'risk').totals).toEqual({
      services: 3,
      ready: 1,
      blocked: 2,
      failing: 1,
      missing: 2,
      stale: 0,
    });
  });
});
