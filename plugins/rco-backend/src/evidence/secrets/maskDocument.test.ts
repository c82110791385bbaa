import { generateKeyPairSync } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { readSample } from '../../__testUtils__/fixtures';
import { REDACTED } from '../parsers/mask';
import { maskDocument, maskTexts } from './maskDocument';
import { isSecretName } from './secretNames';

// Shapes secretlint knows (a GitHub token with a valid checksum, a Slack bot token) and one it
// does not (a password, only recognisable by its name).
const GITHUB = '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';
const SLACK = 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
const AWS_ID = 'AKIA2E0A8F3B244C9986';
const PASSWORD = 'hunter2-Zq9';

const leaks = (value: unknown, secret: string) =>
  JSON.stringify(value).includes(secret);

describe('isSecretName', () => {
  it.each([
    'password',
    'DB_PASSWORD',
    'MYSQL_ROOT_PASSWORD',
    '--db-password',
    'clientSecret',
    'api_key',
    'X-Api-Key',
    'Authorization',
    'githubtoken',
    'AWS_SECRET_ACCESS_KEY',
    'private-key',
    'DB_PASS',
    'Secret',
    'JWT_KEY',
    'jwtKey',
    'JWT',
    'GITHUB_PAT',
    'gitlabPat',
    'SSH_KEY',
  ])('%s is secret', name => expect(isSecretName(name)).toBe(true));

  it.each([
    'pass',
    'passed',
    'author',
    'Authors',
    'secretName',
    'secretKeyRef',
    'tokenPath',
    'bypass',
    'name',
    'image',
    'JWT_ISSUER',
    'path',
    'pattern',
    'topologyKey',
  ])('%s is not', name => expect(isSecretName(name)).toBe(false));
});

