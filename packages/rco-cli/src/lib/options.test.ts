import { CliError } from './errors';
import {
  connection,
  digestOption,
  durationOption,
  formatEntityRef,
  parseEntityRef,
} from './options';

describe('parseEntityRef', () => {
  it.each([
    ['rco', 'component:default/rco'],
    ['default/rcot', 'component:default/rcot'],
    ['Component:default/rco', 'component:default/rco'],
    ['resource:platform/db', 'resource:platform/db'],
  ])('%s → %s', (text, ref) => {
    expect(formatEntityRef(parseEntityRef(text))).toBe(ref);
  });

  it.each([undefined, '', ' '])(
    'asks for an entity when there is none (%j)',
    text => {
      expect(() => parseEntityRef(text)).toThrow(
        'No entity: pass --entity kind:namespace/name (for example component:default/rco), or set RCO_ENTITY.',
      );
    },
  );

  it.each(['..', '.', 'component:default/..', 'component:./x', '..:default/x'])(
    'refuses the path segment in %j (it would leave the entity route)',
    text => {
      expect(() => parseEntityRef(text)).toThrow(/cannot be "\." or "\.\."/);
    },
  );

  it.each(['component:', 'a:b/c/d', 'a b'])('refuses %j', text => {
    expect(() => parseEntityRef(text)).toThrow(
      /is not an entity ref: write kind:namespace\/name/,
    );
  });
});

describe('connection', () => {
  it('takes flags before the environment', () => {
    expect(
      connection(
        { url: 'https://flag.example', token: 'flag-token' },
        { RCO_URL: 'https://env.example', RCO_TOKEN: 'env-token' },
      ),
    ).toEqual({ url: 'https://flag.example', token: 'flag-token', retries: 4 });
    expect(
      connection(
        {},
        { RCO_URL: 'https://env.example', RCO_TOKEN: 'env', RCO_RETRIES: '0' },
      ),
    ).toEqual({
      url: 'https://env.example',
      token: 'env',
      retries: 0,
    });
  });

  it.each([
    [{}, {}, /^No backend URL: pass --url or set RCO_URL/],
    [
      {},
      { RCO_URL: 'https://b.example' },
      /^No token: pass --token or set RCO_TOKEN/,
    ],
    [{}, { RCO_URL: 'https://b.example', RCO_TOKEN: '  ' }, /^No token/],
    [
      { url: 'backstage.example.com' },
      { RCO_TOKEN: 't' },
      /is not an http\(s\) URL/,
    ],
    [
      { retries: '-1' },
      { RCO_URL: 'https://b.example', RCO_TOKEN: 't' },
      /--retries must be a whole number/,
    ],
    [
      { retries: 'many' },
      { RCO_URL: 'https://b.example', RCO_TOKEN: 't' },
      /--retries must be a whole number/,
    ],
  ])('%j %j says what is missing', (flags, env, sentence) => {
    expect(() => connection(flags, env)).toThrow(sentence);
    expect(() => connection(flags, env)).toThrow(CliError);
  });
});

describe('connection, continued', () => {
  const base = { RCO_URL: 'https://b.example', RCO_TOKEN: 't0ken' };
  it('reads an empty RCO_RETRIES as the default, not as 0', () => {
    expect(connection({}, { ...base, RCO_RETRIES: '' }).retries).toBe(4);
  });
  it.each(['a\nb', 'a\rb', 'a\u0000b', 'tök✓n', 'a\u007fb'])(
    'refuses the token %j without quoting it',
    token => {
      expect(() => connection({ token }, base)).toThrow(
        /^The token contains a line break, a control character or a character outside Latin-1/,
      );
    },
  );
  it('accepts a Latin-1 token (fetch can send it)', () => {
    expect(connection({ token: 'abc-é.ü_1' }, base).token).toBe('abc-é.ü_1');
  });
});

describe('digestOption', () => {
  const good = `sha256:${'0123456789abcdef'.repeat(4)}`;
  it('passes a digest, and an absent optional one', () => {
    expect(digestOption(good, true)).toBe(good);
    expect(digestOption(undefined, false)).toBeUndefined();
  });
  it.each([
    '',
    'sha256:',
    'sha256:AB',
    `${good}0`,
    good.toUpperCase(),
    'latest',
  ])('refuses %j', value => {
    expect(() => digestOption(value, false)).toThrow(/is not an image digest/);
  });
  it('requires one when asked to', () => {
    expect(() => digestOption(undefined, true)).toThrow(
      /^--digest is required/,
    );
  });
});

describe('durationOption', () => {
  it('reads the option, or falls back', () => {
    expect(durationOption('--timeout', '10m')).toBe(600_000);
    expect(durationOption('--interval', undefined, 5000)).toBe(5000);
  });

  it('names the option it cannot read', () => {
    expect(() => durationOption('--timeout', 'soon')).toThrow(
      '--timeout "soon" is not a duration: write 90s, 10m, 1h or ISO 8601 like PT10M.',
    );
    expect(() => durationOption('--timeout', '0s')).toThrow(
      /is not a duration/,
    );
    expect(() => durationOption('--timeout', undefined)).toThrow(
      '--timeout is required',
    );
  });
});

describe('connection: the URL (second review, finding 1)', () => {
  const token = { RCO_TOKEN: 't0ken' };
  it.each([
    'https://ciuser:s3cretPass@127.0.0.1:9',
    'https://ciuser@backstage.example',
    'https://:s3cretPass@backstage.example/base',
  ])('refuses credentials in %s without quoting them', url => {
    for (const [flags, env] of [
      [{ url }, token],
      [{}, { ...token, RCO_URL: url }],
    ] as const) {
      let thrown: unknown;
      try {
        connection(flags, env);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(CliError);
      const message = (thrown as Error).message;
      expect(message).toMatch(
        /^The backend URL carries a user name or password/,
      );
      expect(message).not.toMatch(/ciuser|s3cretPass/);
    }
  });

  it.each([
    ['ciuser:s3cretPass@backstage.example', /is not an http\(s\) URL/],
    ['ftp://ciuser:s3cretPass@backstage.example', /is not an http\(s\) URL/],
    ['https://backstage.example/?key=s3cretPass', /query or a fragment/],
    ['https://backstage.example/#s3cretPass', /query or a fragment/],
  ])('refuses %s without quoting it', (url, sentence) => {
    let thrown: unknown;
    try {
      connection({ url }, token);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as Error).message).toMatch(sentence);
    expect((thrown as Error).message).not.toMatch(/ciuser|s3cretPass/);
  });

  it('keeps only the origin and path', () => {
    expect(
      connection({ url: 'HTTPS://Backstage.Example:443/base/' }, token).url,
    ).toBe('https://backstage.example/base');
    expect(connection({ url: 'http://127.0.0.1:7007' }, token).url).toBe(
      'http://127.0.0.1:7007',
    );
  });
});
