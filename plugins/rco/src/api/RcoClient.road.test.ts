import { ResponseError } from '@backstage/errors';
import { RcoClient } from './RcoClient';

const ENTITY = { kind: 'Component', namespace: 'default', name: 'rco' };
const BASE = 'http://backstage/api/rco';
const RELEASE = { version: '1.3.2', digest: `sha256:${'3f'.repeat(32)}` };
const Q = `version=1.3.2&digest=sha256%3A${'3f'.repeat(32)}`;

function client(response: () => Response) {
  const fetch = jest.fn(async (_url: string, _init?: RequestInit) =>
    response(),
  );
  return {
    fetch,
    rco: new RcoClient({
      discoveryApi: { getBaseUrl: async () => BASE },
      fetchApi: { fetch: fetch as any },
    }),
  };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });

describe('RcoClient: the road to production (issue 15)', () => {
  it.each([
    [
      'road',
      (c: RcoClient) => c.getRoad(ENTITY, RELEASE),
      `${BASE}/entities/Component/default/rco/road?${Q}`,
    ],
    [
      'timeline',
      (c: RcoClient) => c.getTimeline(ENTITY, RELEASE),
      `${BASE}/entities/Component/default/rco/releases/timeline?${Q}`,
    ],
    [
      'reviews',
      (c: RcoClient) => c.listReviews(ENTITY),
      `${BASE}/entities/Component/default/rco/reviews`,
    ],
    [
      'proposal',
      (c: RcoClient) => c.getRunbookProposal('rv 1'),
      `${BASE}/reviews/rv%201/runbook-proposal`,
    ],
  ])('reads the %s from its route', async (_name, call, url) => {
    const { fetch, rco } = client(() => json({ ok: true }));
    await expect(call(rco)).resolves.toEqual({ ok: true });
    expect(fetch.mock.calls[0][0]).toBe(url);
  });

  it('names only version and digest: the release the status gives also names its environment, which these routes refuse', async () => {
    const { fetch, rco } = client(() => json({ ok: true }));
    const shown = { ...RELEASE, environment: 'production' } as any;
    await rco.getRoad(ENTITY, shown);
    await rco.getTimeline(ENTITY, shown);
    for (const [url] of fetch.mock.calls) {
      expect(url).toContain(Q);
      expect(url).not.toContain('environment');
    }
  });

  it('lists windows and freezes as their items', async () => {
    const { fetch, rco } = client(() => json({ items: [{ id: 'w1' }] }));
    await expect(rco.listWindows(ENTITY)).resolves.toEqual([{ id: 'w1' }]);
    await expect(
      rco.listFreezes(ENTITY, { environment: 'production' }),
    ).resolves.toEqual([{ id: 'w1' }]);
    expect(fetch.mock.calls.map(c => c[0])).toEqual([
      `${BASE}/entities/Component/default/rco/windows`,
      `${BASE}/entities/Component/default/rco/freezes?environment=production`,
    ]);
  });

  it('posts a proposal, an acceptance, a cancellation and a review as JSON', async () => {
    const { fetch, rco } = client(() => json({ id: 'x' }, 201));
    const window = {
      environment: 'production',
      version: '1.3.2',
      start: '2026-12-14T22:00:00',
      end: '2026-12-15T02:00:00',
      timeZone: 'Europe/Berlin',
    };
    await rco.proposeWindow(ENTITY, window);
    await rco.acceptWindow('w/1');
    await rco.cancelWindow('w1');
    const review = {
      result: 'as-planned' as const,
      summary: 'ok',
      deviations: '',
      lessons: '',
    };
    await rco.writeReview('op-1', review);
    expect(fetch.mock.calls.map(([url, init]) => [url, init?.method])).toEqual([
      [`${BASE}/entities/Component/default/rco/windows`, 'POST'],
      [`${BASE}/windows/w%2F1/accept`, 'POST'],
      [`${BASE}/windows/w1/cancel`, 'POST'],
      [`${BASE}/operations/op-1/review`, 'POST'],
    ]);
    expect(JSON.parse(String(fetch.mock.calls[0][1]?.body))).toEqual(window);
    expect(JSON.parse(String(fetch.mock.calls[3][1]?.body))).toEqual(review);
  });

  it('fetches the dossier and the attestation as blobs with the token-carrying fetch', async () => {
    const { fetch, rco } = client(
      () =>
        new Response('PK..', {
          headers: { 'Content-Type': 'application/zip' },
        }),
    );
    const blob = await rco.downloadDossier(ENTITY, RELEASE);
    expect(await blob.text()).toBe('PK..');
    await rco.downloadAttestation(ENTITY, RELEASE);
    expect(fetch.mock.calls[0]).toEqual([
      `${BASE}/entities/Component/default/rco/releases/dossier?${Q}`,
      { headers: { Accept: 'application/zip' } },
    ]);
    expect(fetch.mock.calls[1][0]).toBe(
      `${BASE}/entities/Component/default/rco/releases/attestation?${Q}`,
    );
  });

  it("rejects a refused download with a ResponseError that keeps the server's sentence", async () => {
    const { rco } = client(() =>
      json(
        {
          error: { name: 'NotFoundError', message: 'No attestation key' },
          response: { statusCode: 404 },
        },
        404,
      ),
    );
    const error = await rco.downloadAttestation(ENTITY, RELEASE).catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.body.error.message).toBe('No attestation key');
  });

  it('reads a record by its API path, and never a path outside the plugin', async () => {
    const { fetch, rco } = client(() => json({ id: 'op-1' }));
    await expect(rco.getRecord('/operations/op-1')).resolves.toEqual({
      id: 'op-1',
    });
    expect(fetch.mock.calls[0][0]).toBe(`${BASE}/operations/op-1`);
    for (const href of [
      'https://evil.example/x',
      '//evil.example/x',
      '/../auth/token',
      '/%2e%2e/auth/token',
      'operations/op-1',
    ]) {
      await expect(rco.getRecord(href)).rejects.toThrow(
        'Not a record of the release console',
      );
    }
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
