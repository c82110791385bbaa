import { run } from './program';

async function rco(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['node', 'rco', ...args], {
    out: l => out.push(l),
    err: l => err.push(l),
    env,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('run', () => {
  it('prints help and exits 0', async () => {
    const res = await rco(['--help']);
    expect(res.code).toBe(0);
    expect(res.out).toContain('Usage: rco');
    expect(res.out).toContain('runbook');
    expect(res.out).toContain('gates');
  });

  it('exits 1 on an unknown command', async () => {
    const res = await rco(['deploy']);
    expect(res.code).toBe(1);
    expect(res.err).toContain("unknown command 'deploy'");
  });

  it('refuses a bad --timeout with exit 3, before asking anything', async () => {
    const res = await rco(['gates', 'wait', '--timeout', 'soon'], {
      RCO_URL: 'http://127.0.0.1:1',
      RCO_TOKEN: 't',
    });
    expect(res.code).toBe(3);
    expect(res.err).toBe(
      'rco: --timeout "soon" is not a duration: write 90s, 10m, 1h or ISO 8601 like PT10M.',
    );
  });

  it('needs --timeout for gates wait', async () => {
    const res = await rco(['gates', 'wait'], {
      RCO_URL: 'http://127.0.0.1:1',
      RCO_TOKEN: 't',
    });
    expect(res.code).toBe(3);
    expect(res.err).toContain(
      "required option '--timeout <duration>' not specified",
    );
  });

  it('says there is no token, and never prints one it was given', async () => {
    const missing = await rco(['status'], { RCO_URL: 'http://127.0.0.1:1' });
    expect(missing).toMatchObject({ code: 1, out: '' });
    expect(missing.err).toMatch(
      /^rco: No token: pass --token or set RCO_TOKEN/,
    );

    const secret = 'sekrit-token-value';
    const res = await rco(['status', '--entity', 'bad ref'], {
      RCO_URL: 'http://127.0.0.1:1',
      RCO_TOKEN: secret,
    });
    expect(res.code).toBe(1);
    expect(res.err).toContain('--entity "bad ref" is not an entity ref');
    expect(res.err).not.toContain(secret);
  });

  it('has no default entity: evidence must not land on the wrong service', async () => {
    const res = await rco(['evidence', 'push', 'x.json'], {
      RCO_URL: 'http://127.0.0.1:1',
      RCO_TOKEN: 't',
    });
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/^rco: No entity: pass --entity/);
  });

  it('refuses an unknown evidence kind', async () => {
    const res = await rco(
      ['evidence', 'push', 'x.json', '--kind', 'nessus', '--entity', 'rco'],
      {
        RCO_URL: 'http://127.0.0.1:1',
        RCO_TOKEN: 't',
      },
    );
    expect(res.code).toBe(1);
    expect(res.err).toMatch(
      /^rco: --kind "nessus" is not an evidence kind\. Accepted kinds: trivy, grype/,
    );
  });
});
