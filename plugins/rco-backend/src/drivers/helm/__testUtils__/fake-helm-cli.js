#!/usr/bin/env node
/*
 * A scripted stand-in for the `helm` CLI, copied into a temporary directory by fakeHelm.ts and
 * run as `helm` by the driver under test. It reproduces Helm 3's documented behaviour for the
 * commands the driver uses (history/status -o json, upgrade --install, rollback, --dry-run), with
 * Helm's real messages and exit code 1 on failure, keeping the releases in `../state.json` so
 * that history and status stay consistent across calls. The scenario of the next upgrade or
 * rollback is read from `../scenario.json`. Every call is recorded in `../calls.jsonl` with the
 * kubeconfig and values files as they were during the call (exists, mode, content).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const stateDir = path.resolve(__dirname, '..');
const statePath = path.join(stateDir, 'state.json');
const scenarioPath = path.join(stateDir, 'scenario.json');
const callsPath = path.join(stateDir, 'calls.jsonl');

const VALUE_FLAGS = new Set([
  '--namespace',
  '-n',
  '--timeout',
  '-f',
  '--values',
  '--kubeconfig',
  '--version',
  '-o',
  '--output',
  '--max',
]);

const argv = process.argv.slice(2);
const flags = {};
const bools = new Set();
const positional = [];
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  if (VALUE_FLAGS.has(arg)) flags[arg] = argv[++i];
  else if (arg.startsWith('-')) bools.add(arg);
  else positional.push(arg);
}

function fileAtCallTime(file) {
  if (!file) return undefined;
  try {
    const stat = fs.statSync(file);
    return {
      path: file,
      exists: true,
      mode: stat.mode & 0o777,
      content: fs.readFileSync(file, 'utf8'),
    };
  } catch {
    return { path: file, exists: false };
  }
}

fs.appendFileSync(
  callsPath,
  `${JSON.stringify({
    argv,
    pid: process.pid,
    kubeconfig: fileAtCallTime(flags['--kubeconfig']),
    values: fileAtCallTime(flags['-f'] || flags['--values']),
  })}\n`,
);

const readJson = (file, fallback) =>
  fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : fallback;
const state = readJson(statePath, { releases: {} });
const scenario = readJson(scenarioPath, {});
// Atomically (write, then rename): another helm of the test may be reading the state meanwhile.
const save = () => {
  fs.writeFileSync(
    `${statePath}.${process.pid}`,
    JSON.stringify(state, null, 2),
  );
  fs.renameSync(`${statePath}.${process.pid}`, statePath);
};

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const namespace = flags['--namespace'] || flags['-n'] || 'default';
const command = positional[0];
const name = positional[1];
const key = `${namespace}/${name}`;
const release = state.releases[key];
const now = () => new Date().toISOString();

if (flags['--kubeconfig'] && !fs.existsSync(flags['--kubeconfig'])) {
  fail(
    `Error: Kubernetes cluster unreachable: stat ${flags['--kubeconfig']}: no such file or directory`,
  );
}

const newest = () => release.history[release.history.length - 1];
const deployed = () => release.history.filter(r => r.status === 'deployed');
const isPending = r => r && /^pending-/.test(r.status);

/** Appends a revision and keeps `status -o json` in step with the newest one. */
function record(entry) {
  const revision = newest() ? newest().revision + 1 : 1;
  const full = { revision, updated: now(), ...entry };
  release.history.push(full);
  release.status = {
    ...release.status,
    name,
    namespace,
    version: revision,
    info: {
      ...release.status.info,
      status: full.status,
      last_deployed: full.updated,
      description: full.description,
    },
  };
  return full;
}

function supersedeDeployed() {
  for (const r of deployed()) r.status = 'superseded';
}

/** A helm that never returns (readiness wait with no end); SIGTERM ends it unless ignored. */
function hang(pendingStatus, description, ignoreTerm) {
  record({
    status: pendingStatus,
    chart: newest() ? newest().chart : 'unknown',
    app_version: newest() ? newest().app_version : '',
    description,
  });
  save();
  if (ignoreTerm) {
    process.on('SIGTERM', () => {
      fs.appendFileSync(
        path.join(stateDir, 'signals.log'),
        'SIGTERM ignored\n',
      );
    });
  }
  fs.writeFileSync(path.join(stateDir, 'started'), String(process.pid));
  setInterval(() => {}, 1000);
}

function printStatus(r) {
  process.stdout.write(
    `NAME: ${name}\nLAST DEPLOYED: ${r.updated}\nNAMESPACE: ${namespace}\n` +
      `STATUS: ${r.status}\nREVISION: ${r.revision}\nTEST SUITE: None\n`,
  );
}

