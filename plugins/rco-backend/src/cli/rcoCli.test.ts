import { TestDatabases } from '@backstage/backend-test-utils';
import { GATE_IDS } from '@helix-portal/plugin-rco-common';
import fs from 'node:fs';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  examplesDir,
  governedEntity,
  readExample,
  samplesDir,
} from '../__testUtils__/fixtures';
import {
  asUser,
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';
import {
  buildCli,
  closedPort,
  flakyProxy,
  rco,
  startRco,
} from './__testUtils__/cliProcess';

/**
 * The built rco CLI run as a process, as a pipeline runs it, against a backend with the real
 * rco plugin listening on a real port. SQLite only: what is under test is the CLI and the HTTP
 * API, not the database (the API's own tests run on PostgreSQL too).
 */
jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const CI_TOKEN = 'mock-service-token:{"sub":"external:ci-rco"}';
const OTHER_TOKEN = 'mock-service-token:{"sub":"external:ci-other"}';
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const MAX_UPLOAD = 256 * 1024;

let app: any;
let url: string;
let tmp: string;
const env = (extra: Record<string, string | undefined> = {}) => ({
  RCO_URL: url,
  RCO_TOKEN: CI_TOKEN,
  RCO_ENTITY: 'component:default/rco',
  ...extra,
});
/** How the README's pipelines name the entity: a flag, the bare name meaning component:default/…. */
const ENTITY = ['--entity', 'rco'];
const write = (name: string, text: string) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
};
const sample = (file: string) => path.join(samplesDir, file);

/** A naming report of the rco service, scanned an hour ago (the gate wants fresh evidence). */
const namingReport = () =>
  readExample('rco/evidence/naming-report.yaml').replace(
    /'\{\{now-2h\}\}'/,
    new Date(Date.now() - 3_600_000).toISOString(),
  );

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-cli-'));
  buildCli();
  const knex = await databases.init('SQLITE_3');
  const other = governedEntity(
    'other',
    `file:${path.join(examplesDir, 'rco/catalog-info.yaml')}`,
    { 'rco.helix.dev/runbook': './runbook/rco-runbook.yaml' },
  );
  const started = await startOperationsBackend(knex, {
    logLevel: 'error',
    extraEntities: [other],
    rco: {
      evidence: { maxUploadBytes: MAX_UPLOAD },
      // No image repository: the shared samples scan other projects' images (alpine, …), which
      // a repository check would rightly refuse; evidence.test covers that check.
      environments: [
        { name: 'staging', driver: 'simulated' },
        {
          name: 'production',
          driver: 'simulated',
          requiredSignoffs: ['po', 'dpo', 'security'],
        },
      ],
      ci: {
        subjects: [
          { subject: 'external:ci-rco', entities: ['component:default/rco'] },
          {
            subject: 'external:ci-other',
            entities: ['component:default/other'],
          },
        ],
      },
    },
  });
  app = started.app;
  url = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
}, 180_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('rco runbook validate', () => {
  it('accepts the example runbooks', async () => {
    const files = [
      'examples/rco/runbook/rco-runbook.yaml',
      'examples/rcot/runbook/rcot-runbook.yaml',
    ];
    const res = await rco(['runbook', 'validate', ...files]);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.stdout).toBe(files.map(f => `${f}: valid runbook\n`).join(''));
  });

  it('names each problem of a broken runbook with its file and line, for CI to annotate', async () => {
    const good = readExample('rco/runbook/rco-runbook.yaml');
    const lines = good.split('\n');
    const rtoLine = lines.findIndex(l => l === '  rto: PT15M') + 1;
    const broken = good
      .replace('  rto: PT15M', '  rto: 15 minutes')
      .replace(
        /\n {2}- version: "1\.3\.0"\n {4}date: "2025-10-09"/,
        '\n  - version: "1.3.0"\n    date: "2025-02-31"',
      )
      .replace(
        /gateChecklist:\n( {2}- gate: acronym-clarity\n(?: {4}.*\n)+)/,
        'gateChecklist:\n',
      );
    const file = write('broken-runbook.yaml', broken);
    const res = await rco(['runbook', 'validate', file, '--format', 'github']);
    expect(res.code).toBe(1);
    // The schema's problem first (with its line); the lint runs on a document the schema accepts.
    expect(res.stdout).toContain(
      `${file}:${rtoLine}: targets.rto must be an ISO 8601 duration such as PT15M or P30D`,
    );
    expect(res.stdout).toContain(
      `::error file=${file},line=${rtoLine},title=rco runbook validate::targets.rto must be`,
    );
    expect(res.stderr).toContain('1 of 1 runbook file has problems');

    // With the duration fixed, the lint finds what the schema cannot see.
    const lint = write(
      'lint-runbook.yaml',
      broken.replace('  rto: 15 minutes', '  rto: PT15M'),
    );
    const linted = await rco(['runbook', 'validate', lint]);
    expect(linted.code).toBe(1);
    const checklistLine =
      broken.split('\n').findIndex(l => l === 'gateChecklist:') + 1;
    expect(linted.stdout).toContain(
      `${lint}:${checklistLine}: gateChecklist has no item for gate "acronym-clarity"`,
    );
    expect(linted.stdout).toMatch(
      /changelog\[3\]\.date 2025-02-31 is not a real calendar date/,
    );
  });

  it('reports a YAML syntax error and an unreadable file', async () => {
    const file = write(
      'syntax.yaml',
      'apiVersion: rco.helix.dev/v1\nsections: [1\n',
    );
    const res = await rco([
      'runbook',
      'validate',
      file,
      path.join(tmp, 'none.yaml'),
    ]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(new RegExp(`^${file}:\\d+: `, 'm'));
    expect(res.stderr).toContain('none.yaml:1: cannot be read (ENOENT)');
  });
});

