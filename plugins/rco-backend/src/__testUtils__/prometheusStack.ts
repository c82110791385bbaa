import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  mkdirSync,
  writeFileSync,
  readFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

/**
 * A real Prometheus (Debian's `prometheus`, 2.42) and Alertmanager (`prometheus-alertmanager`,
 * 0.25) for the monitoring collector's tests, started on free local ports with temporary data
 * directories from the files in examples/monitoring/. Variants (a rule missing, a rule that fails
 * to evaluate, a webhook-only receiver) are swapped in with a reload, not a restart, to keep the
 * two shared cores free. Call stop() in afterAll.
 */

export const MONITORING_DIR = resolve(
  __dirname,
  '../../../../examples/monitoring',
);

const BINARIES = {
  prometheus: 'prometheus',
  alertmanager: 'prometheus-alertmanager',
  amtool: 'amtool',
};

const has = (binary: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** The binaries this machine lacks (CI installs them: .ci/run). */
export function missingMonitoringBinaries(
  names: Array<keyof typeof BINARIES> = ['prometheus', 'alertmanager'],
): string[] {
  return names.map(n => BINARIES[n]).filter(b => !has(b));
}

/**
 * `describe` when the binaries are here, or under CI=true (where their absence must fail the
 * run, not skip it: beforeAll throws); `describe.skip` on a developer's machine without them.
 */
export function describeWithMonitoring(
  names: Array<keyof typeof BINARIES> = ['prometheus', 'alertmanager'],
): jest.Describe {
  return missingMonitoringBinaries(names).length && !process.env.CI
    ? describe.skip
    : describe;
}

export function assertMonitoringBinaries(
  names: Array<keyof typeof BINARIES> = ['prometheus', 'alertmanager'],
) {
  const missing = missingMonitoringBinaries(names);
  if (missing.length)
    throw new Error(
      `${missing.join(
        ', ',
      )} not installed: apt-get install prometheus prometheus-alertmanager (.ci/run does)`,
    );
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function waitReady(url: string, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(
        `${url} exited (${child.exitCode}): ${log().slice(-2000)}`,
      );
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} was not ready within 30 s: ${log().slice(-2000)}`);
}

function start(binary: string, args: string[]) {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, log: () => output };
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise(r => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export type RuleVariant = 'rules' | 'rules-missing-latency' | 'rules-broken';
export type AlertmanagerVariant =
  | 'alertmanager.yml'
  | 'alertmanager-webhook.yml'
  | 'alertmanager-inhibit.yml';

export interface PrometheusStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** Loads another set of rule files (examples/monitoring/<variant>/) and waits until every rule was evaluated. */
  useRules(variant: RuleVariant): Promise<void>;
  /**
   * Loads exactly these rule files (`<one of RULE_DIRS>/<file>.yaml` → content), for layouts
   * such as the prometheus-operator's `prometheus-<name>-rulefiles-<n>/<namespace>-<rule>-<uid>.yaml`.
   */
  useRuleFiles(files: Record<string, string>): Promise<void>;
  /** Loads another Alertmanager configuration (examples/monitoring/<file>). */
  useAlertmanagerConfig(file: AlertmanagerVariant): Promise<void>;
  /** Drops (false) or restores (true) Prometheus's `alerting:` section: it sends to no Alertmanager. */
  useAlerting(enabled: boolean): Promise<void>;
  stopPrometheus(): Promise<void>;
  stopAlertmanager(): Promise<void>;
  stop(): Promise<void>;
}

/** Directories of rule files (`*.yaml`) useRuleFiles can write to: Prometheus loads these. */
export const RULE_DIRS = [
  'prometheus-k8s-rulefiles-0',
  'platform',
  'copy',
  'broken',
];

/** The alert names a set of rule files (their contents) defines. */
function alertNames(contents: string[]): string[] {
  return contents
    .flatMap(content => parse(content).groups)
    .flatMap((g: any) => g.rules.map((r: any) => r.alert ?? r.record))
    .sort();
}

/** Exactly these rules loaded, each evaluated at least once (health no longer "unknown"). */
async function waitForRules(url: string, expected: string[]) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const body: any = await (await fetch(`${url}/api/v1/rules`)).json();
    const rules: any[] = body.data.groups.flatMap((g: any) => g.rules);
    const names = rules.map(r => r.name).sort();
    if (
      JSON.stringify(names) === JSON.stringify(expected) &&
      rules.every(r => r.health !== 'unknown')
    )
      return;
    await sleep(200);
  }
  throw new Error('Prometheus did not evaluate the new rules within 20 s');
}

/** Prometheus lists `count` active Alertmanagers (its discovery runs shortly after a (re)load). */
async function waitForAlertmanagers(url: string, count: number) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const body: any = await (await fetch(`${url}/api/v1/alertmanagers`)).json();
    if (body.data.activeAlertmanagers.length === count) return;
    await sleep(100);
  }
  throw new Error(
    `Prometheus did not list ${count} Alertmanager(s) within 20 s`,
  );
}

export async function startPrometheusStack(
  options: { rules?: RuleVariant; alertmanager?: AlertmanagerVariant } = {},
): Promise<PrometheusStack> {
  assertMonitoringBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'rco-prometheus-'));
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir);
  const [promPort, amPort] = [await freePort(), await freePort()];
  const prometheusUrl = `http://127.0.0.1:${promPort}`;
  const alertmanagerUrl = `http://127.0.0.1:${amPort}`;
  const amConfig = join(dir, 'alertmanager.yml');

  const clearRules = () => {
    for (const f of readdirSync(rulesDir))
      rmSync(join(rulesDir, f), { recursive: true });
  };
  const copyRules = (variant: RuleVariant) => {
    clearRules();
    const files = readdirSync(join(MONITORING_DIR, variant)).filter(f =>
      f.endsWith('.yml'),
    );
    for (const f of files)
      copyFileSync(join(MONITORING_DIR, variant, f), join(rulesDir, f));
    return alertNames(files.map(f => readFileSync(join(rulesDir, f), 'utf8')));
  };
  let expected = copyRules(options.rules ?? 'rules');
  copyFileSync(
    join(MONITORING_DIR, options.alertmanager ?? 'alertmanager.yml'),
    amConfig,
  );

  // The example configuration, pointed at this run's Alertmanager and rule directory.
  const config = parse(
    readFileSync(join(MONITORING_DIR, 'prometheus.yml'), 'utf8'),
  );
  config.alerting.alertmanagers[0].static_configs[0].targets = [
    `127.0.0.1:${amPort}`,
  ];
  // This Prometheus globs only a path's last element: useRuleFiles' directories are listed.
  config.rule_files = [
    join(rulesDir, '*.yml'),
    ...RULE_DIRS.map(d => join(rulesDir, d, '*.yaml')),
  ];
  const alerting = config.alerting;
  const writeConfig = (withAlerting: boolean) => {
    if (withAlerting) config.alerting = alerting;
    else delete config.alerting;
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
  };
  writeConfig(true);

  const am = start(BINARIES.alertmanager, [
    `--config.file=${amConfig}`,
    `--storage.path=${join(dir, 'am')}`,
    `--web.listen-address=127.0.0.1:${amPort}`,
    '--cluster.listen-address=', // no gossip port, no peers
  ]);
  const prom = start(BINARIES.prometheus, [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    '--web.enable-lifecycle', // POST /-/reload for the variants
  ]);
  const stop = async () => {
    await Promise.all([stopChild(prom.child), stopChild(am.child)]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(alertmanagerUrl, am.child, am.log);
    await waitReady(prometheusUrl, prom.child, prom.log);
    await waitForRules(prometheusUrl, expected);
    await waitForAlertmanagers(prometheusUrl, 1);
  } catch (e) {
    await stop();
    throw e;
  }
  const reload = async (url: string) => {
    const res = await fetch(`${url}/-/reload`, { method: 'POST' });
    if (!res.ok)
      throw new Error(
        `${url}/-/reload answered ${res.status}: ${await res.text()}`,
      );
  };
  return {
    prometheusUrl,
    alertmanagerUrl,
    async useRules(variant) {
      expected = copyRules(variant);
      await reload(prometheusUrl);
      await waitForRules(prometheusUrl, expected);
      // A reload restarts Prometheus's Alertmanager discovery: wait until it lists it again.
      await waitForAlertmanagers(prometheusUrl, 1);
    },
    async useRuleFiles(files) {
      const elsewhere = Object.keys(files).filter(
        f => !RULE_DIRS.includes(dirname(f)) || !f.endsWith('.yaml'),
      );
      if (elsewhere.length)
        throw new Error(`Not loaded: ${elsewhere.join(', ')}`);
      clearRules();
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(rulesDir, path)), { recursive: true });
        writeFileSync(join(rulesDir, path), content);
      }
      expected = alertNames(Object.values(files));
      await reload(prometheusUrl);
      await waitForRules(prometheusUrl, expected);
      await waitForAlertmanagers(prometheusUrl, 1);
    },
    async useAlertmanagerConfig(file) {
      copyFileSync(join(MONITORING_DIR, file), amConfig);
      await reload(alertmanagerUrl);
    },
    async useAlerting(enabled) {
      writeConfig(enabled);
      await reload(prometheusUrl);
      await waitForAlertmanagers(prometheusUrl, enabled ? 1 : 0);
    },
    stopPrometheus: () => stopChild(prom.child),
    stopAlertmanager: () => stopChild(am.child),
    stop,
  };
}
