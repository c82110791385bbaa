import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  AttemptsError,
  entityPath,
  isRetryable,
  RcoClient,
  retryAfterMs,
} from './client';
import { CliError, HttpError, NetworkError, NotJsonError } from './errors';

describe('isRetryable', () => {
  it.each([
    [new NetworkError('ECONNREFUSED'), true],
    [new NetworkError('TIMEOUT'), true],
    [new HttpError(500, undefined), true],
    [new HttpError(502, undefined), true],
    [new HttpError(503, 'restarting'), true],
    [new HttpError(400, undefined), false],
    [new HttpError(401, undefined), false],
    [new HttpError(403, undefined), false],
    [new HttpError(404, undefined), false],
    [new HttpError(413, undefined), false],
    [new HttpError(422, undefined), false],
    [new HttpError(429, undefined), true],
    [new Error('a bug of ours'), false],
  ])('%s → %s', (error, retry) => {
    expect(isRetryable(error)).toBe(retry);
  });
});

describe('entityPath', () => {
  it('encodes each segment', () => {
    expect(
      entityPath({ kind: 'component', namespace: 'default', name: 'a b/c' }),
    ).toBe('/entities/component/default/a%20b%2Fc');
  });

  it.each([
    { kind: 'component', namespace: 'default', name: '..' },
    { kind: 'component', namespace: '.', name: 'x' },
    { kind: '..', namespace: 'default', name: 'x' },
    { kind: 'component', namespace: 'default', name: '' },
  ])('refuses %j: fetch would resolve it out of the route', ref => {
    expect(() => entityPath(ref)).toThrow(CliError);
  });
});

/** A backend that answers each request with the next of `answers` (the last one repeats). */
async function server(answers: Array<[number, unknown]>) {
  const seen: Array<{
    method: string;
    url: string;
    auth?: string;
    body: Buffer;
    headers: http.IncomingHttpHeaders;
  }> = [];
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        auth: req.headers.authorization,
        body: Buffer.concat(chunks),
        headers: req.headers,
      });
      const [status, body] =
        answers[Math.min(seen.length - 1, answers.length - 1)];
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>(r => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () => new Promise<void>(r => srv.close(() => r())),
  };
}

const error = (message: string) => ({ error: { name: 'Error', message } });