describe('rco errors', () => {
  it('says what to do without a token or URL', async () => {
    const noToken = await rco(['status'], { RCO_URL: url });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(
      /^rco: No token: pass --token or set RCO_TOKEN/,
    );
    expect(noToken.stderr).not.toMatch(/\n\s+at /); // no stack
    const noUrl = await rco(['status'], { RCO_TOKEN: CI_TOKEN });
    expect(noUrl.stderr).toMatch(/No backend URL: pass --url or set RCO_URL/);
    const noEntity = await rco(
      ['evidence', 'push', sample('helm-v3-history.json')],
      env({ RCO_ENTITY: undefined }),
    );
    expect(noEntity.code).toBe(1);
    expect(noEntity.stderr).toContain(
      'No entity: pass --entity kind:namespace/name (for example component:default/rco), or set RCO_ENTITY.',
    );
  });

  it('refuses a wrong token (401) without echoing it', async () => {
    const secret = 'not-a-real-token-4f9a2c';
    const res = await rco(
      ['status', '--digest', digest('0')],
      env({ RCO_TOKEN: secret }),
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      'The backend did not accept the token (401 Unauthorized)',
    );
    expect(res.stdout + res.stderr).not.toContain(secret);
  });

  it('refuses a person who does not own the entity (403), and hides an entity from a token scoped to another (404)', async () => {
    const forbidden = await rco(
      [
        'evidence',
        'push',
        sample('helm-v3-history.json'),
        '--environment',
        'staging',
      ],
      env({ RCO_TOKEN: 'mock-user-token:{"sub":"user:default/bob"}' }),
    );
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toContain(
      'The token may not upload evidence for component:default/rco (403 Forbidden)',
    );
    expect(forbidden.stderr).toContain('rco.ci.subjects');

    // A CI token is limited to its own entities: another entity is not even visible to it.
    const scoped = await rco(
      [
        'evidence',
        'push',
        sample('helm-v3-history.json'),
        '--environment',
        'staging',
      ],
      env({ RCO_TOKEN: OTHER_TOKEN }),
    );
    expect(scoped.code).toBe(1);
    expect(scoped.stderr).toContain(
      'Not found (404): check that component:default/rco exists in the catalog and that this token may see it',
    );

    const missing = await rco(
      ['status', '--entity', 'component:default/nope', '--digest', digest('f')],
      env(),
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      'Not found (404): check that component:default/nope exists',
    );
  });

  it('refuses a file larger than the backend accepts (413)', async () => {
    const big = write(
      'big-naming-report.yaml',
      `${namingReport()}\n  # ${'x'.repeat(16 * MAX_UPLOAD)}\n`,
    );
    const res = await rco(
      ['evidence', 'push', big, '--digest', digest('f')],
      env(),
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      'larger than the backend accepts (413 Payload Too Large)',
    );
  });

  it('says the backend is unreachable when nothing listens, after retrying', async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    const push = await rco(
      [
        'evidence',
        'push',
        sample('trivy-image-alpine310.json'),
        '--digest',
        digest('f'),
        '--retries',
        '2',
      ],
      env({ RCO_URL: down }),
    );
    expect(push.code).toBe(1);
    expect(push.stderr).toContain(
      `Cannot reach the backend at ${down} after 3 attempts: the connection was refused`,
    );
    // A wait keeps asking until its deadline (the backend may be restarting), then times out.
    const started = Date.now();
    const wait = await rco(
      [
        'gates',
        'wait',
        '--digest',
        digest('f'),
        '--timeout',
        '2s',
        '--interval',
        '500ms',
      ],
      env({ RCO_URL: down }),
    );
    expect(wait.code).toBe(2);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(wait.stderr).toMatch(
      new RegExp(
        `^Poll 1 got no verdict: Cannot reach the backend at ${down}: the connection was refused`,
      ),
    );
    expect(wait.stderr).toContain(
      'Timed out after 2s; the last poll gave no verdict on the release: Cannot reach the backend',
    );
    expect(wait.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses credentials in RCO_URL without printing them: wait exits 3 at once, push is not retried', async () => {
    const withCredentials = url.replace('://', '://ciuser:s3cretPass@');
    const started = Date.now();
    const wait = await rco(
      ['gates', 'wait', '--digest', digest('f'), '--timeout', '60s'],
      env({ RCO_URL: withCredentials }),
    );
    expect(wait.code).toBe(3);
    expect(Date.now() - started).toBeLessThan(30_000);
    const push = await rco(
      ['evidence', 'push', sample('trivy-image-alpine310.json')],
      env({ RCO_URL: withCredentials }),
    );
    expect(push.code).toBe(1);
    for (const res of [wait, push]) {
      expect(res.stderr).toContain(
        'The backend URL carries a user name or password',
      );
      expect(res.stdout + res.stderr).not.toMatch(/ciuser|s3cretPass/);
      expect(res.stderr).not.toContain('Retrying');
    }
  });

  it('retries an upload the backend answered with 503 and reports what it then recorded', async () => {
    const proxy = await flakyProxy(url, 1);
    try {
      const res = await rco(
        [
          'evidence',
          'push',
          sample('helm-v3-status.json'),
          '--environment',
          'staging',
        ],
        env({ RCO_URL: proxy.url }),
      );
      expect(res.stderr).toContain('Retrying (attempt 2 of 5)');
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(
        /helm-v3-status\.json: helm-status \S+ created/,
      );
      expect(proxy.seen).toHaveLength(2);
      expect(proxy.seen[1]).toBe(proxy.seen[0]);
    } finally {
      await proxy.close();
    }
  });
});