switch (command) {
  case 'history':
  case 'status': {
    if (!release) fail('Error: release: not found');
    const out = command === 'history' ? release.history : release.status;
    process.stdout.write(`${JSON.stringify(out)}\n`);
    break;
  }

  case 'upgrade': {
    const chart = positional[2];
    const chartLabel = `${path.basename(chart)}-${
      flags['--version'] || '0.1.0'
    }`;
    const mode = scenario.upgrade || 'success';
    if (!release) {
      if (!bools.has('--install'))
        fail(`Error: UPGRADE FAILED: "${name}" has no deployed releases`);
      if (mode === 'atomic-fail' && bools.has('--atomic')) {
        fail(
          `Error: INSTALLATION FAILED: release ${name} failed, and has been uninstalled due to atomic being set: timed out waiting for the condition`,
        );
      }
      state.releases[key] = {
        history: [],
        status: { name, info: { status: 'unknown' }, namespace },
      };
      const created = state.releases[key];
      created.history.push({
        revision: 1,
        updated: now(),
        status: 'deployed',
        chart: chartLabel,
        app_version: '1.0',
        description: 'Install complete',
      });
      created.status = {
        name,
        namespace,
        version: 1,
        info: {
          status: 'deployed',
          last_deployed: now(),
          description: 'Install complete',
        },
      };
      save();
      process.stdout.write(
        `Release "${name}" does not exist. Installing it now.\n`,
      );
      printStatus(created.history[0]);
      break;
    }
    if (isPending(newest())) {
      fail(
        'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress',
      );
    }
    if (mode === 'hang' || mode === 'hang-ignore-term') {
      hang('pending-upgrade', 'Preparing upgrade', mode === 'hang-ignore-term');
      break;
    }
    if (mode === 'echo-secrets') {
      // Some failures echo what they were given (API server errors, template errors).
      const kubeconfig = fs.readFileSync(flags['--kubeconfig'], 'utf8');
      const values = JSON.parse(fs.readFileSync(flags['-f'], 'utf8'));
      const token = /token: (\S+)/.exec(kubeconfig)[1];
      fail(
        `Error: UPGRADE FAILED: cannot patch "${name}-db" with kind Secret: Unauthorized (Bearer ${token}); ` +
          `template: ${name}/templates/secret.yaml:7: rendering "${values.db.password}" ${token}`,
      );
    }
    const previous = deployed()[0];
    if (mode === 'atomic-fail') {
      const cause = 'timed out waiting for the condition';
      record({
        status: 'failed',
        chart: chartLabel,
        app_version: '1.0',
        description: `Upgrade "${name}" failed: ${cause}`,
      });
      if (!bools.has('--atomic')) {
        save();
        fail(`Error: UPGRADE FAILED: ${cause}`);
      }
      supersedeDeployed();
      record({
        status: 'deployed',
        chart: previous.chart,
        app_version: previous.app_version,
        description: `Rollback to ${previous.revision}`,
      });
      save();
      fail(
        `Error: UPGRADE FAILED: release ${name} failed, and has been rolled back due to atomic being set: ${cause}`,
      );
    }
    supersedeDeployed();
    const created = record({
      status: 'deployed',
      chart: chartLabel,
      app_version: '1.0',
      description: 'Upgrade complete',
    });
    save();
    process.stdout.write(
      `Release "${name}" has been upgraded. Happy Helming!\n`,
    );
    printStatus(created);
    break;
  }

  case 'rollback': {
    if (!release) fail('Error: release: not found');
    if (isPending(newest())) {
      fail(
        'Error: another operation (install/upgrade/rollback) is in progress',
      );
    }
    // Helm: without a revision, the one before the newest.
    const target = positional[2]
      ? Number(positional[2])
      : newest().revision - 1;
    const to = release.history.find(r => r.revision === target);
    if (!to) fail(`Error: release has no ${target} version`);
    if (bools.has('--dry-run')) {
      process.stdout.write('Rollback was a success! Happy Helming!\n');
      break;
    }
    const mode = scenario.rollback || 'success';
    if (mode === 'hang' || mode === 'hang-ignore-term') {
      hang(
        'pending-rollback',
        `Rollback to ${target}`,
        mode === 'hang-ignore-term',
      );
      break;
    }
    if (mode === 'timeout') {
      record({
        status: 'failed',
        chart: to.chart,
        app_version: to.app_version,
        description: `Release "${name}" failed: timed out waiting for the condition`,
      });
      save();
      fail('Error: timed out waiting for the condition');
    }
    supersedeDeployed();
    record({
      status: 'deployed',
      chart: to.chart,
      app_version: to.app_version,
      description: `Rollback to ${target}`,
    });
    save();
    process.stdout.write('Rollback was a success! Happy Helming!\n');
    break;
  }

  default:
    fail(`Error: unknown command "${command}" for "helm"`);
}
