import { TestDatabases } from '@backstage/backend-test-utils';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import YAML from 'yaml';
import { readExample, samplesDir } from '../__testUtils__/fixtures';
import {
  RCO,
  startOperationsBackend,
} from '../__testUtils__/operationsBackend';
import { buildCli, repoRoot } from './__testUtils__/cliProcess';

/**
 * Issue 16, point 3: the README's GitHub Actions and GitLab CI jobs, read from the README itself
 * and run step by step in bash as those runners would (a step that fails ends the job), against a
 * backend with the real rco plugin, with the real rco CLI. The scanners, cosign, helm and npm are
 * not on this machine: stand-ins on PATH write the real sample outputs of ../shared/samples
 * (rewritten to name the job's image) and record that they ran.
 */
jest.setTimeout(180_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});
const CI_TOKEN = 'mock-service-token:{"sub":"external:ci-rco"}';
const DIGEST = `sha256:${'6'.repeat(64)}`;
const VERSION = '4.1.0';
const SHA = 'abcdef1234567';

let app: any;
let url: string;
let tmp: string;

/** The yaml block that follows `<!-- ci-snippet: <name> -->` in the README. */
function readmeSnippet(readme: string, name: string) {
  const at = readme.indexOf(`<!-- ci-snippet: ${name} -->`);
  if (at < 0) throw new Error(`README has no ci-snippet ${name}`);
  const block = /```yaml\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error(`ci-snippet ${name} has no yaml block`);
  return YAML.parse(block[1]);
}

/** GitHub's `${{ … }}` expressions have no meaning here: the test gives their values. */
const noExpressions = (env: Record<string, string> = {}) =>
  Object.fromEntries(
    Object.entries(env).filter(([, v]) => !/\$\{\{/.test(String(v))),
  );

function stand_ins(bin: string, data: string) {
  const tool = (name: string, body: string) => {
    fs.writeFileSync(
      path.join(bin, name),
      `#!/usr/bin/env bash\necho "${name} $*" >> "${data}/ran"\n${body}\n`,
      { mode: 0o755 },
    );
  };
  // `--output FILE` or stdout, as the real tools do.
  const out = `out=/dev/stdout; while [ $# -gt 0 ]; do case "$1" in --output|--report-path) out="$2"; shift;; esac; shift; done`;
  tool(
    'trivy',
    `fmt=json; for a in "$@"; do [ "$prev" = --format ] && fmt="$a"; prev="$a"; done\n${out}\nif [ "$fmt" = cyclonedx ]; then cat "${data}/sbom.cdx.json" > "$out"; else cat "${data}/trivy.json" > "$out"; fi`,
  );
  tool('grype', `cat "${data}/grype.json"`);
  tool('cosign', `cat "${data}/cosign.json"`);
  tool('gitleaks', `${out}\necho '[]' > "$out"`);
  tool('helm', 'true');
  tool('npm', 'true');
  // The CLI as `npm install -g` would put it on PATH: the built bundle.
  fs.writeFileSync(
    path.join(bin, 'rco'),
    `#!/usr/bin/env bash\nRCO_CLI_DEV_MODE=true RCO_RETRY_DELAY_MS=50 exec "${
      process.execPath
    }" "${path.join(repoRoot, 'packages/rco-cli/bin/rco')}" "$@"\n`,
    { mode: 0o755 },
  );
}

/** Runs one step in bash -e (GitHub's `shell: bash`); resolves with its exit code and output. */
const step = (script: string, cwd: string, env: Record<string, string>) =>
  new Promise<{ code: number; output: string }>(resolve => {
    execFile(
      'bash',
      ['-e', '-c', script],
      { cwd, env: env as NodeJS.ProcessEnv },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (error as any).code ?? 1 : 0,
          output: stdout + stderr,
        }),
    );
  });

/** A workspace with the repository's runbook, the stand-ins, and the job's environment. */
function workspace(name: string) {
  const dir = fs.mkdtempSync(path.join(tmp, `${name}-`));
  const bin = path.join(dir, '.bin');
  const data = path.join(dir, '.data');
  fs.mkdirSync(bin);
  fs.mkdirSync(data);
  fs.mkdirSync(path.join(dir, 'docs'));
  fs.writeFileSync(
    path.join(dir, 'docs/runbook.yaml'),
    readExample('rco/runbook/rco-runbook.yaml'),
  );
  const sample = (f: string) =>
    fs.readFileSync(path.join(samplesDir, f), 'utf8');
  const grype = JSON.parse(sample('grype-json-image.json'));
  grype.source.target.manifestDigest = DIGEST;
  const cosign = JSON.parse(sample('cosign-verify-key-based.json'));
  cosign[0].critical.image['docker-manifest-digest'] = DIGEST;
  fs.writeFileSync(
    path.join(data, 'trivy.json'),
    sample('trivy-image-alpine310.json'),
  );
  fs.writeFileSync(
    path.join(data, 'sbom.cdx.json'),
    sample('cyclonedx-1.7-trivy-pom-with-vulns.json'),
  );
  fs.writeFileSync(path.join(data, 'grype.json'), JSON.stringify(grype));
  fs.writeFileSync(path.join(data, 'cosign.json'), JSON.stringify(cosign));
  fs.writeFileSync(path.join(data, 'ran'), '');
  stand_ins(bin, data);
  const env = {
    PATH: `${bin}:${process.env.PATH}`,
    HOME: process.env.HOME ?? dir,
    RCO_URL: url,
    RCO_TOKEN: CI_TOKEN,
    DIGEST,
    VERSION,
  };
  const ran = () =>
    fs.readFileSync(path.join(data, 'ran'), 'utf8').trim().split('\n');
  return { dir, env, ran };
}