describe('rco gates wait', () => {
  it('exits 2 at the timeout, naming what is still missing', async () => {
    const res = await rco(
      [
        'gates',
        'wait',
        '--digest',
        digest('1'),
        '--version',
        '2.0.0',
        '--timeout',
        '1s',
        '--interval',
        '300ms',
      ],
      env(),
    );
    expect(res.stderr).toContain('Timed out after 1s; still not passing:');
    expect(res.stderr).toMatch(
      /image-scanning \(Image & Dependency Scanning\) missing: .*\[runbook section security-baselines\]/,
    );
    // The release the backend judged is the one asked for, and the CLI says which.
    expect(res.stdout).toMatch(
      new RegExp(
        `^\\d+/\\d+ gates pass for component:default/rco version 2\\.0\\.0, ${digest(
          '1',
        )}; waiting for `,
      ),
    );
    expect(res.code).toBe(2);
  });

  it('refuses an empty or malformed --digest before asking (exit 3)', async () => {
    for (const value of ['', 'sha256:1234']) {
      const res = await rco(
        ['gates', 'wait', '--digest', value, '--timeout', '5s'],
        env(),
      );
      expect(res.code).toBe(3);
      expect(res.stderr).toMatch(
        /^rco: --digest (is empty|"sha256:1234" is not an image digest)/,
      );
    }
  });

  it('exits 0 once the last missing gate turns green while it waits', async () => {
    const release = { version: '1.5.0', digest: digest('c') };
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    // Security waives every gate but two for this release; the DPO signs it off: only
    // acronym-clarity is left, and a naming report pushed during the wait makes it pass.
    for (const gate of GATE_IDS.filter(
      g => g !== 'dpo-signoff' && g !== 'acronym-clarity',
    )) {
      await request(app)
        .post(`${RCO}/waivers`)
        .set('Authorization', asUser('sam'))
        .send({
          gate,
          justification: 'CLI test: judged by hand',
          expiresAt,
          releaseVersion: release.version,
        })
        .expect(201);
    }
    await request(app)
      .post(`${RCO}/releases`)
      .set('Authorization', asUser('alice'))
      .send(release)
      .expect(201);
    await request(app)
      .post(`${RCO}/signoffs`)
      .set('Authorization', asUser('dana'))
      .send({ role: 'dpo', release, comment: 'ok' })
      .expect(201);

    const wait = startRco(
      [
        'gates',
        'wait',
        '--digest',
        release.digest,
        '--version',
        release.version,
        '--timeout',
        '60s',
        '--interval',
        '250ms',
        ...ENTITY,
      ],
      env({ RCO_ENTITY: undefined }),
    );
    const until = Date.now() + 30_000;
    while (!wait.output().includes('waiting for acronym-clarity (missing)')) {
      if (Date.now() > until) throw new Error(`never waited: ${wait.output()}`);
      await new Promise(r => setTimeout(r, 100));
    }
    const naming = write('naming-report.yaml', namingReport());
    const push = await rco(
      [
        'evidence',
        'push',
        naming,
        '--digest',
        release.digest,
        '--version',
        release.version,
      ],
      env(),
    );
    expect(push.stdout).toMatch(
      /naming-report\.yaml: naming-report \S+ created – naming-report: succeeded/,
    );
    const res = await wait.done;
    expect(res.stdout).toMatch(
      new RegExp(
        `All 10 gates pass for component:default/rco version 1\\.5\\.0, ${release.digest} \\(.*waived\\)`,
      ),
    );
    expect(res.code).toBe(0);
  });
});

