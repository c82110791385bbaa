import {
  DeployDriver,
  DeployRelease,
  DeployTarget,
  DriverContext,
  DriverProgress,
  DriverRevision,
} from '@helix-portal/plugin-rco-node';
import { HelmCli } from './HelmCli';
import {
  READ_DEADLINE_MS,
  abortedError,
  checkTarget,
  graceMs,
  revisionArgs,
  timeoutSeconds,
} from './helmArgs';
import { HelmFailure, SecretMasker, classifyHelmError } from './helmErrors';
import { mergeReleaseValues } from './helmFiles';
import { toDriverRevisions } from './helmOutput';
import {
  dryRunFailed,
  killedForTimeout,
  lockedOutcome,
  rollbackFailed,
  upgradeFailed,
} from './outcomes';
import { reconcileHistory } from './reconcile';

/**
 * Options of {@link HelmDriver}.
 *
 * @public
 */
export interface HelmDriverOptions {
  /** The helm executable: a name looked up on `env.PATH` (default `helm`) or a path. */
  helmCommand?: string;
  /** Where the per-call private directories (kubeconfig, values) are created; the OS default. */
  tmpDir?: string;
  /** Environment of the helm process; `process.env` (read at call time) when absent. */
  env?: NodeJS.ProcessEnv;
}

/** While helm blocks, progress is reported this often so the operation's lease stays alive. */
const HEARTBEAT_MS = 15_000;

const describeTarget = (revision: string | undefined) =>
  revision ? `revision ${revision}` : 'the previous revision';

/**
 * Deploys and rolls back with the `helm` CLI (Helm 3 or 4), spawned without a shell:
 * `upgrade --install --atomic --wait --timeout`, `rollback --wait`, `rollback --dry-run`,
 * `history -o json`, `status -o json`.
 *
 * The cluster token goes into a temporary kubeconfig (mode 0600) and the values into a temporary
 * values file (mode 0600, JSON, with the release's image merged in as `mergeReleaseValues`
 * describes); both are removed after each call. Neither ever appears on the command line, in
 * returned messages or in logs. Helm has no canary pauses, so there is no promote or abort.
 *
 * @public
 */
export class HelmDriver implements DeployDriver {
  readonly id = 'helm';
  readonly label = 'Helm';
  readonly describe = {
    deployStep: 'helm upgrade --install --atomic --wait',
    cannotAbortReason:
      'helm is not stopped half way; --atomic rolls a failed upgrade back itself',
    whereToLook: "the Helm history ('helm history <release>')",
  };
  private readonly cli: HelmCli;

  constructor(options: HelmDriverOptions = {}) {
    this.cli = new HelmCli({
      command: options.helmCommand ?? 'helm',
      tmpDir: options.tmpDir,
      env: options.env,
    });
  }

  async history(
    target: DeployTarget,
    ctx: DriverContext,
  ): Promise<DriverRevision[]> {
    checkTarget(target);
    const entries = await this.cli.history(target, ctx, masker(target));
    return toDriverRevisions(entries);
  }

  async observe(
    target: DeployTarget,
    ctx: DriverContext,
  ): Promise<DriverProgress> {
    const helm = checkTarget(target);
    const mask = masker(target);
    const entries = await this.cli.history(target, ctx, mask);
    return reconcileHistory(helm.release, entries, ctx.baselineRevision, t =>
      mask.mask(t),
    );
  }

  async deploy(
    target: DeployTarget,
    release: DeployRelease,
    ctx: DriverContext,
  ): Promise<DriverProgress> {
    const helm = checkTarget(target);
    const values = mergeReleaseValues(helm.values, release);
    const mask = masker(target, values);
    const seconds = timeoutSeconds(target.timeoutMs);
    const args = ['upgrade', '--install', helm.release, helm.chart];
    if (helm.chartVersion) args.push('--version', helm.chartVersion);
    args.push('--namespace', target.namespace, '--atomic', '--wait');
    args.push('--timeout', `${seconds}s`);
    // With --atomic a failed upgrade is followed by a rollback that waits up to the same timeout
    // again; stopping helm in the middle of it would leave the release locked (pending-rollback).
    const deadlineMs = 2 * target.timeoutMs + graceMs(target.timeoutMs);

    const result = await withHeartbeat(
      ctx,
      `helm upgrade --install ${helm.release}: waiting up to ${seconds}s for the release to be ready`,
      () => this.cli.run(target, ctx, args, deadlineMs, values),
    );
    if (result.aborted) throw abortedError(`helm upgrade of ${helm.release}`);
    if (result.timedOut) return killedForTimeout(target, 'upgrade', deadlineMs);
    if (result.code === 0) return this.afterUpgrade(target, ctx, mask);

    const failure = classifyHelmError(result.stderr, mask);
    ctx.logger.warn(`helm upgrade of ${helm.release} failed: ${failure.error}`);
    if (failure.kind === 'locked')
      return this.locked(target, ctx, mask, failure);
    const current =
      failure.kind === 'atomic-rolled-back'
        ? await this.cli.currentRevision(target, ctx, mask)
        : undefined;
    return upgradeFailed(helm.release, failure, seconds, current);
  }

