import {
  neutralise,
  oneLine,
  errorMessageOf,
  describeError,
  HttpError,
  NetworkError,
  networkCode,
  redact,
  RequestError,
  withoutCredentials,
} from './errors';
import vm from 'node:vm';

const ctx = {
  url: 'https://backstage.example.com',
  entity: 'component:default/rco',
  action: 'upload evidence for',
};

describe('describeError', () => {
  it.each([
    [
      new HttpError(401, 'Missing credentials'),
      /^The backend did not accept the token \(401 Unauthorized\)\. Check that --token \(or RCO_TOKEN\) holds a valid, unexpired Backstage token for https:\/\/backstage\.example\.com\.$/,
    ],
    [
      new HttpError(403, 'Not allowed'),
      /^The token may not upload evidence for component:default\/rco \(403 Forbidden\)\. .*rco\.ci\.subjects.* The backend says: Not allowed\.$/,
    ],
    [
      new HttpError(404, 'No entity component:default/rco'),
      /^Not found \(404\): check that component:default\/rco exists in the catalog .* served at https:\/\/backstage\.example\.com\/api\/rco\. The backend says: No entity component:default\/rco\.$/,
    ],
    [
      new HttpError(413, undefined),
      /^The file is larger than the backend accepts \(413 Payload Too Large\)\. .*rco\.evidence\.maxUploadBytes\.$/,
    ],
    [
      new HttpError(422, 'digest must be sha256:…'),
      /^The backend refused the request \(422\): digest must be sha256:…\. Fix the file or the options and run the command again\.$/,
    ],
    [
      new HttpError(
        400,
        'Invalid JSON at line 3, column 1: a string is not closed',
      ),
      /^The backend refused the request \(400\): Invalid JSON at line 3, column 1: a string is not closed\. Fix/,
    ],
    [
      new HttpError(503, 'restarting'),
      /^The backend failed \(503\)\. Try again later; the backend's logs say why\. The backend says: restarting\.$/,
    ],
    [
      new HttpError(409, undefined),
      /^The backend answered 409\. No reason given\.$/,
    ],
    [
      new NetworkError('ECONNREFUSED'),
      /^Cannot reach the backend at https:\/\/backstage\.example\.com: the connection was refused \(nothing listens there\)\. Check --url \(or RCO_URL\)/,
    ],
    [
      new NetworkError('ENOTFOUND'),
      /: the host name does not resolve\. Check --url/,
    ],
    [new NetworkError('TIMEOUT'), /: it did not answer in time\. Check --url/],
    [new NetworkError('EWHATEVER'), /: the request failed \(EWHATEVER\)\./],
  ])('%s', (error, sentence) => {
    expect(describeError(error, ctx)).toMatch(sentence);
  });

  it('names the file and the attempts', () => {
    expect(
      describeError(new NetworkError('ECONNRESET'), {
        ...ctx,
        file: 'trivy.json',
        attempts: 5,
      }),
    ).toMatch(
      /^trivy\.json: Cannot reach the backend at \S+ after 5 attempts: the connection was reset\./,
    );
  });

  it('says "the entity" when it has none', () => {
    expect(
      describeError(new HttpError(403, undefined), {
        ...ctx,
        entity: undefined,
      }),
    ).toContain('may not upload evidence for the entity');
  });
});

describe('networkCode', () => {
  it('reads the code undici puts in the cause of "fetch failed"', () => {
    const error = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    expect(networkCode(error)).toBe('ECONNREFUSED');
  });

  it('calls an aborted or timed-out request TIMEOUT', () => {
    expect(networkCode(new DOMException('t', 'TimeoutError'))).toBe('TIMEOUT');
    expect(networkCode(new DOMException('a', 'AbortError'))).toBe('TIMEOUT');
  });

  it('has no code for an ordinary error', () => {
    expect(networkCode(new Error('boom'))).toBeUndefined();
  });
});

describe('a request fetch refuses to make (second review, finding 1)', () => {
  it('still calls "fetch failed" from another realm a network failure', () => {
    const foreign = vm.runInNewContext('new TypeError("fetch failed")');
    expect(foreign instanceof TypeError).toBe(false);
    expect(networkCode(foreign)).toBe('FETCH_FAILED');
  });

  it('never carries credentials into a sentence', () => {
    const detail =
      'Request cannot be constructed from a URL that includes credentials: https://ciuser:s3cretPass@127.0.0.1:9/api';
    expect(withoutCredentials(detail)).toBe(
      'Request cannot be constructed from a URL that includes credentials: https://127.0.0.1:9/api',
    );
    for (const error of [
      new RequestError(detail),
      new NetworkError('UNKNOWN', detail),
      new Error(detail),
    ]) {
      expect(describeError(error, ctx)).not.toMatch(/ciuser|s3cretPass/);
    }
  });

  it('says a 429 is a limit to wait out', () => {
    expect(describeError(new HttpError(429, undefined), ctx)).toBe(
      'The backend, or a proxy in front of it, is limiting requests (429 Too Many Requests). Try again later.',
    );
  });
});

describe('errorMessageOf', () => {
  it.each([
    ['{"error":{"name":"InputError","message":"bad digest"}}', 'bad digest'],
    ['{"message":"plain"}', 'plain'],
    ['{"error":{}}', undefined],
    ['<html>502 Bad Gateway</html>', undefined],
    ['', undefined],
  ])('%s → %s', (body, message) => {
    expect(errorMessageOf(body)).toBe(message);
  });
});

describe('redact', () => {
  it('hides every occurrence of the token', () => {
    expect(redact('a TOKEN123 b TOKEN123', 'TOKEN123')).toBe('a *** b ***');
  });

  it('leaves text alone without a token (or with one too short to be one)', () => {
    expect(redact('abc', undefined)).toBe('abc');
    expect(redact('abc', 'a')).toBe('abc');
  });
});

describe('oneLine and neutralise', () => {
  it('writes line breaks literally', () => {
    expect(oneLine('a\r\n::warning::x\nb')).toBe('a\\r\\n::warning::x\\nb');
  });
  it('defuses a workflow command at the start of any line', () => {
    expect(
      neutralise('ok\n::add-mask::x\r\n  ::error::y\r##[group]z\nnot :: here'),
    ).toBe('ok\n: :add-mask::x\r\n  : :error::y\r# #[group]z\nnot :: here');
  });
  it('puts a backend message with line breaks on one line', () => {
    expect(
      describeError(new HttpError(400, 'bad\n::warning::x'), {
        url: 'https://b',
        action: 'read',
      }),
    ).toContain('bad\\n::warning::x');
  });
});
