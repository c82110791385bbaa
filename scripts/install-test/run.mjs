#!/usr/bin/env node
// The install test (issue 11): packs every publishable package of this repository, creates a
// fresh Backstage app from the official template, follows the README's install guide literally
// (README.md, between the install-guide markers; see guide.mjs), starts the app and checks in
// headless Chromium that an example entity's Runbook and Release tabs work. Run it once per
// frontend system: `--variant new` (createApp from @backstage/frontend-defaults) and
// `--variant legacy` (EntityPage.tsx routes). Needs Node 22 and Yarn on PATH
// (scripts/toolchain.sh) and Chromium (CHROMIUM_PATH or /usr/bin/chromium).
//
//   node scripts/install-test/run.mjs [--variant new|legacy|both] [--work DIR] [--keep]
//                                     [--phase all|pack|apps] [--port N]
//
// `--phase pack` builds and packs the packages into the work folder and stops; `--phase apps`
// installs those tarballs into the fresh apps. scripts/test.sh packs first, then runs the apps
// beside the end-to-end tests: packing rewrites the packages' package.json for a moment
// (prepack), which nothing else may read meanwhile, while the apps live in their own folder and
// only need a port of their own (`--port`; the README's commands name 7007, and are run with
// this port instead, as they are run with the tarballs instead of the registry).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readGuide } from './guide.mjs';
import { applyStep, checkPort, localCommand } from './apply.mjs';
import { releaseManifest } from './manifest.mjs';
import { notShared, singleCopies } from './singleCopies.mjs';
import { checkInBrowser, checkUnconfiguredInBrowser } from './check.mjs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
// The newest template on the registry; versions:bump then brings the app to the release in
// backstage.json (see manifest.mjs for why the manifest is built here).
const CREATE_APP = process.env.RCO_CREATE_APP_VERSION ?? '0.9.2';

const USAGE =
  'usage: node scripts/install-test/run.mjs [--variant new|legacy|both] [--work DIR] [--keep] [--phase all|pack|apps] [--port N]';
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
// A misspelt option must not run (and pass) something else than what was asked for.
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--keep') continue;
  if (
    ['--variant', '--work', '--phase', '--port'].includes(args[i]) &&
    args[i + 1]
  ) {
    i++;
    continue;
  }
  console.error(
    `${args[i] === '--help' ? '' : `unknown argument ${args[i]}\n`}${USAGE}`,
  );
  process.exit(args[i] === '--help' ? 0 : 2);
}
if (!['new', 'legacy', 'both'].includes(arg('variant', 'both'))) {
  console.error(`--variant must be new, legacy or both\n${USAGE}`);
  process.exit(2);
}
const phase = arg('phase', 'all');
if (!['all', 'pack', 'apps'].includes(phase)) {
  console.error(`--phase must be all, pack or apps\n${USAGE}`);
  process.exit(2);
}
const port = Number(arg('port', '7007'));
if (!Number.isInteger(port) || port < 1024 || port > 65535) {
  console.error(`--port must be a port number from 1024 to 65535\n${USAGE}`);
  process.exit(2);
}
const origin = `http://localhost:${port}`;
const variants =
  arg('variant', 'both') === 'both' ? ['new', 'legacy'] : [arg('variant')];
// Outside the repository, so no tool of this repository (prettier, lint, jest) walks the apps.
const work = path.resolve(
  arg('work', path.join(os.tmpdir(), 'rco-install-test')),
);
const keep = args.includes('--keep');

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;
const say = message => console.log(`[install-test ${elapsed()}] ${message}`);