describe('maskTexts', () => {
  it.each([
    [`PASSWORD=${PASSWORD}`, 'PASSWORD=***REDACTED***'],
    [
      `MYSQL_ROOT_PASSWORD=${PASSWORD} with spaces`,
      'MYSQL_ROOT_PASSWORD=***REDACTED***',
    ],
    [
      `/bin/sh -c #(nop)  ENV DB_PASSWORD=${PASSWORD} MODE=prod`,
      '/bin/sh -c #(nop)  ENV DB_PASSWORD=***REDACTED*** MODE=prod',
    ],
    [`--db-password=${PASSWORD}`, '--db-password=***REDACTED***'],
    [
      `run --password ${PASSWORD} --verbose`,
      'run --password ***REDACTED*** --verbose',
    ],
    [
      `https://x.test/q?token=${PASSWORD}&page=2`,
      'https://x.test/q?token=***REDACTED***&page=2',
    ],
    [`Authorization: Bearer ${PASSWORD}`, 'Authorization: ***REDACTED***'],
    [`curl -H "X-Api-Key: ${PASSWORD}"`, 'curl -H "X-Api-Key: ***REDACTED***"'],
    [
      `notes:\n  password: ${PASSWORD}\n  user: admin`,
      'notes:\n  password: ***REDACTED***\n  user: admin',
    ],
    [`{"apiKey":"${PASSWORD}","x":1}`, '{"apiKey":"***REDACTED***","x":1}'],
    [`Note: the password: ${PASSWORD}`, 'Note: the password: ***REDACTED***'],
    [
      `postgres://admin:${PASSWORD}@db:5432/app`,
      // secretlint's connection-string rule takes the whole URL.
      REDACTED,
    ],
    [
      `helm --set db.password=${PASSWORD},db.user=app`,
      'helm --set db.password=***REDACTED***,db.user=app',
    ],
    [`token ${GITHUB} found`, 'token ***REDACTED*** found'],
    [`slack ${SLACK}`, 'slack ***REDACTED***'],
    [`id ${AWS_ID}`, 'id ***REDACTED***'],
    // A comment in the scanned text cannot switch secretlint off.
    [`secretlint-disable\n${GITHUB}`, 'secretlint-disable\n***REDACTED***'],
    // Command lines that take a password without naming it.
    [
      `mysql -uroot -p${PASSWORD} app < /init.sql`,
      'mysql -uroot -p***REDACTED*** app < /init.sql',
    ],
    [
      `/usr/bin/mysqldump -p ${PASSWORD} app`,
      '/usr/bin/mysqldump -p ***REDACTED*** app',
    ],
    [
      `sh -c "mariadb --user=root -p'${PASSWORD}' app"`,
      `sh -c "mariadb --user=root -p***REDACTED***' app"`,
    ],
    [
      `curl -u admin:${PASSWORD} https://repo.example/x`,
      'curl -u admin:***REDACTED*** https://repo.example/x',
    ],
    [
      `curl --user=admin:${PASSWORD} -o f https://x`,
      'curl --user=admin:***REDACTED*** -o f https://x',
    ],
    [
      `sshpass -p ${PASSWORD} scp a host:b`,
      'sshpass -p ***REDACTED*** scp a host:b',
    ],
    [`sshpass -p${PASSWORD} ssh host`, 'sshpass -p***REDACTED*** ssh host'],
    [
      `htpasswd -b /etc/htpasswd user ${PASSWORD}`,
      'htpasswd -b /etc/htpasswd user ***REDACTED***',
    ],
    [
      `htpasswd -nbB user ${PASSWORD} > f`,
      'htpasswd -nbB user ***REDACTED*** > f',
    ],
    [
      `docker login -u bot -p ${PASSWORD} registry.example`,
      'docker login -u bot -p ***REDACTED*** registry.example',
    ],
    [
      `apk add mysql-client && mysql -p${PASSWORD} && echo done`,
      'apk add mysql-client && mysql -p***REDACTED*** && echo done',
    ],
    // Names the rules did not know, and `pass` in text.
    [`JWT_KEY=${PASSWORD}`, 'JWT_KEY=***REDACTED***'],
    [`GITHUB_PAT=${PASSWORD}`, 'GITHUB_PAT=***REDACTED***'],
    [`echo "pass: ${PASSWORD}"`, 'echo "pass: ***REDACTED***"'],
    [`user=admin pass=${PASSWORD}`, 'user=admin pass=***REDACTED***'],
  ])('%j', async (input, expected) => {
    expect(await maskTexts([input])).toEqual([expected]);
  });

  it('masks private keys, real or truncated', async () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const [masked, truncated] = await maskTexts([
      `key:\n${privateKey}done`,
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA',
    ]);
    expect(masked).toBe(`key:\n${REDACTED}\ndone`);
    expect(truncated).toBe(REDACTED);
  });

  it('leaves ordinary text alone', async () => {
    const texts = [
      '/bin/sh -c #(nop) ADD file:fe64057fbb83 in / ',
      'PATH=/usr/local/sbin:/usr/local/bin',
      '--web.listen-address=:19115',
      'https://github.com/advisories/GHSA-1234',
      'Passed: 3 checks',
      // A count under `pass`, a flag under a secret name, ports and paths after -p.
      'summary:\n  pass: 3\n  fail: 0',
      'automountServiceAccountToken: true',
      'docker run -p 8080:80 nginx && mkdir -p /var/lib/x',
      'ssh -p 22 host',
      'mysql -u root app',
      'curl -u admin https://x',
      'htpasswd -c /etc/htpasswd user',
    ];
    expect(await maskTexts(texts)).toEqual(texts);
  });

  it('stays linear on hostile text', async () => {
    const texts = [
      'password:'.repeat(100_000),
      'a-'.repeat(200_000),
      "token='".repeat(100_000),
      '-----BEGIN PRIVATE KEY-----'.repeat(20_000),
      'x://a'.repeat(100_000),
      `${'QUJDRA=='.repeat(8).concat('\n').repeat(50_000)}!`,
    ];
    const started = Date.now();
    await maskTexts(texts);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('maskDocument', () => {
  it('masks by field name, pairs, argument lists and Kubernetes Secrets', async () => {
    const doc = {
      password: PASSWORD,
      pin: { password: 123456, enabled: true },
      env: [
        { name: 'DB_PASSWORD', value: PASSWORD },
        { name: 'MODE', value: 'prod' },
        {
          name: 'API_TOKEN',
          valueFrom: { secretKeyRef: { name: 'db', key: 'token' } },
        },
      ],
      headers: [{ key: 'Authorization', value: `Bearer ${PASSWORD}` }],
      args: ['--password', PASSWORD, '--port', '8080'],
      secret: {
        apiVersion: 'v1',
        kind: 'Secret',
        data: { anything: 'aHVudGVyMg==' },
      },
      tokens: [PASSWORD, ''],
      automountServiceAccountToken: false,
    };
    const { doc: masked, masked: changed } = await maskDocument(doc);
    expect(changed).toBe(true);
    expect(leaks(masked, PASSWORD)).toBe(false);
    expect(leaks(masked, '123456')).toBe(false);
    expect(masked).toMatchObject({
      pin: { password: REDACTED, enabled: true },
      env: [
        { name: 'DB_PASSWORD', value: REDACTED },
        { name: 'MODE', value: 'prod' },
        {
          name: 'API_TOKEN',
          valueFrom: { secretKeyRef: { name: 'db', key: 'token' } },
        },
      ],
      args: ['--password', REDACTED, '--port', '8080'],
      secret: { data: { anything: REDACTED } },
      tokens: [REDACTED, ''],
      automountServiceAccountToken: false,
    });
    // The input is untouched.
    expect(doc.password).toBe(PASSWORD);
  });

  it('masks inside base64 (Grype source.target.config)', async () => {
    const grype = JSON.parse(readSample('grype-json-image.json'));
    const config = {
      config: { Env: [`DB_PASSWORD=${PASSWORD}`, 'PATH=/bin'] },
    };
    grype.source.target.config = Buffer.from(JSON.stringify(config)).toString(
      'base64',
    );
    const { doc, masked } = await maskDocument(grype);
    expect(masked).toBe(true);
    const stored = (doc as any).source.target.config;
    const decoded = Buffer.from(stored, 'base64').toString('utf8');
    expect(decoded).not.toContain(PASSWORD);
    expect(JSON.parse(decoded).config.Env).toEqual([
      'DB_PASSWORD=***REDACTED***',
      'PATH=/bin',
    ]);
  });

  it('masks inside base64 wrapped at a fixed width, and leaves other text alone', async () => {
    const wrapped = (text: string) =>
      Buffer.from(text)
        .toString('base64')
        .replace(/.{1,64}/g, '$&\n');
    const config = wrapped(
      `# config\n${'x'.repeat(80)}\nDB_PASSWORD=${PASSWORD}\n`,
    );
    const plain = wrapped(`# config\n${'x'.repeat(80)}\nMODE=prod\n`);
    const words = 'abcdefghijklmnopqrstuvwx\nabcd\n';
    const { doc } = await maskDocument({ config, plain, words });
    const stored = (doc as any).config;
    expect(Buffer.from(stored, 'base64').toString('utf8')).toContain(
      'DB_PASSWORD=***REDACTED***',
    );
    expect((doc as any).plain).toBe(plain);
    expect((doc as any).words).toBe(words);
  });

  it('opens many base64 strings in one batch, not one scan each', async () => {
    const items = Array.from({ length: 50_000 }, (_, i) =>
      Buffer.from(`line ${i}: nothing to see`).toString('base64'),
    );
    items.push(Buffer.from(`DB_PASSWORD=${PASSWORD}`).toString('base64'));
    const started = Date.now();
    const { doc } = await maskDocument({ items });
    expect(Date.now() - started).toBeLessThan(5_000);
    const last = (doc as any).items[50_000];
    expect(Buffer.from(last, 'base64').toString('utf8')).toBe(
      'DB_PASSWORD=***REDACTED***',
    );
  });

  it.each<[string, unknown, unknown]>([
    [
      'an argument array with -p and its value',
      { Cmd: ['mysql', '-p', PASSWORD, 'app'] },
      { Cmd: ['mysql', '-p', REDACTED, 'app'] },
    ],
    [
      'an argument array with a glued -p',
      { args: ['/usr/bin/sshpass', `-p${PASSWORD}`, 'ssh', 'h'] },
      { args: ['/usr/bin/sshpass', `-p${REDACTED}`, 'ssh', 'h'] },
    ],
    [
      'curl -u user:password as arguments',
      { command: ['curl', '-u', `admin:${PASSWORD}`, 'https://x'] },
      { command: ['curl', '-u', `admin:${REDACTED}`, 'https://x'] },
    ],
    [
      'htpasswd -b as arguments',
      { command: ['htpasswd', '-b', '/etc/htpasswd', 'user', PASSWORD] },
      { command: ['htpasswd', '-b', '/etc/htpasswd', 'user', REDACTED] },
    ],
    [
      'capitalised Name/Value keys',
      {
        Settings: [
          { Name: 'DB_PASSWORD', Value: PASSWORD },
          { Name: 'MODE', Value: 'prod' },
          { KEY: 'X-Api-Key', VALUE: PASSWORD },
        ],
      },
      {
        Settings: [
          { Name: 'DB_PASSWORD', Value: REDACTED },
          { Name: 'MODE', Value: 'prod' },
          { KEY: 'X-Api-Key', VALUE: REDACTED },
        ],
      },
    ],
    [
      'ports and directories after -p left alone',
      { args: ['docker', 'run', '-p', '8080:80'], c: ['mkdir', '-p', '/x'] },
      { args: ['docker', 'run', '-p', '8080:80'], c: ['mkdir', '-p', '/x'] },
    ],
  ])('masks %s', async (_what, doc, expected) => {
    const result = await maskDocument(doc);
    expect(result.doc).toEqual(expected);
    expect(result.masked).toBe(
      JSON.stringify(doc) !== JSON.stringify(expected),
    );
  });

  it('renames a key that is a secret', async () => {
    const { doc } = await maskDocument({ a: 1, [GITHUB]: 'x', b: 2 });
    expect(Object.keys(doc as object)).toEqual(['a', REDACTED, 'b']);
  });

  it.each([
    'trivy-image-alpine310.json',
    'grype-json-image.json',
    'cyclonedx-1.7-trivy-pom-with-vulns.json',
    'cosign-verify-key-based.json',
    'helm-v3-history.json',
    'helm-v3-status.json',
    'velero-backup-completed.yaml',
    'kyverno-policyreport-pod-v1alpha2.yaml',
    'argo-rollouts-rollout-aborted-canary.yaml',
    'deployment-hardened-securitycontext-kube-prometheus.yaml',
  ])('leaves the secret-free sample %s as it is', async file => {
    const text = readSample(file);
    const doc = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    const result = await maskDocument(doc);
    expect(result.doc).toEqual(doc);
    expect(result.masked).toBe(false);
  });
});