describe('rco evidence push', () => {
  /** The kind each shared sample is recorded as, and the release it is filed under. */
  const cases: Array<[string, string, string[]]> = [
    [
      'trivy-image-alpine310.json',
      'trivy',
      ['--digest', digest('2'), '--version', '3.0.0'],
    ],
    [
      'grype-json-image.json',
      'grype',
      [
        '--digest',
        'sha256:ca738abb87a8d58f112d3400ebb079b61ceae7dc290beb34bda735be4b1941d5',
      ],
    ],
    [
      'cyclonedx-1.7-trivy-pom-with-vulns.json',
      'cyclonedx',
      ['--digest', digest('2')],
    ],
    ['cosign-verify-key-based.json', 'cosign', []],
    ['gitleaks-report-json-simple.json', 'gitleaks', ['--commit', '0000000']],
    [
      'gatekeeper-constraint-with-violations.yaml',
      'gatekeeper-constraint',
      ['--environment', 'staging'],
    ],
    [
      'kyverno-policyreport-pod-v1alpha2.yaml',
      'policy-report',
      ['--environment', 'staging'],
    ],
    [
      'argo-rollouts-rollout-aborted-canary.yaml',
      'argo-rollout',
      ['--environment', 'staging'],
    ],
    [
      'argo-rollouts-analysisrun-failed.yaml',
      'argo-analysis-run',
      ['--environment', 'staging'],
    ],
    [
      'velero-backup-completed.yaml',
      'velero-backup',
      ['--environment', 'staging'],
    ],
    [
      'prometheusrule-alertmanager-kube-prometheus.yaml',
      'prometheus-rule',
      ['--environment', 'staging'],
    ],
    [
      'deployment-hardened-securitycontext-kube-prometheus.yaml',
      'workload',
      ['--environment', 'staging'],
    ],
    [
      'networkpolicy-alertmanager-kube-prometheus.yaml',
      'network-policy',
      ['--environment', 'staging'],
    ],
    ['helm-v3-history.json', 'helm-history', ['--environment', 'staging']],
  ];

  it('covers every shared sample the backend reads', () => {
    const files = fs
      .readdirSync(samplesDir)
      .filter(f => /\.(json|ya?ml)$/.test(f));
    expect(
      [
        ...cases.map(c => c[0]),
        'helm-v3-status.json',
        'prometheus-api-v1-query-vector-response.json',
      ].sort(),
    ).toEqual(files.sort());
  });

  it.each(cases)(
    'records %s as %s, and an identical re-upload as the existing record',
    async (file, kind, flags) => {
      const first = await rco(
        ['evidence', 'push', sample(file), ...flags, ...ENTITY],
        env({ RCO_ENTITY: undefined }),
      );
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const line = new RegExp(
        `^${sample(file).replace(
          /[.*+?^${}()|[\]\\]/g,
          '\\$&',
        )}: ${kind} (\\S+) created – .+$`,
        'm',
      );
      expect(first.stdout).toMatch(line);
      const id = line.exec(first.stdout)![1];
      const again = await rco(
        ['evidence', 'push', sample(file), ...flags, '--json'],
        env(),
      );
      expect(again.code).toBe(0);
      const records = JSON.parse(again.stdout).items;
      expect(records.map((r: any) => [r.kind, r.id, r.created])).toEqual([
        [kind, id, false],
      ]);
    },
  );

  it('refuses an unrecognised file before uploading anything', async () => {
    const proxy = await flakyProxy(url, 0);
    try {
      const res = await rco(
        [
          'evidence',
          'push',
          sample('prometheus-api-v1-query-vector-response.json'),
          sample('helm-v3-history.json'),
          '--environment',
          'staging',
        ],
        env({ RCO_URL: proxy.url }),
      );
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(
        'prometheus-api-v1-query-vector-response.json is not a recognised evidence format, so nothing was uploaded. Accepted kinds: trivy, grype',
      );
      expect(res.stderr).toContain('1 of 2 files were not recorded');
      // The other file still went; the unrecognised one never reached the backend.
      expect(proxy.seen).toHaveLength(1);
      expect(res.stdout).toMatch(
        /helm-v3-history\.json: helm-history \S+ existing/,
      );
    } finally {
      await proxy.close();
    }
  });

  it('passes the backend refusal of a misfiled document on (400) with its message', async () => {
    const res = await rco(
      [
        'evidence',
        'push',
        sample('grype-json-image.json'),
        '--digest',
        digest('9'),
      ],
      env(),
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /The backend refused the request \(400\): .*sha256:9{64}/,
    );
  });
});

