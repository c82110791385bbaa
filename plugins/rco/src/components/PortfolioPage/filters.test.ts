import {
  gateTitle,
  hasFilters,
  queryOf,
  serverQuery,
  stateFrom,
} from './filters';
import { horizonWords } from './PortfolioFilterBar';

const state = (query: string) => stateFrom(new URLSearchParams(query));

describe('portfolio query string', () => {
  it('opens on the heat map, riskiest first, with no filter', () => {
    expect(state('')).toEqual({
      owner: '',
      gate: '',
      status: '',
      q: '',
      expiring: '',
      view: 'heatmap',
      sort: 'risk',
      order: 'asc',
    });
    expect(queryOf(state(''))).toEqual({});
    expect(hasFilters(state(''))).toBe(false);
  });

  it('round-trips filters, view and order, leaving out empty filters and defaults', () => {
    const s = {
      ...state(''),
      owner: 'group:default/payments',
      status: 'fail',
      expiring: 'true',
      view: 'table' as const,
      sort: 'expires' as const,
    };
    const query = queryOf(s);
    expect(query).toEqual({
      owner: 'group:default/payments',
      status: 'fail',
      expiring: 'true',
      view: 'table',
      sort: 'expires',
    });
    expect(stateFrom(new URLSearchParams(query))).toEqual(s);
    expect(hasFilters(s)).toBe(true);
  });

  it('reads a hand-edited link with unknown values as the defaults', () => {
    const s = state(
      'view=pie&sort=drop%20table&order=up&status=bad&expiring=1&gate=no-such-gate',
    );
    expect(s).toMatchObject({
      view: 'heatmap',
      sort: 'risk',
      order: 'asc',
      status: '',
      expiring: '',
      gate: '',
    });
  });

  it('asks the backend only for the filters set, with the order', () => {
    expect(serverQuery(state('q=%20pay%20&gate=image-scanning'))).toEqual({
      owner: undefined,
      gate: 'image-scanning',
      status: undefined,
      q: 'pay',
      expiring: undefined,
      sort: 'risk',
      order: 'asc',
    });
    expect(
      serverQuery(state('expiring=true&sort=title&order=desc')),
    ).toMatchObject({ expiring: true, sort: 'title', order: 'desc' });
  });

  it('says the horizon of "expires soon" in words', () => {
    expect(horizonWords('P3D')).toBe('3 days');
    expect(horizonWords('PT12H')).toBe('12 hours');
    expect(horizonWords(undefined)).toBe('3 days');
    expect(horizonWords('soon')).toBe('soon');
  });

  it('names gates by title, and an unknown gate by its id', () => {
    expect(gateTitle('image-scanning')).toBe('Image & Dependency Scanning');
    expect(gateTitle('custom-gate')).toBe('custom-gate');
  });
});
