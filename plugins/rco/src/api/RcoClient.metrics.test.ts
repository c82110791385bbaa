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

const ENTITY = { kind: 'Component', namespace: 'default', name: 'rco' };

/** Issue 17: metrics, replay and the gate policy over HTTP. */
describe('RcoClient metrics and replay', () => {
  it('reads an entity’s metrics with the scope as query parameters, unset ones left out', async () => {
    const { fetch, rco } = client(() => new Response('{"demo":false}'));
    await expect(
      rco.getMetrics(ENTITY, {
        environment: 'production',
        from: '2026-09-01T00:00:00.000Z',
        to: '2026-11-30T00:00:00.000Z',
        tz: 'Europe/Berlin',
      }),
    ).resolves.toEqual({ demo: false });
    const url = new URL(fetch.mock.calls[0][0]);
    expect(url.pathname).toBe(
      '/api/rco/entities/Component/default/rco/metrics',
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      environment: 'production',
      from: '2026-09-01T00:00:00.000Z',
      to: '2026-11-30T00:00:00.000Z',
      tz: 'Europe/Berlin',
    });
    await rco.getMetrics(undefined, { environment: '' });
    expect(fetch.mock.calls[1][0]).toBe('http://backstage/api/rco/metrics');
  });

  it('posts a replay to the entity or the catalog scope, with the change as the JSON body', async () => {
    const { fetch, rco } = client(() => new Response('{"past":[]}'));
    const request = {
      change: {
        gate: 'image-scanning' as const,
        waiver: { environment: 'production', duration: 'P3D' },
      },
    };
    await rco.replay(ENTITY, request);
    await rco.replay(undefined, {
      change: { gate: 'image-scanning', maxAge: 'P7D' },
    });
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe(
      'http://backstage/api/rco/entities/Component/default/rco/replay',
    );
    expect(init?.method).toBe('POST');
    expect(JSON.parse(String(init?.body))).toEqual(request);
    expect(fetch.mock.calls[1][0]).toBe('http://backstage/api/rco/replay');
    expect(JSON.parse(String(fetch.mock.calls[1][1]?.body))).toEqual({
      change: { gate: 'image-scanning', maxAge: 'P7D' },
    });
  });

  it('reads the gate policy, and throws the backend’s error as a ResponseError', async () => {
    const { fetch, rco } = client(
      () =>
        new Response(
          JSON.stringify({
            error: { name: 'InputError', message: 'maxAge is not a duration' },
            response: { statusCode: 400 },
          }),
          { status: 400, headers: { 'Content-Type': 'application/json' } },
        ),
    );
    const error = await rco.getGatePolicy().catch(e => e);
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backstage/api/rco/gates/policy',
    );
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.body.error.message).toBe('maxAge is not a duration');
  });
});