describe('rco status and a failing gate', () => {
  it('prints the verdict as a table and as JSON', async () => {
    const args = [
      'status',
      '--digest',
      digest('2'),
      '--version',
      '3.0.0',
      '--environment',
      'staging',
    ];
    const table = await rco(args, env());
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('component:default/rco – version 3.0.0');
    expect(table.stdout).toMatch(/│ Image & Dependency Scanning\s+│ missing │/);
    const json = await rco([...args, '--json'], env());
    const body = JSON.parse(json.stdout);
    expect(body.gates.map((g: any) => g.id)).toEqual([...GATE_IDS]);
  });

  it('exits 1 as soon as a gate fails, naming it, why, and its runbook section', async () => {
    const res = await rco(
      [
        'gates',
        'wait',
        '--digest',
        digest('2'),
        '--version',
        '3.0.0',
        '--environment',
        'staging',
        '--timeout',
        '30s',
      ],
      env(),
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /✗ policy-enforcement \(Policy Enforcement\) fail: .*violations.*\[runbook section policy-enforcement\]/,
    );
  });
  it('keeps waiting through a backend restart (503) and then gives the verdict', async () => {
    const proxy = await flakyProxy(url, 3);
    try {
      const res = await rco(
        [
          'gates',
          'wait',
          '--digest',
          digest('2'),
          '--version',
          '3.0.0',
          '--environment',
          'staging',
          '--timeout',
          '30s',
          '--interval',
          '200ms',
        ],
        env({ RCO_URL: proxy.url }),
      );
      expect(res.code).toBe(1);
      expect(
        res.stderr.split('\n').filter(l => l.includes('got no verdict')),
      ).toHaveLength(3);
      expect(res.stderr).toContain(
        "Poll 1 got no verdict: The backend failed (503). Try again later; the backend's logs say why. The backend says: restarting.",
      );
      expect(res.stderr).toContain(
        `gates failing for component:default/rco version 3.0.0, ${digest(
          '2',
        )}, in staging:`,
      );
      expect(proxy.seen).toHaveLength(4);
    } finally {
      await proxy.close();
    }
  });
});

