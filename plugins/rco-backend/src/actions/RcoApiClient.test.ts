import { mockCredentials } from '@backstage/backend-test-utils';
import {
  ALLOWED_ROUTES,
  buildPath,
  pathSegment,
  RcoApiClient,
} from './RcoApiClient';

const BASE = 'http://localhost:7007/api/rco';
const TOKEN = 'secret-obo-token-1234';

function client(respond?: (url: string) => { status: number; body: any }) {
  const calls: Array<{ url: string; init: any }> = [];
  const c = new RcoApiClient({
    discovery: { getBaseUrl: async () => BASE },
    auth: { getPluginRequestToken: async () => ({ token: TOKEN }) },
    fetch: (async (url: string, init: any) => {
      calls.push({ url, init });
      const { status, body } = respond?.(url) ?? { status: 200, body: {} };
      return new Response(JSON.stringify(body), { status });
    }) as any,
  });
  return { c, calls };
}

/** Every operation the issue keeps for people, as the routes spell them. */
const HUMAN_ONLY: Array<[string, string]> = [
  ['POST', '/operations/:id/confirm'],
  ['POST', '/operations/:id/promote'],
  ['POST', '/operations/:id/abort'],
  ['POST', '/entities/:kind/:namespace/:name/signoffs'],
  ['POST', '/signoffs/:id/revoke'],
  ['POST', '/entities/:kind/:namespace/:name/waivers'],
  ['POST', '/waivers/:id/revoke'],
  ['POST', '/entities/:kind/:namespace/:name/overrides'],
  ['POST', '/overrides/:id/revoke'],
  ['POST', '/entities/:kind/:namespace/:name/windows'],
  ['POST', '/windows/:id/accept'],
  ['POST', '/windows/:id/cancel'],
  ['POST', '/operations/:id/review'],
  ['POST', '/simulated/steer'],
  ['POST', '/demo/clock'],
  ['POST', '/ledger/verify'],
  ['POST', '/entities/:kind/:namespace/:name/evidence'],
  ['POST', '/entities/:kind/:namespace/:name/runbook/refresh'],
  ['POST', '/entities/:kind/:namespace/:name/collection/refresh'],
];