/** Runs a command; its output goes to a log file, whose tail is shown when it fails. */
function sh(command, { cwd, env, input, log } = {}) {
  const logFile = path.join(work, 'logs', `${log ?? 'step'}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.appendFileSync(logFile, `\n$ ${command}   (in ${cwd ?? ROOT})\n`);
  const result = spawnSync('bash', ['-c', command], {
    cwd: cwd ?? ROOT,
    env: { ...process.env, ...env },
    input,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  fs.appendFileSync(logFile, `${result.stdout ?? ''}${result.stderr ?? ''}`);
  if (result.status !== 0) {
    const tail = `${result.stdout}${result.stderr}`
      .split('\n')
      .slice(-40)
      .join('\n');
    throw new Error(
      `"${command}" failed (exit ${result.status}) in ${
        cwd ?? ROOT
      }:\n${tail}\n(full log: ${logFile})`,
    );
  }
  return result.stdout;
}

/** Builds and packs every package that is not private, as `npm publish` would ship it. */
function packAll() {
  const packs = path.join(work, 'packs');
  fs.rmSync(packs, { recursive: true, force: true });
  fs.mkdirSync(packs, { recursive: true });
  say('type declarations (yarn tsc) for the packages');
  sh('yarn tsc', { log: 'pack' });
  const tarballs = {};
  for (const dir of fs.readdirSync(path.join(ROOT, 'plugins')).sort()) {
    const pkgDir = path.join(ROOT, 'plugins', dir);
    const pkg = JSON.parse(
      fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'),
    );
    if (pkg.private) continue;
    say(`build and pack ${pkg.name}`);
    sh('yarn build', { cwd: pkgDir, log: 'pack' });
    // `npm pack`, as the issue asks and as a registry gets it: its prepack/postpack scripts
    // (backstage-cli package prepack) point main, types and exports at dist. Unlike `yarn pack`
    // it leaves a `workspace:` range as it is, which checkOwnRanges refuses.
    const file = sh(
      `npm pack --silent --pack-destination ${JSON.stringify(packs)}`,
      { cwd: pkgDir, log: 'pack' },
    )
      .trim()
      .split('\n')
      .pop();
    tarballs[pkg.name] = path.join(packs, file);
  }
  checkOwnRanges(tarballs);
  return tarballs;
}

/**
 * The tarballs stand in for the registry through root `resolutions`, which would also hide a
 * range between our own packages that the packed versions do not satisfy (or a `workspace:`
 * left in): published, such a package would not install. So each range is checked here.
 */
function checkOwnRanges(tarballs) {
  const semver = require(require.resolve('semver', { paths: [ROOT] }));
  const manifests = Object.fromEntries(
    Object.entries(tarballs).map(([name, tgz]) => [
      name,
      JSON.parse(
        sh(`tar -xzOf ${JSON.stringify(tgz)} package/package.json`, {
          log: 'pack',
        }),
      ),
    ]),
  );
  const problems = [];
  for (const [name, pkg] of Object.entries(manifests)) {
    for (const field of [
      'dependencies',
      'peerDependencies',
      'optionalDependencies',
    ]) {
      for (const [dep, range] of Object.entries(pkg[field] ?? {})) {
        if (range.startsWith('workspace:'))
          problems.push(`${name} ${field}.${dep}: ${range}`);
        const packed = manifests[dep]?.version;
        if (packed && !semver.satisfies(packed, range)) {
          problems.push(
            `${name} ${field}.${dep}: ${range} does not accept the packed ${packed}`,
          );
        }
      }
    }
  }
  if (problems.length)
    throw new Error(
      `package ranges that would not install:\n${problems.join('\n')}`,
    );
}

function createApp(variant) {
  const dir = path.join(work, variant);
  fs.rmSync(dir, { recursive: true, force: true });
  say(
    `create a fresh app from @backstage/create-app@${CREATE_APP}${
      variant === 'legacy' ? ' --legacy' : ''
    }`,
  );
  sh(
    `npx -y @backstage/create-app@${CREATE_APP} --skip-install --path ${JSON.stringify(
      dir,
    )}${variant === 'legacy' ? ' --legacy' : ''}`,
    { cwd: work, input: `rco-install-${variant}\n`, log: variant },
  );
  return dir;
}

async function bumpToTargetRelease(app, variant) {
  const release = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'backstage.json'), 'utf8'),
  ).version;
  const manifest = await releaseManifest({ root: ROOT, app, release });
  const file = path.join(work, `manifest-${variant}.json`);
  fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
  say(`bump the app to Backstage ${release} (backstage-cli versions:bump)`);
  sh(
    `node ${JSON.stringify(
      path.join(ROOT, 'node_modules/@backstage/cli/bin/backstage-cli'),
    )} versions:bump --skip-install --skip-migrate`,
    { cwd: app, env: { BACKSTAGE_MANIFEST_FILE: file }, log: variant },
  );
}

/** Our packages come from the tarballs, as the registry would serve them to this app. */
function pointAtTarballs(app, tarballs) {
  const file = path.join(app, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  pkg.resolutions = { ...pkg.resolutions };
  for (const [name, tgz] of Object.entries(tarballs))
    pkg.resolutions[name] = `file:${tgz}`;
  fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
}

// What the backend and the guide's commands share: the CI token the guide asks for.
const CI_TOKEN = `install-test-${Math.random().toString(36).slice(2)}`;

/** The guide's steps for this variant: `when=started` ones once the backend answers. */
function followGuide(app, variant, tarballs, phase) {
  const steps = readGuide(
    fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'),
  );
  for (const step of steps) {
    if (step.attrs.variant && step.attrs.variant !== variant) continue;
    if ((step.attrs.when === 'started') !== (phase === 'started')) continue;
    say(
      `README.md:${step.line}: ${step.action} ${
        step.attrs.file ?? step.body.split('\n')[0]
      }`,
    );
    checkPort(step, port, ROOT);
    applyStep(step, {
      app,
      root: ROOT,
      run: command => {
        const local = localCommand(command, { tarballs, port });
        // Once started, the catalog may still be reading the example entity: retry for a minute.
        for (let attempt = 1; ; attempt++) {
          try {
            sh(local, {
              cwd: app,
              log: variant,
              env: { RCO_CI_TOKEN: CI_TOKEN },
            });
            return;
          } catch (error) {
            if (phase !== 'started' || attempt >= 30) throw error;
            spawnSync('sleep', ['2']);
          }
        }
      },
    });
  }
}

function startBackend(app, name) {
  const logFile = path.join(work, 'logs', `${name}-backend.log`);
  const out = fs.openSync(logFile, 'w');
  const child = spawn('yarn', ['workspace', 'backend', 'start'], {
    cwd: app,
    env: {
      ...process.env,
      NODE_OPTIONS: '--no-node-snapshot',
      RCO_CI_TOKEN: CI_TOKEN,
      // The backend serves the built frontend itself, on its own port.
      APP_CONFIG_app_baseUrl: origin,
      APP_CONFIG_backend_baseUrl: origin,
      APP_CONFIG_backend_listen_port: String(port),
    },
    stdio: ['ignore', out, out],
    detached: true,
  });
  return { child, logFile };
}

// The backend running now: it is in a process group of its own (detached), so a stopped test
// (scripts/test.sh stops it when the run is cancelled) stops it too.
let running = null;
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    try {
      if (running) process.kill(-running.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    process.exit(1);
  });
}

/** Starts the app's backend, waits until it answers, runs `use`, and stops it again. */
async function withBackend(app, name, use) {
  const { child, logFile } = startBackend(app, name);
  running = child;
  try {
    await waitFor(`${origin}/.backstage/health/v1/readiness`, 240_000, logFile);
    await waitFor(`${origin}/api/catalog/entities`, 60_000, logFile);
    await use(logFile);
  } finally {
    running = null;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    // The next start needs the port free again.
    const until = Date.now() + 30_000;
    while (Date.now() < until && (await portInUse())) {
      await new Promise(r => setTimeout(r, 500));
    }
  }
}

/** The rco plugin's own log lines at warn or error level (colours stripped). */
function rcoWarnings(logFile) {
  return (
    fs
      .readFileSync(logFile, 'utf8')
      .split('\n')
      // eslint-disable-next-line no-control-regex
      .map(line => line.replace(/\x1b\[[0-9;]*m/g, ''))
      .filter(line => /^\S+ rco (warn|error) /.test(line))
  );
}

/**
 * Issue 11, point 4, in the real app: the same app with its `rco:` section removed starts, logs
 * one line saying what is missing, and its pages say what to configure; deploys are off.
 */
async function checkUnconfigured(app, variant) {
  const YAML = require(require.resolve('yaml', { paths: [ROOT] }));
  const file = path.join(app, 'app-config.yaml');
  const config = YAML.parse(fs.readFileSync(file, 'utf8'));
  delete config.rco;
  fs.writeFileSync(file, YAML.stringify(config));
  say('start again without any rco: configuration');
  await withBackend(app, `${variant}-unconfigured`, async logFile => {
    const warnings = rcoWarnings(logFile);
    if (
      warnings.length !== 1 ||
      !/no rco\.environments: deploys, rollbacks and dry-runs are off/.test(
        warnings[0],
      )
    ) {
      throw new Error(
        `expected one rco warning naming what is missing, got:\n${warnings.join(
          '\n',
        )}`,
      );
    }
    say(`one line: ${warnings[0].replace(/^\S+ /, '').slice(0, 160)}…`);
    await checkUnconfiguredInBrowser({
      baseUrl: origin,
      variant,
      screenshots: path.join(work, 'screenshots'),
      log: say,
    });
  });
}

async function waitFor(url, ms, logFile) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      /* not up yet */
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  const tail = fs
    .readFileSync(logFile, 'utf8')
    .split('\n')
    .slice(-40)
    .join('\n');
  throw new Error(`${url} did not answer within ${ms / 1000}s:\n${tail}`);
}

async function runVariant(variant, tarballs) {
  const t0 = Date.now();
  const app = createApp(variant);
  await bumpToTargetRelease(app, variant);
  pointAtTarballs(app, tarballs);
  followGuide(app, variant, tarballs, 'setup');
  say(
    'one copy of each shared package: ours resolve the app and backend copies',
  );
  const split = notShared(app);
  if (split.length) {
    throw new Error(
      `our packages bring their own copies:\n${split.join('\n')}`,
    );
  }
  for (const line of singleCopies(app)) {
    say(`note: the template itself installs two copies of ${line}`);
  }
  say('type check the app (yarn tsc)');
  sh('yarn tsc', { cwd: app, log: variant });
  say('build the frontend (yarn workspace app build)');
  sh('yarn workspace app build', { cwd: app, log: variant });
  say('start the backend, which serves the built frontend');
  await withBackend(app, variant, async () => {
    followGuide(app, variant, tarballs, 'started');
    say('check the Runbook and Release tabs in headless Chromium');
    await checkInBrowser({
      baseUrl: origin,
      variant,
      screenshots: path.join(work, 'screenshots'),
      log: say,
    });
  });
  // Once is enough: the backend is the same in both frontend systems.
  if (variant === 'new') await checkUnconfigured(app, variant);
  say(
    `${variant} frontend system: installed and working in ${(
      (Date.now() - t0) /
      1000
    ).toFixed(0)}s`,
  );
  // What the pages looked like in the fresh app, kept with the e2e screenshots.
  const shots = path.join(work, 'screenshots');
  const docs = path.join(ROOT, 'docs/screenshots');
  for (const file of fs.readdirSync(shots)) {
    if (file.startsWith(`${variant}-`) && !file.includes('failure')) {
      fs.copyFileSync(
        path.join(shots, file),
        path.join(docs, `install-${file}`),
      );
    }
  }
  if (!keep) fs.rmSync(app, { recursive: true, force: true });
}

/** The tarballs of `--phase pack`, for `--phase apps`. */
function tarballsFile() {
  return path.join(work, 'packs', 'tarballs.json');
}

function packedTarballs() {
  const file = tarballsFile();
  if (!fs.existsSync(file))
    throw new Error(`${file} not found: run --phase pack first`);
  const tarballs = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const tgz of Object.values(tarballs)) {
    if (!fs.existsSync(tgz))
      throw new Error(`${tgz} not found: run --phase pack again`);
  }
  return tarballs;
}

async function portInUse() {
  return fetch(origin).then(
    () => true,
    () => false,
  );
}

async function main() {
  // Before packing, which takes minutes (and rewrites package.json files a running portal reads).
  if (phase !== 'pack' && (await portInUse())) {
    throw new Error(
      `port ${port} is in use: stop the portal (or whatever listens there) first, or choose another with --port`,
    );
  }
  fs.mkdirSync(work, { recursive: true });
  let tarballs;
  if (phase === 'apps') {
    tarballs = packedTarballs();
  } else {
    fs.rmSync(path.join(work, 'logs'), { recursive: true, force: true });
    tarballs = packAll();
    fs.writeFileSync(tarballsFile(), JSON.stringify(tarballs, null, 2));
    say(`packed ${Object.keys(tarballs).length} packages`);
    if (phase === 'pack') return;
  }
  let failed = 0;
  for (const variant of variants) {
    try {
      await runVariant(variant, tarballs);
      console.log(`install test (${variant} frontend system): passed`);
    } catch (error) {
      failed++;
      console.error(
        `install test (${variant} frontend system): FAILED\n${error.message}`,
      );
    }
  }
  console.log(
    `install tests: ${
      variants.length - failed
    } passed, ${failed} failed (${elapsed()})`,
  );
  process.exit(failed ? 1 : 0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
