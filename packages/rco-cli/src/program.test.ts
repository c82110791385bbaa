import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DETECT_LIMIT_BYTES } from './commands/push';
import { run } from './program';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** A stand-in backend answering every request with one answer; it counts what it was asked. */
async function stub(status: number, body: string, type = 'application/json') {
  const seen: string[] = [];
  const srv = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'Content-Type': type });
      res.end(body);
    });
  });
  await new Promise<void>(r => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>(r => srv.close(() => r())),
  };
}

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
    expect(res.err).toBe('error: unknown command; run rco --help');
  });

  it('never echoes an unknown command, even one that looks like a word (second review, finding 2)', async () => {
    for (const args of [
      ['--url', 'http://127.0.0.1:9', 'wordtok1234', 'status'],
      ['wordtok1234'],
      ['gates', 'wordtok1234'],
      ['status', 'wordtok1234'],
      ['runbook', 'validate', 'x.yaml', '--format', 'wordtok1234'],
    ]) {
      const res = await rco(args);
      expect(res.code).toBe(1);
      expect(res.err).not.toContain('wordtok');
      expect(res.err).not.toBe('');
    }
  });

  it("never echoes a token in commander's own errors", async () => {
    const secret = 'eyJhbGciOi.SECRET-token-value_123';
    const known = await rco([secret], { RCO_TOKEN: secret });
    expect(known.code).toBe(1);
    expect(known.err).toContain('unknown command');
    expect(known.err).not.toContain(secret);
    expect(known.err).not.toContain('SECRET');
    // Given as a flag to a command that then fails to parse.
    const flagged = await rco(['status', `--token=${secret}`, '--tokn', 'x']);
    expect(flagged.err).toContain("unknown option '--tokn'");
    expect(flagged.err).not.toContain('SECRET');
    // Not known as a token at all: an argument that does not look like a word is not echoed.
    const stray = await rco(
      ['status', 'Zm9vYmFyOnNlY3JldC0xMjM0NTY3ODkw=='],
      {},
    );
    expect(stray.code).toBe(1);
    expect(stray.err).toMatch(/too many arguments|unknown command/);
    expect(stray.err).not.toContain('Zm9vYmFy');
    const choice = await rco([
      'runbook',
      'validate',
      'x.yaml',
      '--format',
      'Zm9vYmFyOnNlY3JldC0xMjM0NTY3ODkw',
    ]);
    expect(choice.code).toBe(1);
    expect(choice.err).toContain("argument '…' is invalid");
  });

  it.each([
    [
      ['--digest', ''],
      '--digest is empty: give it a value, or leave the option out.',
    ],
    [
      ['--digest', DIGEST, '--version', ''],
      '--version is empty: give it a value, or leave the option out.',
    ],
    [
      ['--digest', DIGEST, '--environment', ''],
      '--environment is empty: give it a value, or leave the option out.',
    ],
    [
      [],
      '--digest is required: name the image the gates are for, as sha256:<64 hex digits>',
    ],
    [
      ['--digest', 'sha256:ab'],
      '--digest "sha256:ab" is not an image digest: write sha256: followed by 64 lowercase hex digits.',
    ],
    [['--digest', DIGEST.toUpperCase()], 'is not an image digest'],
  ])(
    'gates wait %j is refused with exit 3 before asking',
    async (flags, sentence) => {
      const backend = await stub(200, '{}');
      try {
        const res = await rco(
          ['gates', 'wait', '--entity', 'rco', '--timeout', '5s', ...flags],
          { RCO_URL: backend.url, RCO_TOKEN: 't0ken' },
        );
        expect(res.code).toBe(3);
        expect(res.err).toContain(sentence);
        expect(backend.seen).toEqual([]);
      } finally {
        await backend.close();
      }
    },
  );

  it.each([
    [['status', '--digest', 'sha256:12'], 'is not an image digest'],
    [
      ['evidence', 'push', 'x.json', '--digest', 'latest'],
      'is not an image digest',
    ],
    [['status', '--url', ''], '--url is empty'],
    [['status', '--entity', 'component:default/..'], 'cannot be "." or ".."'],
    [['status', '--entity', '..'], 'cannot be "." or ".."'],
    [
      ['evidence', 'push', 'x.json', '--entity', 'component:../x'],
      'cannot be "." or ".."',
    ],
    [['status', '--entity', '.:default/x'], 'cannot be "." or ".."'],
  ])('%j is refused with exit 1 before any request', async (args, sentence) => {
    const backend = await stub(200, '{}');
    try {
      const res = await rco([...args], {
        RCO_URL: backend.url,
        RCO_TOKEN: 't0ken',
        RCO_ENTITY: 'rco',
      });
      expect(res.code).toBe(1);
      expect(res.err).toContain(sentence);
      expect(backend.seen).toEqual([]);
    } finally {
      await backend.close();
    }
  });

  it('refuses a token with a line break or beyond Latin-1 locally, without retrying or quoting it', async () => {
    for (const token of [
      'abc\ndef-secret',
      'tökén-✓-secret',
      'a\u0000b-secret',
    ]) {
      const backend = await stub(200, '{}');
      try {
        const res = await rco(['status', '--entity', 'rco'], {
          RCO_URL: backend.url,
          RCO_TOKEN: token,
        });
        expect(res.code).toBe(1);
        expect(res.err).toBe(
          'rco: The token contains a line break, a control character or a character outside Latin-1: check that --token (or RCO_TOKEN) holds only the token, copied whole, without quotes or line breaks.',
        );
        expect(backend.seen).toEqual([]);
      } finally {
        await backend.close();
      }
    }
  });

  it('says a web page is not the backend, for status and push', async () => {
    const backend = await stub(
      200,
      '<!DOCTYPE html><html>Sign in</html>',
      'text/html',
    );
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-program-'));
    try {
      const env = {
        RCO_URL: backend.url,
        RCO_TOKEN: 't0ken',
        RCO_ENTITY: 'rco',
      };
      const status = await rco(['status'], env);
      expect(status.code).toBe(1);
      expect(status.err).toBe(
        `rco: The backend at ${backend.url} answered 200, but the answer was not JSON: check --url points at the Backstage backend (not a web page or a proxy in front of it).`,
      );
      const wait = await rco(
        ['gates', 'wait', '--digest', DIGEST, '--timeout', '5s'],
        env,
      );
      expect(wait.code).toBe(3);
      expect(wait.err).toContain('the answer was not JSON');
      const file = path.join(tmp, 'gitleaks.json');
      fs.writeFileSync(file, '[]');
      const push = await rco(
        ['evidence', 'push', file, '--kind', 'gitleaks'],
        env,
      );
      expect(push.code).toBe(1);
      expect(push.err).toContain(
        'answered 200, but the answer was not JSON: check --url points at the Backstage backend',
      );
    } finally {
      await backend.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('refuses a file too large to recognise before reading or sending it', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-program-'));
    const file = path.join(tmp, 'huge.json');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, DETECT_LIMIT_BYTES + 1); // sparse: nothing is written
    const backend = await stub(201, '{"items":[]}');
    try {
      const res = await rco(['evidence', 'push', file], {
        RCO_URL: backend.url,
        RCO_TOKEN: 't0ken',
        RCO_ENTITY: 'rco',
      });
      expect(res.code).toBe(1);
      expect(res.err).toContain(
        `${file} is 64 MiB, more than the 64 MiB the CLI reads to recognise a format, so nothing was uploaded. The backend accepts files up to rco.evidence.maxUploadBytes`,
      );
      expect(backend.seen).toEqual([]);
    } finally {
      await backend.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('counts a 2xx answer without records as not recorded', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-program-'));
    const file = path.join(tmp, 'gitleaks.json');
    fs.writeFileSync(file, '[]');
    for (const body of ['{"ok":true}', '{"items":[]}', '']) {
      const backend = await stub(200, body);
      try {
        const res = await rco(
          ['evidence', 'push', file, '--kind', 'gitleaks'],
          {
            RCO_URL: backend.url,
            RCO_TOKEN: 't0ken',
            RCO_ENTITY: 'rco',
          },
        );
        expect(res.code).toBe(1);
        expect(res.out).toBe('');
        expect(res.err).toContain(
          `${file}: the backend answered 200 but recorded nothing (no items in the answer): check --url points at the Backstage backend`,
        );
        expect(res.err).toContain('1 of 1 files were not recorded.');
      } finally {
        await backend.close();
      }
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('ends gates wait with exit 3 on an unexpected error, not 1', async () => {
    // A status answer about the release but without gates: a bug, not a verdict.
    const backend = await stub(
      200,
      JSON.stringify({ release: { digest: DIGEST } }),
    );
    try {
      const res = await rco(
        [
          'gates',
          'wait',
          '--entity',
          'rco',
          '--digest',
          DIGEST,
          '--timeout',
          '5s',
        ],
        { RCO_URL: backend.url, RCO_TOKEN: 't0ken' },
      );
      expect(res.code).toBe(3);
      expect(res.err).toMatch(/^rco: unexpected error: /);
    } finally {
      await backend.close();
    }
  });

  it.each([
    ['text', []],
    [
      'github',
      [
        expect.stringMatching(
          /^::error file=.*inj\.yaml,line=\d+,title=rco runbook validate::metadata\.status .*approved%0A::warning file=x\.yaml,line=1::injected%0D%0A##\[error\]old/,
        ),
      ],
    ],
  ])(
    'prints no line that starts a workflow command but its own ::error annotations (--format %s)',
    async (format, expected) => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-program-'));
      try {
        const examples = path.resolve(__dirname, '../../../examples');
        const good = fs.readFileSync(
          path.join(examples, 'rco/runbook/rco-runbook.yaml'),
          'utf8',
        );
        const file = path.join(tmp, 'inj.yaml');
        fs.writeFileSync(
          file,
          good.replace(
            '  status: approved',
            '  status: "approved\\n::warning file=x.yaml,line=1::injected\\r\\n##[error]old"',
          ),
        );
        const evil = path.join(tmp, 'x\n::notice::evil.yaml');
        const res = await rco([
          'runbook',
          'validate',
          file,
          evil,
          '--format',
          format as string,
        ]);
        expect(res.code).toBe(1);
        const lines = `${res.out}\n${res.err}`.split(/\r\n|\r|\n/);
        expect(lines.filter(l => /^\s*(::|##\[)/.test(l))).toEqual(expected);
        expect(res.out).toContain('approved\\n::warning');
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    },
  );

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

  it('refuses credentials in the URL without printing them or retrying (second review, finding 1)', async () => {
    const env = {
      RCO_URL: 'https://ciuser:s3cretPass@127.0.0.1:9',
      RCO_TOKEN: 't0ken',
      RCO_RETRY_DELAY_MS: '1',
    };
    const started = Date.now();
    const wait = await rco(
      [
        'gates',
        'wait',
        '--entity',
        'rco',
        '--digest',
        DIGEST,
        '--timeout',
        '30s',
      ],
      env,
    );
    expect(wait.code).toBe(3);
    expect(Date.now() - started).toBeLessThan(5000);
    const fs_ = fs;
    const dir = fs_.mkdtempSync(path.join(os.tmpdir(), 'rco-url-'));
    try {
      const file = path.join(dir, 'g.json');
      fs_.writeFileSync(file, '[]');
      const push = await rco(
        ['evidence', 'push', file, '--kind', 'gitleaks', '--entity', 'rco'],
        env,
      );
      const status = await rco(['status', '--entity', 'rco'], env);
      const flag = await rco([
        '--url',
        env.RCO_URL,
        '--token',
        't0ken',
        'status',
        '--entity',
        'rco',
      ]);
      for (const res of [wait, push, status, flag]) {
        expect(res.err).toContain(
          'rco: The backend URL carries a user name or password',
        );
        expect(`${res.out}${res.err}`).not.toMatch(/ciuser|s3cretPass/);
        expect(res.err).not.toContain('Retrying');
      }
      expect([push.code, status.code, flag.code]).toEqual([1, 1, 1]);
    } finally {
      fs_.rmSync(dir, { recursive: true, force: true });
    }
  });
});
