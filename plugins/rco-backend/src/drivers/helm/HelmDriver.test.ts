import { mockServices } from '@backstage/backend-test-utils';
import { DeployTarget, DriverContext } from '@helix-portal/plugin-rco-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { HelmDriver } from './HelmDriver';
import { HelmNotInstalledError } from './runHelm';
import { FakeHelm, FakeHelmCall } from './__testUtils__/fakeHelm';

jest.setTimeout(30_000);

const TOKEN =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6InJjbyJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6cmNvIn0.c2lnbmF0dXJlLXNlY3JldA';
const DB_PASSWORD = 'values-secret-Pa55word';
const NS = 'payments';
const CHART = 'oci://registry.example/charts/foo';

function target(overrides: Partial<DeployTarget> = {}): DeployTarget {
  return {
    entityRef: 'component:default/foo',
    environment: 'production',
    driver: 'helm',
    namespace: NS,
    cluster: {
      name: 'prod-eu',
      url: 'https://k8s.prod-eu.example:6443',
      serviceAccountToken: TOKEN,
      caData: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t',
    },
    helm: {
      release: 'foo',
      chart: CHART,
      chartVersion: '1.2.3',
      values: {
        replicaCount: 2,
        db: { password: DB_PASSWORD },
        image: {
          repository: 'registry.example/old',
          tag: 'old',
          pullPolicy: 'IfNotPresent',
        },
      },
    },
    timeoutMs: 120_000,
    ...overrides,
  };
}

function context(overrides: Partial<DriverContext> = {}) {
  const logger = mockServices.logger.mock();
  const report = jest.fn().mockResolvedValue(undefined);
  const ctx: DriverContext = {
    operationId: 'op-1',
    logger,
    signal: new AbortController().signal,
    report,
    ...overrides,
  };
  return { ctx, logger, report };
}

const RELEASE = { version: '2.0.0', image: 'registry.example/team/foo:2.0.0' };

/** Everything the driver could have leaked: arguments, logs, returned text. */
function allText(calls: FakeHelmCall[], ...more: unknown[]) {
  return JSON.stringify([calls.map(c => c.argv), ...more]);
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor<T>(read: () => T | undefined, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting in test');
    await new Promise(r => setTimeout(r, 50));
  }
}

