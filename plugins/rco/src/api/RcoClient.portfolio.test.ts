import { ResponseError } from '@backstage/errors';
import { RcoClient } from './RcoClient';

function client(response: () => Response) {
  const fetch = jest.fn(async (_url: string, _init?: RequestInit) =>
    response(),
  );
  return {
    fetch,
    rco: new RcoClient({
      discoveryApi: { getBaseUrl: async () => 'http://backstage/api/rco' },
      fetchApi: { fetch: fetch as any },
    }),
  };
}

describe('RcoClient portfolio', () => {
  it('sends the filters, order and page as query parameters, leaving out the unset ones', async () => {
    const body = { totalItems: 0, items: [], pending: 0 };
    const { fetch, rco } = client(() => new Response(JSON.stringify(body)));
    await expect(
      rco.getPortfolio({
        owner: 'group:default/team a',
        status: 'fail',
        q: '',
        expiring: true,
        sort: 'expires',
        order: 'desc',
        offset: 1000,
        limit: 1000,
      }),
    ).resolves.toEqual(body);
    const url = new URL(fetch.mock.calls[0][0]);
    expect(url.pathname).toBe('/api/rco/portfolio');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      owner: 'group:default/team a',
      status: 'fail',
      expiring: 'true',
      sort: 'expires',
      order: 'desc',
      offset: '1000',
      limit: '1000',
    });
    await rco.getPortfolio({ expiring: false });
    expect(fetch.mock.calls[1][0]).toBe('http://backstage/api/rco/portfolio');
  });

  it('exports CSV through the fetch API (with the token), the same filters and no paging', async () => {
    const { fetch, rco } = client(
      () =>
        new Response('entityRef,title\n', {
          headers: { 'Content-Type': 'text/csv' },
        }),
    );
    const blob = await rco.exportPortfolio({
      gate: 'image-scanning',
      status: 'fail',
      sort: 'title',
      offset: 50,
      limit: 50,
    });
    expect(await blob.text()).toBe('entityRef,title\n');
    const [href, init] = fetch.mock.calls[0];
    const url = new URL(href);
    expect(url.pathname).toBe('/api/rco/portfolio/export');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      gate: 'image-scanning',
      status: 'fail',
      sort: 'title',
    });
    expect(init?.headers).toEqual({ Accept: 'text/csv' });
  });

  it('rejects a refused export with a ResponseError', async () => {
    const { rco } = client(
      () =>
        new Response(
          JSON.stringify({ error: { name: 'NotAllowedError', message: 'no' } }),
          { status: 403, headers: { 'Content-Type': 'application/json' } },
        ),
    );
    await expect(rco.exportPortfolio()).rejects.toBeInstanceOf(ResponseError);
  });
});
