import { ResponseError } from '@backstage/errors';
import { RcoClient } from './RcoClient';

const ENTITY = { kind: 'Component', namespace: 'default', name: 'rco' };

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

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });

describe('RcoClient operations', () => {
  it('creates an operation with its idempotency key and JSON body', async () => {
    const { fetch, rco } = client(() => json({ id: 'op-1' }, 202));
    const body = {
      type: 'deploy' as const,
      environment: 'staging',
      release: { version: '1.5.0', digest: `sha256:${'a'.repeat(64)}` },
    };
    await expect(rco.createOperation(ENTITY, body, 'key-1')).resolves.toEqual({
      id: 'op-1',
    });
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe(
      'http://backstage/api/rco/entities/Component/default/rco/operations',
    );
    expect(init?.method).toBe('POST');
    expect(init?.headers).toEqual({
      'Content-Type': 'application/json',
      'Idempotency-Key': 'key-1',
    });
    expect(JSON.parse(String(init?.body))).toEqual(body);
  });

  it('reads the waiver proposals of an entity (issue 16)', async () => {
    const items = [{ id: 'p1', gate: 'image-scanning', state: 'open' }];
    const { fetch, rco } = client(() => json({ items }));
    await expect(rco.listWaiverProposals(ENTITY)).resolves.toEqual(items);
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backstage/api/rco/entities/Component/default/rco/waivers/proposals',
    );
  });

  it("rejects with a ResponseError that keeps the server's message", async () => {
    const message =
      'Blocked by 2 gates: image-scanning (fail), secret-hygiene (missing). Recorded as operation op-2';
    const { rco } = client(() =>
      json(
        {
          error: { name: 'ConflictError', message },
          response: { statusCode: 409 },
        },
        409,
      ),
    );
    const error = await rco
      .createOperation(ENTITY, { type: 'deploy', environment: 'staging' }, 'k')
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.body.error.message).toBe(message);
    expect(error.cause.message).toBe(message);
  });

  it('reads lists by environment and posts the control actions', async () => {
    const { fetch, rco } = client(() => json({ items: [{ id: 'op-1' }] }));
    await expect(
      rco.listOperations(ENTITY, { environment: 'staging' }),
    ).resolves.toEqual([{ id: 'op-1' }]);
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backstage/api/rco/entities/Component/default/rco/operations?environment=staging',
    );
    await rco.confirmOperation('op-1', { confirmation: 'rco', step: 'db' });
    expect(fetch.mock.calls[1][0]).toBe(
      'http://backstage/api/rco/operations/op-1/confirm',
    );
    expect(JSON.parse(String(fetch.mock.calls[1][1]?.body))).toEqual({
      confirmation: 'rco',
      step: 'db',
    });
    await rco.promoteOperation('op-1');
    await rco.abortOperation('op-1');
    expect(fetch.mock.calls.slice(2).map(c => [c[0], c[1]?.method])).toEqual([
      ['http://backstage/api/rco/operations/op-1/promote', 'POST'],
      ['http://backstage/api/rco/operations/op-1/abort', 'POST'],
    ]);
  });
});

describe('RcoClient collection (issue 13)', () => {
  const health = {
    configured: true,
    canRefresh: true,
    health: [
      {
        collector: 'kubernetes',
        cluster: 'simulated-cluster',
        kind: 'policyreports',
        environments: ['production'],
        state: 'ok',
      },
    ],
  };

  it('reads the collection health of an entity', async () => {
    const { fetch, rco } = client(() => json(health));
    await expect(rco.getCollection(ENTITY)).resolves.toEqual(health);
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backstage/api/rco/entities/Component/default/rco/collection',
    );
  });

  it('posts a refresh and answers the health it returns', async () => {
    const { fetch, rco } = client(() => json(health));
    await expect(rco.refreshCollection(ENTITY)).resolves.toEqual(health);
    expect(fetch.mock.calls.map(c => [c[0], c[1]?.method])).toEqual([
      [
        'http://backstage/api/rco/entities/Component/default/rco/collection/refresh',
        'POST',
      ],
    ]);
  });

  it('reads the health again when the refresh answers without it (202, empty)', async () => {
    let calls = 0;
    const { fetch, rco } = client(() =>
      calls++ === 0 ? new Response(null, { status: 202 }) : json(health),
    );
    await expect(rco.refreshCollection(ENTITY)).resolves.toEqual(health);
    expect(fetch.mock.calls[1][0]).toBe(
      'http://backstage/api/rco/entities/Component/default/rco/collection',
    );
  });

  it("rejects a refused refresh with the server's message", async () => {
    const message = 'Only the owners of component:default/rco may collect now';
    const { rco } = client(() =>
      json(
        {
          error: { name: 'NotAllowedError', message },
          response: { statusCode: 403 },
        },
        403,
      ),
    );
    const error = await rco.refreshCollection(ENTITY).catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.body.error.message).toBe(message);
  });
});
