import { KubeConfig, PatchStrategy } from '@kubernetes/client-node';
import type {
  DeployDriver,
  DeployRelease,
  DeployTarget,
  DriverContext,
  DriverProgress,
  DriverRevision,
} from '@helix-portal/plugin-rco-node';
import { followRollout, observed } from './followRollout';
import { labelSelector, ownedRevisions, revisionsOf } from './rolloutHistory';
import {
  ABORT_PATCH,
  imageForRelease,
  parseRevision,
  promotePatches,
  sameTemplate,
  targetContainer,
  templateProblems,
  undoPatch,
  withImage,
} from './rolloutPatches';
import { readProgress, readUndoSource } from './rolloutReads';
import {
  defaultKubeConfigFor,
  hasStatus,
  RolloutsApiError,
  RolloutsClient,
} from './rolloutsClient';
import { POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION, Rollout } from './types';

/** Options of {@link ArgoRolloutsDriver}. */
export interface ArgoRolloutsDriverOptions {
  /**
   * The Kubernetes client configuration of a target. Defaults to one built from
   * `target.cluster` (the Kubernetes plugin's cluster entry: url, serviceAccountToken as bearer
   * token, caData, skipTLSVerify).
   */
  kubeConfigFor?: (target: DeployTarget) => KubeConfig;
  /** How often `rollback` re-reads the Rollout while it waits for it (default 2000 ms). */
  pollIntervalMs?: number;
}

/** `set image` retries a conflicting update this many times (`maxAttempts` of the plugin). */
const MAX_UPDATE_ATTEMPTS = 5;

/**
 * Deploys through an Argo Rollouts `Rollout`, talking to the Kubernetes API with the same writes
 * the `kubectl argo rollouts` plugin makes: `set image` (read, change the container image,
 * update), `promote` and `abort` (merge patches on the status subresource) and `undo` (JSON
 * patch of `spec.template` back to a ReplicaSet's template). The Rollouts controller does the
 * rest; `observe` reads its status and AnalysisRuns.
 */
export class ArgoRolloutsDriver implements DeployDriver {
  readonly id = 'argo-rollouts';
  readonly label = 'Argo Rollouts';
  readonly describe = {
    deployStep: 'Canary rollout (Argo Rollouts)',
    cannotAbortReason:
      'only a canary deploy can be aborted; a rollback runs to its end',
    whereToLook:
      "the Rollout ('kubectl argo rollouts get rollout <name>') and its controller",
  };
  private readonly kubeConfigFor: (target: DeployTarget) => KubeConfig;
  private readonly pollIntervalMs: number;

  constructor(options: ArgoRolloutsDriverOptions = {}) {
    this.kubeConfigFor = options.kubeConfigFor ?? defaultKubeConfigFor;
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
  }

  private open(target: DeployTarget) {
    if (!target.rollout?.name) {
      throw new Error(
        `${target.entityRef} in "${target.environment}" names no Rollout (target.rollout.name)`,
      );
    }
    return {
      client: new RolloutsClient(this.kubeConfigFor(target), target),
      ns: target.namespace,
      name: target.rollout.name,
    };
  }

  async history(
    target: DeployTarget,
    _ctx: DriverContext,
  ): Promise<DriverRevision[]> {
    const { client, ns, name } = this.open(target);
    const rollout = await client.getRollout(ns, name);
    const owned = ownedRevisions(
      rollout,
      await client.listReplicaSets(ns, labelSelector(rollout)),
    );
    return revisionsOf(rollout, owned, target.rollout?.container);
  }

  async deploy(
    target: DeployTarget,
    release: DeployRelease,
    ctx: DriverContext,
  ): Promise<DriverProgress> {
    const { client, ns, name } = this.open(target);
    const container = target.rollout?.container;
    for (let attempt = 1; ; attempt++) {
      const rollout = await client.getRollout(ns, name);
      if (rollout.spec.workloadRef) {
        throw new Error(
          `Rollout ${ns}/${name} takes its template from ${rollout.spec.workloadRef.kind} ${rollout.spec.workloadRef.name} (workloadRef), which this driver does not change`,
        );
      }
      const current = targetContainer(rollout.spec.template, container);
      const image = imageForRelease(current?.image, release);
      if (current?.image === image) {
        // Nothing to change: an update would not start a rollout, so report what is there.
        return readProgress(client, rollout, ctx.logger);
      }
      try {
        // `set image` reads the Rollout, changes the image and sends the whole object back; the
        // resourceVersion in it makes a concurrent change fail with 409 instead of being lost.
        await client.replaceRollout(withImage(rollout, container, image));
        ctx.logger.info(
          `argo-rollouts: ${ns}/${name} container ${
            current?.name ?? '?'
          } image set to ${image}`,
        );
        return {
          phase: 'progressing',
          message: `image of container "${current?.name}" set to ${image}; waiting for the Rollouts controller`,
        };
      } catch (e) {
        if (!hasStatus(e, 409) || attempt >= MAX_UPDATE_ATTEMPTS) throw e;
      }
    }
  }