  async rollback(
    target: DeployTarget,
    revision: string | undefined,
    ctx: DriverContext,
  ): Promise<DriverProgress> {
    const helm = checkTarget(target);
    const mask = masker(target);
    const seconds = timeoutSeconds(target.timeoutMs);
    const to = describeTarget(revision);
    const args = ['rollback', helm.release, ...revisionArgs(revision)];
    args.push('--namespace', target.namespace, '--wait');
    args.push('--timeout', `${seconds}s`);
    const deadlineMs = target.timeoutMs + graceMs(target.timeoutMs);

    const result = await withHeartbeat(
      ctx,
      `helm rollback ${helm.release} to ${to}: waiting up to ${seconds}s`,
      () => this.cli.run(target, ctx, args, deadlineMs),
    );
    if (result.aborted) throw abortedError(`helm rollback of ${helm.release}`);
    if (result.timedOut) {
      return killedForTimeout(target, 'rollback', deadlineMs);
    }
    if (result.code === 0) {
      const current = await this.cli.currentRevision(target, ctx, mask);
      return {
        phase: 'succeeded',
        revision: current?.revision,
        message: `Rolled ${helm.release} back to ${to}${
          current ? ` (now revision ${current.revision})` : ''
        }.`,
      };
    }
    const failure = classifyHelmError(result.stderr, mask);
    ctx.logger.warn(
      `helm rollback of ${helm.release} failed: ${failure.error}`,
    );
    if (failure.kind === 'locked')
      return this.locked(target, ctx, mask, failure);
    return rollbackFailed(target, failure, to, seconds);
  }

  async rollbackDryRun(
    target: DeployTarget,
    revision: string | undefined,
    ctx: DriverContext,
  ): Promise<DriverProgress> {
    const helm = checkTarget(target);
    const to = describeTarget(revision);
    const args = ['rollback', helm.release, ...revisionArgs(revision)];
    args.push('--dry-run', '--namespace', target.namespace);
    const result = await this.cli.run(target, ctx, args, READ_DEADLINE_MS);
    if (result.aborted) {
      throw abortedError(`helm rollback --dry-run of ${helm.release}`);
    }
    if (result.timedOut) {
      return {
        phase: 'failed',
        message: `helm rollback --dry-run of ${helm.release} did not answer.`,
        reasons: [
          `Timeout: helm did not finish within ${
            READ_DEADLINE_MS / 1000
          }s and was stopped.`,
        ],
      };
    }
    if (result.code === 0) {
      return {
        phase: 'succeeded',
        message: `A rollback of ${helm.release} to ${to} is possible (dry run, nothing changed).`,
      };
    }
    const failure = classifyHelmError(result.stderr, masker(target));
    return dryRunFailed(target, failure, to);
  }

  /** After a successful upgrade: the revision from `status -o json`, or history without one. */
  private async afterUpgrade(
    target: DeployTarget,
    ctx: DriverContext,
    mask: SecretMasker,
  ): Promise<DriverProgress> {
    const release = target.helm!.release;
    let revision: string | undefined;
    let status: string | undefined;
    try {
      const read = await this.cli.status(target, ctx, mask);
      status = read.status;
      if (read.revision !== undefined) revision = String(read.revision);
    } catch (error) {
      // The upgrade itself succeeded: a failed read must not turn that into an error.
      ctx.logger.warn(
        `Could not read the status of ${release}: ${mask.mask(String(error))}`,
      );
    }
    // Some helm outputs have no `version` in the status: the history's deployed entry has it.
    revision ??= (await this.cli.currentRevision(target, ctx, mask))?.revision;
    return {
      phase: 'succeeded',
      revision,
      message: revision
        ? `Revision ${revision} of ${release} is ${status ?? 'deployed'}.`
        : `helm upgrade --install of ${release} succeeded (its revision could not be read).`,
    };
  }

  private async locked(
    target: DeployTarget,
    ctx: DriverContext,
    mask: SecretMasker,
    failure: HelmFailure,
  ): Promise<DriverProgress> {
    // The history names the pending revision and the one to roll back to; best effort.
    const entries = await this.cli.history(target, ctx, mask).catch(() => []);
    return lockedOutcome(target, failure, entries);
  }
}

/** Everything of this target that must never be echoed: its token and its values' strings. */
function masker(target: DeployTarget, values?: unknown) {
  return new SecretMasker({
    token: target.cluster?.serviceAccountToken,
    values: values ?? target.helm?.values,
  });
}

/** Reports `progressing` now and every HEARTBEAT_MS while `work` runs (keeps the lease alive). */
async function withHeartbeat<T>(
  ctx: DriverContext,
  message: string,
  work: () => Promise<T>,
): Promise<T> {
  const beat = () =>
    ctx
      .report({ phase: 'progressing', message })
      .catch(error =>
        ctx.logger.warn(`Could not report progress: ${String(error)}`),
      );
  await beat();
  const timer = setInterval(beat, HEARTBEAT_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
