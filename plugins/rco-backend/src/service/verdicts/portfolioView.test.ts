import { parse } from 'csv-parse/sync';
import { GATES } from '@helix-portal/plugin-rco-common';
import { StoredVerdict } from '../../database/VerdictStore';
import {
  columnsOf,
  itemChangesAt,
  portfolioCsv,
  portfolioItem,
  viewPortfolio,
} from './portfolioView';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

function verdict(
  name: string,
  gates: Array<Partial<StoredVerdict['gates'][number]> & { id: string }>,
): Omit<StoredVerdict, 'judged'> {
  const full = gates.map(g => ({ title: g.id, status: 'pass' as const, ...g }));
  const blockedBy = full.filter(
    g => g.status !== 'pass' && g.status !== 'waived',
  );
  return {
    entityRef: `component:default/${name}`,
    environment: '',
    release: { version: '1.0.0' },
    ready: blockedBy.length === 0,
    gates: full,
    summary: {
      passing: full.filter(g => g.status === 'pass').length,
      total: full.length,
      blockedBy: blockedBy.map(g => g.id),
      waived: [],
      ready: blockedBy.length === 0,
      text: '',
    },
    judgedAt: new Date(NOW - HOUR),
    readAt: new Date(NOW - HOUR),
    basisSeq: 1,
    readSeq: 1,
    changes: 0,
    judgedChanges: 0,
    configDigest: 'd',
    generation: 1,
  };
}
const facts = (
  name: string,
  title = name,
  owners = ['group:default/team'],
) => ({
  entityRef: `component:default/${name}`,
  title,
  owners,
});

describe('portfolioItem', () => {
  it('reads a gate whose evidence aged out as stale before the recomputation runs', () => {
    const item = portfolioItem(
      facts('a'),
      verdict('a', [
        { id: 'image-scanning', expiresAt: iso(NOW - 1000) },
        { id: 'secret-hygiene', expiresAt: iso(NOW + HOUR) },
      ]),
      NOW,
      0,
    );
    expect(item.gates.map(g => g.status)).toEqual(['stale', 'pass']);
    expect(item.summary).toMatchObject({
      ready: false,
      passing: 1,
      blockedBy: ['image-scanning'],
    });
  });

  it('reads a gate held by a waiver that ended as missing, never waived or passing', () => {
    const item = portfolioItem(
      facts('a'),
      verdict('a', [
        { id: 'image-scanning', status: 'waived', waivedUntil: iso(NOW) },
      ]),
      NOW,
      0,
    );
    expect(item.gates[0].status).toBe('missing');
    expect(item.summary.ready).toBe(false);
  });

  it('names passing gates that age out within the horizon as expiring soon, and no others', () => {
    const item = portfolioItem(
      facts('a'),
      verdict('a', [
        { id: 'soon', expiresAt: iso(NOW + 2 * HOUR) },
        { id: 'later', expiresAt: iso(NOW + 100 * HOUR) },
        { id: 'failing', status: 'fail', expiresAt: iso(NOW + HOUR) },
        { id: 'forever' },
      ]),
      NOW,
      3 * HOUR,
    );
    expect(item.expiresSoon).toEqual(['soon']);
    expect(item.gates[0].validUntil).toBe(iso(NOW + 2 * HOUR));
  });
});

