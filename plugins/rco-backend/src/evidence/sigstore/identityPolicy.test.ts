import { policyFor, subjectPattern } from './identityPolicy';

const WORKFLOW =
  'https://github.com/helix/rco/.github/workflows/release.yml@refs/heads/main';

describe('subject patterns (R2: globs stay within a part, regexes run on RE2)', () => {
  const glob = (p: string) => subjectPattern(p, 'test');

  it('a glob `*` stops at `/` and `@`; `**` crosses them', () => {
    expect(
      glob(
        'https://github.com/helix/rco/.github/workflows/release.yml@refs/heads/*',
      ).test(WORKFLOW),
    ).toBe(true);
    // Any branch without a slash, not refs/heads/feature/x.
    expect(
      glob(
        'https://github.com/helix/rco/.github/workflows/release.yml@refs/heads/*',
      ).test(WORKFLOW.replace('main', 'feature/evil')),
    ).toBe(false);
    // Not every workflow at every ref of the repository.
    expect(glob('https://github.com/helix/rco/*').test(WORKFLOW)).toBe(false);
    expect(
      glob('https://github.com/helix/rco/.github/workflows/*').test(WORKFLOW),
    ).toBe(false);
    expect(
      glob(
        'https://github.com/helix/rco/.github/workflows/*@refs/heads/main',
      ).test(WORKFLOW),
    ).toBe(true);
    expect(glob('https://github.com/helix/rco/**').test(WORKFLOW)).toBe(true);
    // An email: `*` stops at `@`, so `*@helix.example` cannot be met by `x@evil@helix.example`.
    expect(glob('*@helix.example').test('ci@helix.example')).toBe(true);
    expect(glob('*@helix.example').test('ci@evil.example@helix.example')).toBe(
      false,
    );
    expect(glob('release-?').test('release-1')).toBe(true);
    expect(glob('release-?').test('release-/')).toBe(false);
  });

  it('a glob is anchored and takes everything else literally', () => {
    expect(glob('https://github.com/helix/rco').test(`${WORKFLOW}`)).toBe(
      false,
    );
    expect(glob('a.b').test('axb')).toBe(false);
    expect(glob('(a|b)+').test('(a|b)+')).toBe(true);
  });

  it('a regular expression is anchored', () => {
    expect(subjectPattern('/helix\\/rco/', 't').test(WORKFLOW)).toBe(false);
    expect(
      subjectPattern('/https:\\/\\/github\\.com\\/helix\\/rco\\/.*/', 't').test(
        WORKFLOW,
      ),
    ).toBe(true);
  });

  it('refuses: a catastrophic pattern against a long subject a signer chose hangs the console', () => {
    const evil = subjectPattern('/(a+)+b/', 't');
    const started = Date.now();
    expect(evil.test('a'.repeat(50_000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    const globs = subjectPattern('*a*a*a*a*a*a*a*b', 't');
    const again = Date.now();
    expect(globs.test('a'.repeat(5_000))).toBe(false);
    expect(Date.now() - again).toBeLessThan(2_000);
  });

  it('refuses at startup what RE2 cannot run in linear time, naming the setting', () => {
    expect(() =>
      subjectPattern('/(a)\\1/', 'rco.sigstore.identities[0].subject'),
    ).toThrow(
      /^rco.sigstore.identities\[0\].subject: "\/\(a\)\\1\/" is not a valid pattern/,
    );
    expect(() => subjectPattern('/(?=a)a/', 'x')).toThrow(
      /is not a valid pattern/,
    );
    expect(() => subjectPattern('/(/', 'x')).toThrow(/is not a valid pattern/);
  });
});

describe('policyFor (R2: identities and keys fall back together)', () => {
  const rule = (entity?: string) => ({
    entity,
    issuer: 'i',
    subject: subjectPattern('**', 't'),
    subjectPattern: '**',
  });
  const key = (entity?: string) => ({ entity, name: 'k', pem: 'PEM' });

  it('an entity with its own identities gets none of the default keys', () => {
    const p = policyFor(
      { identities: [rule('component:default/rco')], publicKeys: [key()] },
      'component:default/rco',
    );
    expect(p).toMatchObject({ own: true, publicKeys: [] });
    expect(p.identities).toHaveLength(1);
  });

  it('an entity with its own keys gets none of the default identities', () => {
    const p = policyFor(
      { identities: [rule()], publicKeys: [key('component:default/rco')] },
      'Component:default/RCO',
    );
    expect(p).toMatchObject({ own: true, identities: [] });
  });

  it('an entity with neither gets the defaults, both', () => {
    const p = policyFor(
      {
        identities: [rule(), rule('component:default/payments')],
        publicKeys: [key()],
      },
      'component:default/rco',
    );
    expect(p.own).toBe(false);
    expect(p.identities).toHaveLength(1);
    expect(p.publicKeys).toHaveLength(1);
  });
});