describe('RcoClient', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-client-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('retries 5xx answers with backoff and returns the answer that came', async () => {
    const backend = await server([
      [503, error('restarting')],
      [502, {}],
      [200, { ok: true }],
    ]);
    const retried: number[] = [];
    try {
      const client = new RcoClient({
        url: `${backend.url}/`,
        token: 't0ken',
        retries: 4,
        retryDelayMs: 5,
        onRetry: (_e, attempt) => retried.push(attempt),
      });
      await expect(client.get('/x', { a: '1', b: undefined })).resolves.toEqual(
        { ok: true },
      );
      expect(backend.seen.map(s => s.url)).toEqual(
        Array(3).fill('/api/rco/x?a=1'),
      );
      expect(backend.seen[0].auth).toBe('Bearer t0ken');
      expect(retried).toEqual([1, 2]);
    } finally {
      await backend.close();
    }
  });

  it('gives up after the configured retries, counting the attempts', async () => {
    const backend = await server([[500, error('broken')]]);
    try {
      const retried: number[] = [];
      const client = new RcoClient({
        url: backend.url,
        token: 't',
        retries: 2,
        retryDelayMs: 1,
        onRetry: (_e, made) => retried.push(made),
      });
      const failure: any = await client.get('/x').catch((e: any) => e);
      // Told of the two retries only, never of a third that does not come.
      expect(retried).toEqual([1, 2]);
      expect(failure).toBeInstanceOf(AttemptsError);
      expect(failure.attempts).toBe(3);
      expect(failure.cause).toMatchObject({
        status: 500,
        backendMessage: 'broken',
      });
    } finally {
      await backend.close();
    }
  });

  it.each([400, 401, 403, 404, 413, 422])('never retries %d', async status => {
    const backend = await server([[status, error('no')]]);
    try {
      const client = new RcoClient({
        url: backend.url,
        token: 't',
        retries: 4,
        retryDelayMs: 1,
      });
      const failure: any = await client.get('/x').catch((e: any) => e);
      expect(failure.attempts).toBe(1);
      expect(failure.cause).toMatchObject({ status, backendMessage: 'no' });
      expect(backend.seen).toHaveLength(1);
    } finally {
      await backend.close();
    }
  });

  it('refuses an empty query value instead of dropping it', async () => {
    const backend = await server([[200, {}]]);
    try {
      const client = new RcoClient({
        url: backend.url,
        token: 't',
        retries: 0,
      });
      await expect(client.get('/x', { digest: '' })).rejects.toThrow(
        '--digest is empty',
      );
      expect(backend.seen).toHaveLength(0);
    } finally {
      await backend.close();
    }
  });

  it('says a 2xx answer is not JSON, and does not retry it', async () => {
    const srv = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>login</html>');
    });
    await new Promise<void>(r => srv.listen(0, '127.0.0.1', r));
    try {
      const client = new RcoClient({
        url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
        token: 't',
        retries: 3,
        retryDelayMs: 1,
      });
      const failure: any = await client.get('/x').catch((e: any) => e);
      expect(failure.cause).toBeInstanceOf(NotJsonError);
      expect(failure.attempts).toBe(1);
    } finally {
      await new Promise<void>(r => srv.close(() => r()));
    }
  });

  it('bounds one call by its own timeout and retries', async () => {
    const srv = http.createServer(() => {}); // never answers
    await new Promise<void>(r => srv.listen(0, '127.0.0.1', r));
    try {
      const client = new RcoClient({
        url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
        token: 't',
        retries: 4,
        retryDelayMs: 1,
      });
      const started = Date.now();
      const failure: any = await client
        .get('/x', {}, { retries: 0, requestTimeoutMs: 200 })
        .catch((e: any) => e);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(failure.attempts).toBe(1);
      expect(failure.cause).toMatchObject({ code: 'TIMEOUT' });
    } finally {
      srv.closeAllConnections();
      await new Promise<void>(r => srv.close(() => r()));
    }
  });

  it('retries a refused connection, then says so', async () => {
    const backend = await server([[200, {}]]);
    await backend.close(); // nothing listens there now
    const client = new RcoClient({
      url: backend.url,
      token: 't',
      retries: 2,
      retryDelayMs: 1,
    });
    const failure: any = await client.get('/x').catch((e: any) => e);
    expect(failure.attempts).toBe(3);
    expect(failure.cause).toBeInstanceOf(NetworkError);
    expect(failure.cause.code).toBe('ECONNREFUSED');
  });

  it('streams a large file, whole and with its length, once per attempt', async () => {
    const file = path.join(tmp, 'big.json');
    const body = Buffer.from(
      JSON.stringify({
        data: crypto.randomBytes(3 * 1024 * 1024).toString('base64'),
      }),
    );
    fs.writeFileSync(file, body);
    const backend = await server([
      [503, error('restarting')],
      [201, { items: [{ id: 'e1', kind: 'trivy', created: true }] }],
    ]);
    try {
      const client = new RcoClient({
        url: backend.url,
        token: 't',
        retries: 1,
        retryDelayMs: 1,
      });
      const res = await client.upload(
        '/entities/component/default/rco/evidence',
        { digest: 'sha256:ab', kind: undefined },
        file,
      );
      expect(res).toEqual({
        status: 201,
        body: { items: [{ id: 'e1', kind: 'trivy', created: true }] },
      });
      expect(backend.seen).toHaveLength(2);
      for (const seen of backend.seen) {
        expect(seen.method).toBe('POST');
        expect(seen.url).toBe(
          '/api/rco/entities/component/default/rco/evidence?digest=sha256%3Aab',
        );
        expect(seen.headers['content-length']).toBe(String(body.length));
        expect(seen.body.equals(body)).toBe(true);
      }
    } finally {
      await backend.close();
    }
  });
});

describe('RcoClient: a request fetch refuses to make (second review, finding 1)', () => {
  it('is not retried as a network error, and its sentence has no credentials', async () => {
    const retried: number[] = [];
    const client = new RcoClient({
      // connection() refuses this; the client must not retry it if one gets here anyway.
      url: 'https://ciuser:s3cretPass@127.0.0.1:9',
      token: 't',
      retries: 3,
      retryDelayMs: 1,
      onRetry: (_e, made) => retried.push(made),
    });
    const failure: any = await client.get('/x').catch((e: any) => e);
    expect(retried).toEqual([]);
    expect(failure.attempts).toBe(1);
    expect(failure.cause).not.toBeInstanceOf(NetworkError);
    expect(isRetryable(failure.cause)).toBe(false);
    expect(String(failure.cause.message)).not.toMatch(/ciuser|s3cretPass/);
  });
});

describe('RcoClient: 429 (second review, finding 4)', () => {
  it('retries a 429 and reads its Retry-After', async () => {
    let calls = 0;
    const srv = http.createServer((req, res) => {
      req.resume();
      calls++;
      if (calls === 1) {
        res.writeHead(429, {
          'Content-Type': 'application/json',
          'Retry-After': '0',
        });
        res.end(JSON.stringify(error('slow down')));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    });
    await new Promise<void>(r => srv.listen(0, '127.0.0.1', r));
    const seen: unknown[] = [];
    try {
      const client = new RcoClient({
        url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
        token: 't',
        retries: 2,
        retryDelayMs: 1,
        onRetry: e => seen.push(e),
      });
      await expect(client.get('/x')).resolves.toEqual({ ok: true });
      expect(calls).toBe(2);
      expect(seen[0]).toBeInstanceOf(HttpError);
      expect((seen[0] as HttpError).status).toBe(429);
      expect((seen[0] as HttpError).retryAfterMs).toBe(0);
    } finally {
      await new Promise<void>(r => srv.close(() => r()));
    }
  });

  it.each([
    ['120', 120_000],
    ['0', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('reads Retry-After %j as %j ms', (header, ms) => {
    expect(retryAfterMs(header ?? null, 0)).toBe(ms);
  });

  it('reads an HTTP-date Retry-After against the clock', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
  });
});