  async observe(
    target: DeployTarget,
    ctx: DriverContext,
  ): Promise<DriverProgress> {
    const { client, ns, name } = this.open(target);
    let rollout: Rollout;
    try {
      rollout = await client.getRollout(ns, name);
    } catch (e) {
      if (!hasStatus(e, 404)) throw e;
      return { phase: 'unknown', message: `Rollout ${ns}/${name} not found` };
    }
    const revision = parseRevision(
      rollout.metadata.annotations?.[REVISION_ANNOTATION],
    );
    const baseline = parseRevision(ctx.baselineRevision);
    if (
      observed(rollout) &&
      baseline !== undefined &&
      revision !== undefined &&
      revision <= baseline
    ) {
      // The controller has seen the latest spec and made no new revision: this operation's
      // change never reached the cluster (or changed nothing).
      return {
        phase: 'unknown',
        revision: String(revision),
        message: `the Rollout is still at revision ${revision}, the one before this operation`,
      };
    }
    return readProgress(client, rollout, ctx.logger);
  }

  async promote(target: DeployTarget, ctx: DriverContext): Promise<void> {
    const { client, ns, name } = this.open(target);
    const rollout = await client.getRollout(ns, name);
    const patches = promotePatches(rollout);
    let specPatch = patches.spec;
    if (patches.status) {
      try {
        await client.patchRolloutStatus(ns, name, patches.status);
      } catch (e) {
        // NotFound on the subresource means a CRD without status subresource (Rollouts v0.9):
        // the plugin then sends spec and status together to the main resource.
        if (!hasStatus(e, 404)) throw e;
        specPatch = patches.unified;
      }
    }
    if (specPatch) {
      await client.patchRollout(ns, name, specPatch, PatchStrategy.MergePatch);
    }
    ctx.logger.info(`argo-rollouts: ${ns}/${name} promoted`);
  }

  async abort(target: DeployTarget, ctx: DriverContext): Promise<void> {
    const { client, ns, name } = this.open(target);
    try {
      await client.patchRolloutStatus(ns, name, ABORT_PATCH);
    } catch (e) {
      if (!hasStatus(e, 404)) throw e;
      await client.patchRollout(
        ns,
        name,
        ABORT_PATCH,
        PatchStrategy.MergePatch,
      );
    }
    ctx.logger.info(`argo-rollouts: ${ns}/${name} aborted`);
  }

  async rollback(
    target: DeployTarget,
    revision: string | undefined,
    ctx: DriverContext,
  ): Promise<DriverProgress> {
    const { client, ns, name } = this.open(target);
    let source;
    try {
      source = await readUndoSource(client, ns, name, revision);
    } catch (e) {
      if (e instanceof RolloutsApiError) throw e;
      return { phase: 'failed', reasons: [(e as Error).message] };
    }
    const { rollout, rs, rsRevision } = source;
    const hash = rs.metadata.labels![POD_TEMPLATE_HASH_LABEL];
    if (sameTemplate(rollout.spec.template, rs.spec?.template)) {
      ctx.logger.info(
        `argo-rollouts: ${ns}/${name} already has the template of revision ${rsRevision}`,
      );
    } else {
      await client.patchRollout(
        ns,
        name,
        undoPatch(rs),
        PatchStrategy.JsonPatch,
      );
    }
    await ctx.report({
      phase: 'progressing',
      message: `rolling back to revision ${rsRevision} (pod template hash ${hash})`,
    });
    return followRollout({
      read: async () => {
        const current = await client.getRollout(ns, name);
        return {
          rollout: current,
          progress: await readProgress(client, current, ctx.logger),
        };
      },
      hash,
      revision: rsRevision,
      timeoutMs: target.timeoutMs,
      pollIntervalMs: this.pollIntervalMs,
      ctx,
    });
  }

  async rollbackDryRun(
    target: DeployTarget,
    revision: string | undefined,
    ctx: DriverContext,
  ): Promise<DriverProgress> {
    const { client, ns, name } = this.open(target);
    try {
      const { rollout, rs, rsRevision } = await readUndoSource(
        client,
        ns,
        name,
        revision,
      );
      const problems = templateProblems(rs.spec?.template);
      if (problems.length > 0) {
        return { phase: 'failed', revision: rsRevision, reasons: problems };
      }
      // The API server runs admission and validation on the undo patch without storing it.
      await client.patchRollout(
        ns,
        name,
        undoPatch(rs),
        PatchStrategy.JsonPatch,
        { dryRun: true },
      );
      const image = targetContainer(
        rs.spec?.template,
        target.rollout?.container,
      )?.image;
      const same = sameTemplate(rollout.spec.template, rs.spec?.template);
      ctx.logger.info(
        `argo-rollouts: dry-run rollback of ${ns}/${name} to revision ${rsRevision} passed`,
      );
      return {
        phase: 'succeeded',
        revision: rsRevision,
        message: same
          ? `the Rollout already runs the template of revision ${rsRevision}; a rollback would change nothing (dry run, nothing changed)`
          : `rollback to revision ${rsRevision}${
              image ? ` (${image})` : ''
            } passed the server-side dry run; nothing changed`,
      };
    } catch (e) {
      return { phase: 'failed', reasons: [(e as Error).message] };
    }
  }
}