describe('RcoApiClient allow-list', () => {
  it('holds the reads and the three writes, and none of the human-only routes', () => {
    expect(ALLOWED_ROUTES.map(r => `${r.method} ${r.template}`)).toEqual([
      'GET /entities/:kind/:namespace/:name/status',
      'GET /entities/:kind/:namespace/:name/runbook',
      'GET /entities/:kind/:namespace/:name/releases/timeline',
      'GET /portfolio',
      'POST /entities/:kind/:namespace/:name/releases',
      'POST /entities/:kind/:namespace/:name/waivers/proposals',
      'POST /entities/:kind/:namespace/:name/operations',
    ]);
  });

  it('reaches the waiver proposals, never the grant, whatever the name says', async () => {
    const { c } = client();
    const proposals = '/entities/:kind/:namespace/:name/waivers/proposals';
    const params = { kind: 'component', namespace: 'default' };
    // The name cannot climb out of its segment to the grant route (…/waivers).
    for (const name of ['rco/waivers/..', 'rco/..', '../rco/waivers', 'rco'])
      expect(
        new URL(await c.url('POST', proposals, { ...params, name })).pathname,
      ).toMatch(
        /^\/api\/rco\/entities\/component\/default\/[^/]+\/waivers\/proposals$/,
      );
    await expect(
      c.url('POST', '/entities/:kind/:namespace/:name/waivers', {
        ...params,
        name: 'rco',
      }),
    ).rejects.toThrow(/is not available to agents/);
  });

  it.each(HUMAN_ONLY)('refuses %s %s without a request', async (m, t) => {
    const { c, calls } = client();
    await expect(
      c.request(mockCredentials.user(), m as any, t, {
        params: {
          id: 'x',
          kind: 'component',
          namespace: 'default',
          name: 'rco',
        },
        body: {},
      }),
    ).rejects.toThrow(/is not available to agents/);
    expect(calls).toEqual([]);
  });

  it.each([
    { type: 'deploy' },
    { type: 'rollback' },
    {},
    undefined,
    'rollback-dry-run',
  ])('starts no operation but a dry-run (body %j)', async body => {
    const { c, calls } = client();
    await expect(
      c.request(
        mockCredentials.user(),
        'POST',
        '/entities/:kind/:namespace/:name/operations',
        {
          params: { kind: 'component', namespace: 'default', name: 'rco' },
          body,
        },
      ),
    ).rejects.toThrow('Agents may only start rollback dry-runs');
    expect(calls).toEqual([]);
  });

  it('encodes every segment and refuses dot and empty segments', () => {
    expect(pathSegment('../operations/x/confirm')).toBe(
      '%2E%2E%2Foperations%2Fx%2Fconfirm',
    );
    expect(pathSegment('rco?x=1#y')).toBe('rco%3Fx%3D1%23y');
    expect(pathSegment('a%2Fb')).toBe('a%252Fb');
    for (const bad of ['', '.', '..', '%2e%2e', '%2E.', '%2e'])
      expect(() => pathSegment(bad)).toThrow('Not a usable path segment');
    expect(() =>
      buildPath('/entities/:kind/:namespace/:name/status', {}),
    ).toThrow('Missing path parameter kind');
  });

  it('keeps the request on the route: a hostile name stays one segment, unknown parameters are refused', async () => {
    const { c } = client();
    const url = await c.url(
      'GET',
      '/entities/:kind/:namespace/:name/status',
      {
        kind: 'component',
        namespace: 'default',
        name: '../../operations/x/confirm',
      },
      { version: '1.0&type=deploy#x' },
    );
    const parsed = new URL(url);
    expect(parsed.pathname).toBe(
      '/api/rco/entities/component/default/%2E%2E%2F%2E%2E%2Foperations%2Fx%2Fconfirm/status',
    );
    expect([...parsed.searchParams]).toEqual([
      ['version', '1.0&type=deploy#x'],
    ]);
    await expect(
      c.url('GET', '/portfolio', {}, { export: 'true' }),
    ).rejects.toThrow('/portfolio takes no parameter export');
  });

  it('acts for people only: a service principal is refused before any request', async () => {
    const { c, calls } = client();
    for (const credentials of [
      mockCredentials.service('plugin:mcp-actions'),
      mockCredentials.service('external:ci-rco'),
      mockCredentials.none(),
    ])
      await expect(c.request(credentials, 'GET', '/portfolio')).rejects.toThrow(
        'RCO actions act for a signed-in person',
      );
    expect(calls).toEqual([]);
  });

  it("sends the caller's on-behalf-of token, and never puts it in an error", async () => {
    const { c, calls } = client(() => ({
      status: 404,
      body: {
        error: {
          name: 'NotFoundError',
          message: 'No entity component:default/x',
        },
      },
    }));
    const error = await c
      .request(mockCredentials.user(), 'GET', '/portfolio')
      .catch(e => e);
    expect(error.name).toBe('NotFoundError');
    expect(error.message).toBe('No entity component:default/x');
    expect(
      JSON.stringify({ ...error, m: error.message, s: error.stack }),
    ).not.toContain(TOKEN);
    expect(calls[0].init.headers.Authorization).toBe(`Bearer ${TOKEN}`);
  });

  it.each([
    [400, 'InputError'],
    [401, 'AuthenticationError'],
    [403, 'NotAllowedError'],
    [409, 'ConflictError'],
    [422, 'InputError'],
    [503, 'ServiceUnavailableError'],
    [500, 'Error'],
  ])('turns a %i into a %s', async (status, name) => {
    const { c } = client(() => ({
      status,
      body: { error: { message: 'because' } },
    }));
    const error = await c
      .request(mockCredentials.user(), 'GET', '/portfolio')
      .catch(e => e);
    expect(error.name).toBe(name);
    expect(error.message).toContain('because');
  });
});