describe('HelmDriver against a scripted helm', () => {
  let fake: FakeHelm;
  let driver: HelmDriver;

  beforeEach(() => {
    fake = FakeHelm.create([{ namespace: NS, name: 'foo' }]);
    driver = new HelmDriver({ env: fake.env(), tmpDir: fake.tmpDir });
  });
  afterEach(() => fake.cleanup());

  const statuses = () =>
    fake.history(NS, 'foo').map(r => `${r.revision}:${r.status}`);
  const driverTmpIsEmpty = () => fs.readdirSync(fake.tmpDir).length === 0;

  describe('deploy', () => {
    it('runs upgrade --install --atomic --wait --timeout with secrets only in 0600 files, removed afterwards', async () => {
      const { ctx, logger, report } = context();
      const result = await driver.deploy(target(), RELEASE, ctx);

      expect(result).toMatchObject({ phase: 'succeeded', revision: '5' });
      expect(statuses()).toEqual([
        '3:superseded',
        '4:superseded',
        '5:deployed',
      ]);

      const [upgrade, status] = fake.calls();
      const kubeconfigPath = upgrade.kubeconfig!.path;
      const valuesPath = upgrade.values!.path;
      expect(upgrade.argv).toEqual([
        'upgrade',
        '--install',
        'foo',
        CHART,
        '--version',
        '1.2.3',
        '--namespace',
        NS,
        '--atomic',
        '--wait',
        '--timeout',
        '120s',
        '-f',
        valuesPath,
        '--kubeconfig',
        kubeconfigPath,
      ]);
      expect(status.argv.slice(0, 6)).toEqual([
        'status',
        'foo',
        '-n',
        NS,
        '-o',
        'json',
      ]);

      // During the call: both files existed, private to the user.
      expect(upgrade.kubeconfig).toMatchObject({ exists: true, mode: 0o600 });
      expect(upgrade.values).toMatchObject({ exists: true, mode: 0o600 });
      const kubeconfig = parseYaml(upgrade.kubeconfig!.content!);
      expect(kubeconfig.users[0].user.token).toBe(TOKEN);
      expect(kubeconfig.clusters[0]).toEqual({
        name: 'prod-eu',
        cluster: {
          server: 'https://k8s.prod-eu.example:6443',
          'certificate-authority-data': 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t',
        },
      });
      expect(kubeconfig['current-context']).toBe('rco');
      expect(kubeconfig.contexts[0].context).toEqual({
        cluster: 'prod-eu',
        user: 'rco',
        namespace: NS,
      });
      const values = JSON.parse(upgrade.values!.content!);
      expect(values).toEqual({
        replicaCount: 2,
        db: { password: DB_PASSWORD },
        image: {
          repository: 'registry.example/team/foo',
          tag: '2.0.0',
          pullPolicy: 'IfNotPresent',
        },
      });

      // After the call: gone.
      expect(fs.existsSync(kubeconfigPath)).toBe(false);
      expect(fs.existsSync(valuesPath)).toBe(false);
      expect(driverTmpIsEmpty()).toBe(true);

      // Secrets never on a command line, in a log or in what the driver returned.
      const text = allText(fake.calls(), logger, report.mock.calls, result);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(DB_PASSWORD);
      expect(report).toHaveBeenCalledWith(
        expect.objectContaining({
          phase: 'progressing',
          message: expect.stringContaining('120s'),
        }),
      );
    });

    it('passes a digest as image.digest and drops the configured tag', async () => {
      const digest = `sha256:${'a'.repeat(64)}`;
      const { ctx } = context();
      const result = await driver.deploy(
        target(),
        { image: `registry.example:5000/team/foo:2.0.0@${digest}` },
        ctx,
      );
      expect(result.phase).toBe('succeeded');
      expect(JSON.parse(fake.calls()[0].values!.content!).image).toEqual({
        repository: 'registry.example:5000/team/foo',
        digest,
        pullPolicy: 'IfNotPresent',
      });
    });

    it('passes no --kubeconfig when the environment names no cluster', async () => {
      const { ctx } = context();
      const result = await driver.deploy(
        target({ cluster: undefined }),
        RELEASE,
        ctx,
      );
      expect(result).toMatchObject({ phase: 'succeeded', revision: '5' });
      for (const call of fake.calls()) {
        expect(call.argv).not.toContain('--kubeconfig');
        expect(call.kubeconfig).toBeUndefined();
      }
    });

    it('reports rolled-back with the cause when --atomic undid a failed upgrade', async () => {
      fake.setScenario({ upgrade: 'atomic-fail' });
      const { ctx } = context();
      const result = await driver.deploy(target(), RELEASE, ctx);

      expect(result.phase).toBe('rolled-back');
      expect(result.revision).toBe('6');
      expect(result.reasons).toEqual([
        'helm upgrade failed and --atomic rolled the release back: timed out waiting for the condition',
      ]);
      const history = fake.history(NS, 'foo');
      expect(statuses()).toEqual([
        '3:superseded',
        '4:superseded',
        '5:failed',
        '6:deployed',
      ]);
      expect(history[3].description).toBe('Rollback to 4');
      // Cleanup also happens when helm fails.
      expect(fs.existsSync(fake.calls()[0].kubeconfig!.path)).toBe(false);
      expect(fs.existsSync(fake.calls()[0].values!.path)).toBe(false);
      expect(driverTmpIsEmpty()).toBe(true);
    });

    it('fails with a lock explanation when a pending-upgrade holds the release', async () => {
      fake.appendRevision(NS, 'foo', {
        status: 'pending-upgrade',
        description: 'Preparing upgrade',
      });
      const { ctx } = context();
      const result = await driver.deploy(target(), RELEASE, ctx);

      expect(result.phase).toBe('failed');
      expect(result.reasons).toHaveLength(1);
      expect(result.reasons![0]).toContain(
        'locked by another operation (revision 5 is pending-upgrade)',
      );
      expect(result.reasons![0]).toContain(
        'another operation (install/upgrade/rollback) is in progress',
      );
      expect(result.reasons![0]).toContain(`'helm rollback foo 4 -n ${NS}'`);
      expect(statuses()).toEqual([
        '3:superseded',
        '4:deployed',
        '5:pending-upgrade',
      ]);
    });

    it('masks the token and values that helm echoes in its error', async () => {
      fake.setScenario({ upgrade: 'echo-secrets' });
      const { ctx, logger } = context();
      const result = await driver.deploy(target(), RELEASE, ctx);

      expect(result.phase).toBe('failed');
      expect(result.reasons![0]).toMatch(
        /^helm upgrade failed: cannot patch "foo-db" with kind Secret: Unauthorized \(Bearer \*\*\*\)/,
      );
      expect(result.reasons![0]).toContain('rendering "***" ***');
      const text = allText(fake.calls(), logger, result);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(DB_PASSWORD);
    });

    it('stops a helm that runs past the timeout plus grace and reports a timeout', async () => {
      fake.setScenario({ upgrade: 'hang' });
      const { ctx } = context();
      const started = Date.now();
      const result = await driver.deploy(
        target({ timeoutMs: 1_000 }),
        RELEASE,
        ctx,
      );
      const elapsed = Date.now() - started;

      expect(result.phase).toBe('failed');
      // --atomic may need the timeout twice (upgrade wait, then rollback wait), plus 1s grace.
      expect(result.reasons![0]).toMatch(
        /^Timeout: helm upgrade did not finish within 3s \(timeout 1s plus grace\) and was stopped/,
      );
      expect(elapsed).toBeGreaterThanOrEqual(2_900);
      expect(elapsed).toBeLessThan(8_000);
      expect(isAlive(fake.startedPid()!)).toBe(false);
      expect(fake.calls()[0].argv).toEqual(
        expect.arrayContaining(['--timeout', '1s']),
      );
      // What a killed helm leaves behind: the lock that observe() reports as still pending.
      expect(statuses()).toEqual([
        '3:superseded',
        '4:deployed',
        '5:pending-upgrade',
      ]);
      expect(driverTmpIsEmpty()).toBe(true);
    });
  });

  describe('rollback', () => {
    it('rolls back with --wait --timeout and returns the new revision', async () => {
      const { ctx } = context();
      const result = await driver.rollback(target(), '3', ctx);

      expect(result).toMatchObject({ phase: 'succeeded', revision: '5' });
      expect(result.message).toBe(
        'Rolled foo back to revision 3 (now revision 5).',
      );
      expect(fake.calls()[0].argv.slice(0, 8)).toEqual([
        'rollback',
        'foo',
        '3',
        '--namespace',
        NS,
        '--wait',
        '--timeout',
        '120s',
      ]);
      expect(fake.history(NS, 'foo')[2]).toMatchObject({
        revision: 5,
        status: 'deployed',
        description: 'Rollback to 3',
      });
    });

    it('fails with the timeout when rollback --wait times out', async () => {
      fake.setScenario({ rollback: 'timeout' });
      const { ctx } = context();
      const result = await driver.rollback(target(), undefined, ctx);

      expect(result.phase).toBe('failed');
      expect(result.reasons).toEqual([
        'Timeout: helm waited 120s for the rolled-back resources to be ready: timed out waiting for the condition',
      ]);
      expect(fake.calls()[0].argv.slice(0, 3)).toEqual([
        'rollback',
        'foo',
        '--namespace',
      ]);
      expect(statuses()).toEqual(['3:superseded', '4:deployed', '5:failed']);
    });

    it('escalates to SIGKILL when a hanging helm ignores SIGTERM', async () => {
      fake.setScenario({ rollback: 'hang-ignore-term' });
      const { ctx } = context();
      const result = await driver.rollback(
        target({ timeoutMs: 1_000 }),
        '3',
        ctx,
      );

      expect(result.phase).toBe('failed');
      expect(result.reasons![0]).toMatch(
        /^Timeout: helm rollback did not finish within 2s/,
      );
      expect(fake.signalsLog()).toContain('SIGTERM ignored');
      expect(isAlive(fake.startedPid()!)).toBe(false);
    });

    it('kills helm and gives up when the context is aborted', async () => {
      fake.setScenario({ rollback: 'hang' });
      const controller = new AbortController();
      const { ctx } = context({ signal: controller.signal });
      const pending = driver.rollback(target(), '3', ctx);
      const pid = await waitFor(() => fake.startedPid());
      controller.abort();

      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      await waitFor(() => (isAlive(pid) ? undefined : true));
      expect(driverTmpIsEmpty()).toBe(true);
    });

    it('dry-runs without changing anything', async () => {
      const { ctx } = context();
      const before = fake.history(NS, 'foo');
      const ok = await driver.rollbackDryRun(target(), '3', ctx);
      expect(ok).toMatchObject({ phase: 'succeeded' });
      expect(fake.calls()[0].argv.slice(0, 6)).toEqual([
        'rollback',
        'foo',
        '3',
        '--dry-run',
        '--namespace',
        NS,
      ]);
      expect(fake.calls()[0].argv).not.toContain('--wait');

      const missing = await driver.rollbackDryRun(target(), '9', ctx);
      expect(missing.phase).toBe('failed');
      expect(missing.reasons).toEqual([
        'helm rollback --dry-run failed: release has no 9 version',
      ]);

      const gone = await driver.rollbackDryRun(
        target({ helm: { release: 'bar', chart: CHART } }),
        undefined,
        ctx,
      );
      expect(gone.reasons).toEqual([
        `Release bar does not exist in namespace ${NS}.`,
      ]);
      expect(fake.history(NS, 'foo')).toEqual(before);
    });

    it('refuses a revision helm would read as a flag', async () => {
      const { ctx } = context();
      await expect(driver.rollback(target(), '--force', ctx)).rejects.toThrow(
        "Invalid helm revision '--force'",
      );
      expect(fake.calls()).toEqual([]);
    });
  });

  describe('history', () => {
    it('reads history -o json newest first, helm resolved on PATH', async () => {
      const savedPath = process.env.PATH;
      process.env.PATH = `${fake.binDir}${path.delimiter}${savedPath}`;
      try {
        const onPath = new HelmDriver({ tmpDir: fake.tmpDir });
        const { ctx } = context();
        expect(await onPath.history(target(), ctx)).toEqual([
          {
            revision: '4',
            status: 'deployed',
            current: true,
            updatedAt: '1977-09-02T22:04:05Z',
            chart: 'foo-0.1.0-beta.1',
            appVersion: '1.0',
            description: 'Release mock',
          },
          {
            revision: '3',
            status: 'superseded',
            current: false,
            updatedAt: '1977-09-02T22:04:05Z',
            chart: 'foo-0.1.0-beta.1',
            appVersion: '1.0',
            description: 'Release mock',
          },
        ]);
        expect(fake.calls()[0].argv.slice(0, 6)).toEqual([
          'history',
          'foo',
          '-n',
          NS,
          '-o',
          'json',
        ]);
      } finally {
        process.env.PATH = savedPath;
      }
    });

    it('returns no revisions for a release that does not exist', async () => {
      const { ctx } = context();
      const history = await driver.history(
        target({ helm: { release: 'bar', chart: CHART } }),
        ctx,
      );
      expect(history).toEqual([]);
      expect(fake.calls()).toHaveLength(1);
    });
  });

  describe('observe after a restart (a new driver instance)', () => {
    const restarted = () =>
      new HelmDriver({ env: fake.env(), tmpDir: fake.tmpDir });
    const onlyHistoryRead = (before: number) =>
      fake
        .calls()
        .slice(before)
        .map(c => c.argv[0]);

    it('reports succeeded for a newer deployed revision', async () => {
      await driver.deploy(target(), RELEASE, context().ctx);
      const before = fake.calls().length;
      const result = await restarted().observe(
        target(),
        context({ baselineRevision: '4' }).ctx,
      );
      expect(result).toMatchObject({ phase: 'succeeded', revision: '5' });
      expect(onlyHistoryRead(before)).toEqual(['history']);
    });

    it('reports rolled-back when a failed revision was followed by an atomic rollback', async () => {
      fake.setScenario({ upgrade: 'atomic-fail' });
      await driver.deploy(target(), RELEASE, context().ctx);
      const before = fake.calls().length;
      const result = await restarted().observe(
        target(),
        context({ baselineRevision: '4' }).ctx,
      );
      expect(result).toMatchObject({ phase: 'rolled-back', revision: '6' });
      expect(result.message).toBe(
        'Revision 5 failed and helm rolled foo back to revision 4 (now revision 6).',
      );
      expect(result.reasons).toEqual([
        'Revision 5 failed: Upgrade "foo" failed: timed out waiting for the condition',
      ]);
      expect(onlyHistoryRead(before)).toEqual(['history']);
    });

    it('reports progressing while a revision is pending-upgrade', async () => {
      fake.appendRevision(NS, 'foo', {
        status: 'pending-upgrade',
        description: 'Preparing upgrade',
      });
      const result = await restarted().observe(
        target(),
        context({ baselineRevision: '4' }).ctx,
      );
      expect(result).toMatchObject({ phase: 'progressing', revision: '5' });
      expect(result.message).toContain('pending-upgrade');
    });

    it('reports failed for a newer failed revision nothing rolled back', async () => {
      fake.setScenario({ rollback: 'timeout' });
      await driver.rollback(target(), undefined, context().ctx);
      const result = await restarted().observe(
        target(),
        context({ baselineRevision: '4' }).ctx,
      );
      expect(result).toMatchObject({ phase: 'failed', revision: '5' });
      expect(result.reasons).toEqual([
        'Revision 5 failed: Release "foo" failed: timed out waiting for the condition',
      ]);
    });

    it('reports unknown when nothing is newer than the baseline', async () => {
      const result = await restarted().observe(
        target(),
        context({ baselineRevision: '4' }).ctx,
      );
      expect(result.phase).toBe('unknown');
      expect(result.message).toContain('nothing was changed');
    });
  });

  describe('helm missing', () => {
    it('throws that helm is not installed and leaves no files behind', async () => {
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-helm-'));
      try {
        const missing = new HelmDriver({
          env: { PATH: empty },
          tmpDir: fake.tmpDir,
        });
        await expect(missing.history(target(), context().ctx)).rejects.toThrow(
          HelmNotInstalledError,
        );
        await expect(
          missing.deploy(target(), RELEASE, context().ctx),
        ).rejects.toThrow(
          /helm is not installed: 'helm' was not found on PATH/,
        );
        expect(driverTmpIsEmpty()).toBe(true);
      } finally {
        fs.rmSync(empty, { recursive: true, force: true });
      }
    });
  });
});
