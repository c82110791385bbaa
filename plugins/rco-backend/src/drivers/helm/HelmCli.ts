import {
  DeployTarget,
  DriverContext,
  DriverRevision,
} from '@helix-portal/plugin-rco-node';
import { READ_DEADLINE_MS, abortedError } from './helmArgs';
import { SecretMasker, classifyHelmError } from './helmErrors';
import { HelmWorkDir, kubeconfigFor } from './helmFiles';
import {
  HelmHistoryEntry,
  HelmStatus,
  parseHistory,
  parseStatus,
  toDriverRevisions,
} from './helmOutput';
import { HelmRunResult, runHelm } from './runHelm';

/** How to start helm: the executable, its environment and where temporary files go. */
export interface HelmCliOptions {
  command: string;
  tmpDir?: string;
  /** Read at call time when absent, so PATH changes after construction are seen. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs helm for one target: every call gets a fresh private directory holding the kubeconfig
 * (when the target names a cluster) and the values file (when given), removed afterwards
 * whatever happens. Also the read commands (`history`, `status`) with their JSON parsed.
 */
export class HelmCli {
  constructor(private readonly options: HelmCliOptions) {}

  /**
   * Runs `helm <args> [-f <values>] [--kubeconfig <file>]`.
   *
   * @throws AbortError before starting when the context is already aborted.
   */
  async run(
    target: DeployTarget,
    ctx: DriverContext,
    args: string[],
    deadlineMs: number,
    values?: Record<string, unknown>,
  ): Promise<HelmRunResult> {
    if (ctx.signal.aborted) throw abortedError(`helm ${args[0]}`);
    const work = await HelmWorkDir.create(this.options.tmpDir);
    try {
      const fullArgs = [...args];
      if (values) {
        const file = await work.writePrivate(
          'values.json',
          JSON.stringify(values),
        );
        fullArgs.push('-f', file);
      }
      if (target.cluster) {
        const kubeconfig = kubeconfigFor(target.cluster, target.namespace);
        const file = await work.writePrivate('kubeconfig.yaml', kubeconfig);
        fullArgs.push('--kubeconfig', file);
      }
      // The verb and names only: enough to follow what happened, nothing sensitive.
      ctx.logger.info(
        `helm ${args[0]} ${target.helm?.release} -n ${target.namespace}`,
      );
      return await runHelm({
        command: this.options.command,
        args: fullArgs,
        env: helmEnvironment(this.options.env ?? process.env),
        deadlineMs,
        signal: ctx.signal,
      });
    } finally {
      await work.dispose();
    }
  }

  /**
   * `helm history -o json`, newest first; [] when the release does not exist.
   *
   * @throws Error when helm fails otherwise or prints something that is not a history.
   */
  async history(
    target: DeployTarget,
    ctx: DriverContext,
    masker: SecretMasker,
  ): Promise<HelmHistoryEntry[]> {
    const release = target.helm!.release;
    const args = ['history', release, '-n', target.namespace, '-o', 'json'];
    const result = await this.read(target, ctx, args, `history of ${release}`);
    if (result.code !== 0) {
      const failure = classifyHelmError(result.stderr, masker);
      // A release that was never installed has no history: an answer, not an error.
      if (failure.kind === 'not-found') return [];
      throw new Error(`helm history of ${release} failed: ${failure.error}`);
    }
    return parseHistory(result.stdout);
  }

  /**
   * `helm status -o json`.
   *
   * @throws Error when helm fails or prints something that is not a status.
   */
  async status(
    target: DeployTarget,
    ctx: DriverContext,
    masker: SecretMasker,
  ): Promise<HelmStatus> {
    const release = target.helm!.release;
    const args = ['status', release, '-n', target.namespace, '-o', 'json'];
    const result = await this.read(target, ctx, args, `status of ${release}`);
    if (result.code !== 0) {
      const { error } = classifyHelmError(result.stderr, masker);
      throw new Error(`helm status of ${release} failed: ${error}`);
    }
    return parseStatus(result.stdout);
  }

  /**
   * The revision serving now (the newest `deployed`), or undefined when the history cannot be
   * read: used after a change already happened, where a failed read must not hide the outcome.
   */
  async currentRevision(
    target: DeployTarget,
    ctx: DriverContext,
    masker: SecretMasker,
  ): Promise<DriverRevision | undefined> {
    try {
      const entries = await this.history(target, ctx, masker);
      return toDriverRevisions(entries).find(r => r.current);
    } catch (error) {
      ctx.logger.warn(
        `Could not read the history of ${target.helm?.release}: ${masker.mask(
          String(error),
        )}`,
      );
      return undefined;
    }
  }

  private async read(
    target: DeployTarget,
    ctx: DriverContext,
    args: string[],
    what: string,
  ) {
    const result = await this.run(target, ctx, args, READ_DEADLINE_MS);
    if (result.aborted) throw abortedError(`helm ${what}`);
    if (result.timedOut) {
      throw new Error(
        `helm ${what} did not finish within ${READ_DEADLINE_MS / 1000}s`,
      );
    }
    if (result.stdoutTruncated)
      throw new Error(`helm ${what} printed too much`);
    return result;
  }
}

/**
 * What helm gets of the backend's environment: what it needs to find itself, its caches and a
 * proxy, never the portal's own secrets (database password, CI token) that a helm plugin or
 * getter could read.
 */
export function helmEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const keep =
    /^(PATH|HOME|TMPDIR|TMP|TEMP|LANG|LC_[A-Z]+|TZ|XDG_[A-Z_]+|HELM_[A-Z_]+|SSL_CERT_(FILE|DIR)|(HTTPS?|NO)_PROXY|(https?|no)_proxy)$/;
  return Object.fromEntries(
    Object.entries(env).filter(([key]) => keep.test(key)),
  );
}
