import { execFileSync } from 'node:child_process';
import { EVIDENCE_KINDS } from '@helix-portal/plugin-rco-common';
import { shellQuote, uploadCommand } from './uploadCommands';

const target = (version: string, name = 'rco') => ({
  baseUrl: 'http://localhost:7007/api/rco',
  entity: { kind: 'Component', namespace: 'default', name },
  release: { version, digest: `sha256:${'a'.repeat(64)}` },
});

/** What a POSIX shell makes of the command's words (printf instead of curl). */
const words = (command: string) =>
  execFileSync('sh', ['-c', command.replace(/^curl /, "printf '%s\\n' ")], {
    env: { RCO_CI_TOKEN: 'T', GIT_SHA: 'abc123', PATH: process.env.PATH },
  })
    .toString()
    .trimEnd()
    .split('\n');

describe('uploadCommand', () => {
  it.each(EVIDENCE_KINDS)('has a command for %s', kind =>
    expect(uploadCommand(kind, target('1.3.2'), 'staging').command).toMatch(
      /^curl -fsS -H "Authorization: Bearer \$RCO_CI_TOKEN" --data-binary @\S+ '/,
    ),
  );

  it.each([
    '1.0;rm -rf /',
    "1.0' ; touch /tmp/pwned; echo '",
    '1.0"$(id)"`id`',
    '1.0\n--output /etc/passwd',
  ])('keeps the version %j one harmless URL word', version => {
    const { command } = uploadCommand('trivy', target(version));
    const argv = words(command);
    expect(argv).toHaveLength(6);
    const url = new URL(argv[5]);
    expect(url.searchParams.get('version')).toBe(version);
    expect(argv[2]).toBe('Authorization: Bearer T');
  });

  it('quotes the entity name into the path', () => {
    const argv = words(
      uploadCommand('prometheus-rule', target('1', "x';id;'")).command,
    );
    expect(argv[5]).toBe(
      'http://localhost:7007/api/rco/entities/component/default/x%27%3Bid%3B%27/evidence',
    );
  });

  it("lets only the pipeline's $GIT_SHA expand", () => {
    const argv = words(uploadCommand('gitleaks', target('1.3.2')).command);
    expect(new URL(argv[5]).searchParams.get('commit')).toBe('abc123');
  });

  /** What a POSIX shell makes of the rco command's words. */
  const cliWords = (command: string) =>
    execFileSync('sh', ['-c', `printf '%s\\0' ${command}`], {
      env: { GIT_SHA: 'abc123', PATH: process.env.PATH },
    })
      .toString()
      .split('\0')
      .slice(0, -1);

  it.each([
    '1.0;rm -rf /',
    "1.0' ; touch /tmp/pwned; echo '",
    '1.0"$(id)"`id`',
    '1.0\n--entity component:default/other',
    '--url=http://evil.example',
  ])('keeps the version %j one word of the rco command too', version => {
    const argv = cliWords(uploadCommand('trivy', target(version)).cliCommand);
    expect(argv).toEqual([
      'rco',
      'evidence',
      'push',
      'trivy.json',
      '--entity=component:default/rco',
      `--digest=sha256:${'a'.repeat(64)}`,
      `--version=${version}`,
    ]);
  });

  it('names the kind, the commit and the environment where the scope needs them', () => {
    expect(
      cliWords(uploadCommand('gitleaks', target('1.3.2')).cliCommand),
    ).toEqual([
      'rco',
      'evidence',
      'push',
      'gitleaks.json',
      '--entity=component:default/rco',
      '--kind=gitleaks',
      '--version=1.3.2',
      '--commit=abc123',
    ]);
    const argv = cliWords(
      uploadCommand('policy-report', target('1'), "prod';id").cliCommand,
    );
    expect(argv.slice(-1)).toEqual(["--environment=prod';id"]);
    expect(argv.some(a => a.startsWith('--digest'))).toBe(false);
  });

  it('shellQuote closes and reopens around a quote', () =>
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`));
});
