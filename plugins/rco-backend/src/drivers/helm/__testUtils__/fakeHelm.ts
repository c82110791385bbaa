import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSample } from '../../../__testUtils__/fixtures';

/** What the scripted helm does on its next upgrade or rollback. */
export interface FakeHelmScenario {
  upgrade?:
    | 'success'
    | 'atomic-fail'
    | 'echo-secrets'
    | 'hang'
    | 'hang-ignore-term';
  rollback?: 'success' | 'timeout' | 'hang' | 'hang-ignore-term';
}

/** A file as the scripted helm saw it while it ran. */
export interface SeenFile {
  path: string;
  exists: boolean;
  mode?: number;
  content?: string;
}

/** One recorded invocation of the scripted helm. */
export interface FakeHelmCall {
  argv: string[];
  pid: number;
  kubeconfig?: SeenFile;
  values?: SeenFile;
}

/** A history entry as `helm history -o json` prints it. */
export interface FakeRevision {
  revision: number;
  updated: string;
  status: string;
  chart: string;
  app_version: string;
  description: string;
}

/**
 * A temporary directory holding a scripted `helm` executable (`bin/helm`), its release state and
 * the record of its calls. Releases named in `releases` start from the real Helm 3 goldens of the
 * shared samples (`helm-v3-history.json`, `helm-v3-status.json`).
 */
export class FakeHelm {
  readonly binDir: string;
  /** Where the driver under test is told to create its temporary files. */
  readonly tmpDir: string;

  private constructor(readonly dir: string) {
    this.binDir = path.join(dir, 'bin');
    this.tmpDir = path.join(dir, 'driver-tmp');
  }

  static create(releases: Array<{ namespace: string; name: string }>) {
    const fake = new FakeHelm(
      fs.mkdtempSync(path.join(os.tmpdir(), 'fake-helm-')),
    );
    fs.mkdirSync(fake.binDir);
    fs.mkdirSync(fake.tmpDir);
    const script = path.join(fake.binDir, 'helm');
    fs.copyFileSync(path.join(__dirname, 'fake-helm-cli.js'), script);
    fs.chmodSync(script, 0o755);
    const history = JSON.parse(readSample('helm-v3-history.json'));
    const status = JSON.parse(readSample('helm-v3-status.json'));
    const state = {
      releases: Object.fromEntries(
        releases.map(r => [`${r.namespace}/${r.name}`, { history, status }]),
      ),
    };
    fs.writeFileSync(path.join(fake.dir, 'state.json'), JSON.stringify(state));
    return fake;
  }

  /** The process environment with the scripted helm first on PATH. */
  env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PATH: `${this.binDir}${path.delimiter}${process.env.PATH}`,
    };
  }

  setScenario(scenario: FakeHelmScenario) {
    fs.writeFileSync(
      path.join(this.dir, 'scenario.json'),
      JSON.stringify(scenario),
    );
  }

  /** The release's history as stored (oldest first, like helm prints it). */
  history(namespace: string, name: string): FakeRevision[] {
    return this.state().releases[`${namespace}/${name}`].history;
  }

  /** Adds a revision as another helm process would (e.g. an interrupted upgrade's pending one). */
  appendRevision(
    namespace: string,
    name: string,
    entry: Partial<FakeRevision>,
  ) {
    const state = this.state();
    const history: FakeRevision[] =
      state.releases[`${namespace}/${name}`].history;
    history.push({
      revision: history[history.length - 1].revision + 1,
      updated: new Date().toISOString(),
      status: 'deployed',
      chart: 'foo-0.1.0-beta.1',
      app_version: '1.0',
      description: '',
      ...entry,
    });
    this.save(state);
  }

  /**
   * Ends a revision as the helm running it would (or a person clearing its lock): a `deployed`
   * one supersedes the revision deployed before it, and `status -o json` follows.
   */
  settleRevision(
    namespace: string,
    name: string,
    revision: number,
    outcome: { status: 'deployed' | 'failed'; description: string },
  ) {
    const state = this.state();
    const release = state.releases[`${namespace}/${name}`];
    const history: FakeRevision[] = release.history;
    const entry = history.find(r => r.revision === revision)!;
    if (outcome.status === 'deployed') {
      for (const r of history)
        if (r.status === 'deployed') r.status = 'superseded';
    }
    Object.assign(entry, outcome, { updated: new Date().toISOString() });
    release.status = {
      ...release.status,
      version: revision,
      info: {
        ...release.status.info,
        status: outcome.status,
        description: outcome.description,
      },
    };
    this.save(state);
  }

  calls(): FakeHelmCall[] {
    const file = path.join(this.dir, 'calls.jsonl');
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(line => JSON.parse(line));
  }

  /** The pid of a hanging helm once it has started waiting. */
  startedPid(): number | undefined {
    const file = path.join(this.dir, 'started');
    return fs.existsSync(file)
      ? Number(fs.readFileSync(file, 'utf8'))
      : undefined;
  }

  signalsLog(): string {
    const file = path.join(this.dir, 'signals.log');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  }

  cleanup() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Atomically: the backend's helm may be reading the state at this very moment. */
  private save(state: unknown) {
    const next = path.join(this.dir, 'state.json.next');
    fs.writeFileSync(next, JSON.stringify(state));
    fs.renameSync(next, path.join(this.dir, 'state.json'));
  }

  private state() {
    return JSON.parse(
      fs.readFileSync(path.join(this.dir, 'state.json'), 'utf8'),
    );
  }
}