describe('viewPortfolio', () => {
  const items = [
    portfolioItem(
      facts('b', 'Billing', ['group:default/payments']),
      verdict('b', [{ id: 'image-scanning', status: 'fail' }]),
      NOW,
      HOUR,
    ),
    portfolioItem(
      facts('a', 'Accounts'),
      verdict('a', [{ id: 'image-scanning', expiresAt: iso(NOW + 60_000) }]),
      NOW,
      HOUR,
    ),
    portfolioItem(
      facts('c', 'Cart'),
      verdict('c', [{ id: 'image-scanning', status: 'missing' }]),
      NOW,
      HOUR,
    ),
  ];
  const refs = (q: Parameters<typeof viewPortfolio>[1]) =>
    viewPortfolio(items, q).rows.map(r => r.title);

  it('filters by owner, gate status, text and expiring before counting', () => {
    expect(refs({ owner: 'payments' })).toEqual(['Billing']);
    expect(refs({ gate: 'image-scanning', status: 'fail' })).toEqual([
      'Billing',
    ]);
    expect(refs({ q: 'CAR' })).toEqual(['Cart']);
    expect(refs({ q: 'default/a' })).toEqual(['Accounts']);
    expect(refs({ expiring: true })).toEqual(['Accounts']);
    const { totals, columns } = viewPortfolio(items, { owner: 'team' });
    expect(totals).toMatchObject({ services: 2, ready: 1, missing: 1 });
    expect(columns.find(c => c.id === 'image-scanning')?.counts).toEqual({
      pass: 1,
      fail: 0,
      missing: 1,
      stale: 0,
      waived: 0,
    });
  });

  it('sorts by ref, title, risk and soonest expiry, either way', () => {
    expect(refs({})).toEqual(['Accounts', 'Billing', 'Cart']);
    expect(refs({ sort: 'title', order: 'desc' })).toEqual([
      'Cart',
      'Billing',
      'Accounts',
    ]);
    expect(refs({ sort: 'risk' })).toEqual(['Billing', 'Cart', 'Accounts']);
    expect(refs({ sort: 'expires' })[0]).toBe('Accounts');
  });

  it('has one column per gate, in gate order, titled as the gates are', () => {
    const columns = columnsOf([]);
    expect(columns.map(c => c.id)).toEqual(GATES.map(g => g.id));
    expect(columns[0].title).toBe(GATES[0].title);
  });
});

describe('portfolioCsv', () => {
  it('writes one row per service with a column per gate title, quoted where needed', () => {
    const item = portfolioItem(
      facts('a', 'Accounts, "core"'),
      verdict('a', [{ id: GATES[0].id, status: 'fail' }]),
      NOW,
      0,
    );
    const [header, row] = parse(portfolioCsv([item]));
    expect(header.slice(0, 3)).toEqual(['entityRef', 'title', 'owners']);
    expect(header).toContain(GATES[0].title);
    expect(row[1]).toBe('Accounts, "core"');
    expect(row[header.indexOf(GATES[0].title)]).toBe('fail');
    expect(row[header.indexOf('ready')]).toBe('no');
  });

  it('refuses: a catalog title that a spreadsheet would run as a formula is written as text', () => {
    const item = portfolioItem(
      facts('a', '=HYPERLINK("http://evil.example","x")'),
      verdict('a', []),
      NOW,
      0,
    );
    const [, row] = parse(portfolioCsv([item]));
    expect(row[1]).toBe(`'=HYPERLINK("http://evil.example","x")`);
    for (const bad of ['+1', '-1', '@SUM(A1)', '\t=1'])
      expect(
        parse(
          portfolioCsv([
            portfolioItem(facts('a', bad), verdict('a', []), NOW, 0),
          ]),
        )[1][1],
      ).toBe(`'${bad}`);
  });
});

describe('a rule deadline of its own (the RPO)', () => {
  it('reads a passing gate past its changesAt as not passing, and says when that comes', () => {
    const v = verdict('a', [
      {
        id: 'rto-rpo-verification',
        expiresAt: iso(NOW + 24 * HOUR),
        changesAt: iso(NOW + 60_000),
      },
    ]);
    expect(portfolioItem(facts('a'), v, NOW, 0).gates[0].status).toBe('pass');
    expect(itemChangesAt(v, NOW, 0)).toBe(NOW + 60_000);
    expect(portfolioItem(facts('a'), v, NOW + 60_000, 0).gates[0].status).toBe(
      'stale',
    );
  });
});