/** Runs the steps in order until one fails, as a CI runner does. */
async function runJob(
  steps: Array<{ name: string; script: string }>,
  ws: ReturnType<typeof workspace>,
  env: Record<string, string>,
) {
  const results: Array<{
    name: string;
    script: string;
    code: number;
    output: string;
  }> = [];
  for (const s of steps) {
    // The job's own values, except where the test must point it: this backend, its token.
    const r = await step(s.script, ws.dir, { ...env, ...ws.env });
    results.push({ ...s, ...r });
    if (r.code !== 0) break;
  }
  return results;
}

async function recordedKinds() {
  const res = await request(app)
    .get(`${RCO}/evidence`)
    .set('Authorization', `Bearer ${CI_TOKEN}`);
  expect(res.status).toBe(200);
  const items: Array<{ kind: string; subject: { digest?: string } }> =
    res.body.items;
  return [
    ...new Set(items.filter(i => i.subject.digest === DIGEST).map(i => i.kind)),
  ].sort();
}

/** What both jobs must do: every command of theirs ran, the gates stopped the deploy. */
function expectStoppedAtTheGates(
  results: Array<{ script: string; code: number; output: string }>,
  ran: string[],
) {
  const last = results[results.length - 1];
  // Every step before the wait succeeded; the wait said why it stopped the job.
  expect(results.slice(0, -1).every(r => r.code === 0)).toBe(true);
  expect(last.script).toMatch(/^rco gates wait /);
  expect(last.code).toBe(1);
  expect(last.output).toMatch(/image-scanning .* fail: .*runbook section/);
  expect(ran.some(r => r.startsWith('helm'))).toBe(false);
  expect(
    ran.filter(r => /^(trivy|grype|cosign|gitleaks)/.test(r)),
  ).toHaveLength(5);
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-readme-'));
  buildCli();
  const knex = await databases.init('SQLITE_3');
  const started = await startOperationsBackend(knex, {
    logLevel: 'error',
    rco: {
      // No image repository: the samples scan other projects' images (see rcoCli.test).
      environments: [
        { name: 'staging', driver: 'simulated' },
        { name: 'production', driver: 'simulated' },
      ],
      ci: {
        subjects: [
          { subject: 'external:ci-rco', entities: ['component:default/rco'] },
        ],
      },
    },
  });
  app = started.app;
  url = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
}, 180_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const readme = () => fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

describe("the README's CI jobs, run against the backend", () => {
  it('GitHub Actions: validates, scans, sends the evidence, and the gates stop it before helm upgrade', async () => {
    const job = readmeSnippet(readme(), 'github')['release-gates'];
    const steps = (job.steps as any[])
      .filter(s => s.run)
      .map(s => ({ name: s.name ?? s.run, script: s.run as string }));
    expect(steps.map(s => s.name)).toContain('Wait for the gates');
    const ws = workspace('github');
    const results = await runJob(steps, ws, {
      ...noExpressions(job.env),
      GITHUB_SHA: SHA,
    });
    expect(results.map(r => [r.name, r.code])).toEqual([
      ['Install the rco CLI', 0],
      ['Validate the runbook', 0],
      ['Scan and sign', 0],
      ['Send the evidence', 0],
      ['Wait for the gates', 1],
    ]);
    expectStoppedAtTheGates(results, ws.ran());
    expect(await recordedKinds()).toEqual(
      expect.arrayContaining(['cosign', 'cyclonedx', 'grype', 'trivy']),
    );
  });

  it('GitLab CI: the same job as before_script and script lines', async () => {
    const job = readmeSnippet(readme(), 'gitlab')['release-gates'];
    const lines = [...job.before_script, ...job.script] as string[];
    const ws = workspace('gitlab');
    const results = await runJob(
      lines.map(l => ({ name: l, script: l })),
      ws,
      { ...job.variables, CI_COMMIT_SHA: SHA },
    );
    expect(results[results.length - 1].name).toMatch(/^rco gates wait /);
    expect(results[results.length - 2].name).toMatch(
      /^rco evidence push gitleaks\.json --kind gitleaks/,
    );
    expectStoppedAtTheGates(results, ws.ran());
  });
});