describe("the README's pipeline", () => {
  it('validates the runbook, pushes the scans, SBOM, signature and a clean gitleaks report, and stops before the deploy', async () => {
    // One image: the samples rewritten to name it (each names its own elsewhere).
    const image = digest('7');
    const grype = JSON.parse(
      fs.readFileSync(sample('grype-json-image.json'), 'utf8'),
    );
    grype.source.target.manifestDigest = image;
    const cosign = JSON.parse(
      fs.readFileSync(sample('cosign-verify-key-based.json'), 'utf8'),
    );
    cosign[0].critical.image['docker-manifest-digest'] = image;
    fs.copyFileSync(
      sample('trivy-image-alpine310.json'),
      path.join(tmp, 'trivy.json'),
    );
    write('grype.json', JSON.stringify(grype));
    fs.copyFileSync(
      sample('cyclonedx-1.7-trivy-pom-with-vulns.json'),
      path.join(tmp, 'sbom.cdx.json'),
    );
    write('cosign.json', JSON.stringify(cosign));
    write('gitleaks.json', '[]\n');
    const pipeline = env({ RCO_ENTITY: 'component:default/rco' });
    const inTmp = (f: string) => path.join(tmp, f);

    const validate = await rco(
      [
        'runbook',
        'validate',
        '--format',
        'github',
        'examples/rco/runbook/rco-runbook.yaml',
      ],
      pipeline,
    );
    expect(validate.code).toBe(0);

    const scans = await rco(
      [
        'evidence',
        'push',
        ...['trivy.json', 'grype.json', 'sbom.cdx.json', 'cosign.json'].map(
          inTmp,
        ),
        '--digest',
        image,
        '--version',
        '4.0.0',
      ],
      pipeline,
    );
    expect(scans.stderr).toBe('');
    expect(scans.code).toBe(0);
    expect(
      scans.stdout
        .trim()
        .split('\n')
        .map(l => l.split(' ')[1]),
    ).toEqual(['trivy', 'grype', 'cyclonedx', 'cosign']);

    // A clean gitleaks report is `[]`: only --kind says what it is.
    const clean = await rco(
      [
        'evidence',
        'push',
        inTmp('gitleaks.json'),
        '--commit',
        'abcdef1',
        '--version',
        '4.0.0',
      ],
      pipeline,
    );
    expect(clean.code).toBe(1);
    expect(clean.stderr).toContain('say which with --kind');
    const secrets = await rco(
      [
        'evidence',
        'push',
        inTmp('gitleaks.json'),
        '--kind',
        'gitleaks',
        '--commit',
        'abcdef1',
        '--version',
        '4.0.0',
      ],
      pipeline,
    );
    expect(secrets.stdout).toMatch(
      /gitleaks\.json: gitleaks \S+ created – gitleaks: 0 findings/,
    );

    // The Grype sample's HIGH findings fail image scanning: the job stops before helm upgrade.
    const wait = await rco(
      [
        'gates',
        'wait',
        '--digest',
        image,
        '--version',
        '4.0.0',
        '--environment',
        'production',
        '--timeout',
        '10s',
        '--interval',
        '500ms',
      ],
      pipeline,
    );
    expect(wait.code).toBe(1);
    expect(wait.stderr).toMatch(
      /✗ image-scanning \(Image & Dependency Scanning\) fail: .*\[runbook section security-baselines\]/,
    );
  });
});
