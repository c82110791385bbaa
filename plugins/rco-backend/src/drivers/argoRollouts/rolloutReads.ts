/**
 * The reads behind the driver's answers: a Rollout with its AnalysisRuns, and the ReplicaSet an
 * `undo` would return to.
 */
import type { DriverProgress } from '@helix-portal/plugin-rco-node';
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  labelSelector,
  ownedRevisions,
  replicaSetForRevision,
  replicaSetRevision,
} from './rolloutHistory';
import { parseRevision } from './rolloutPatches';
import { analysisRunNames } from './analysisProgress';
import { rolloutProgress } from './rolloutProgress';
import { RolloutsClient } from './rolloutsClient';
import { AnalysisRun, ReplicaSet, Rollout } from './types';

/**
 * Reads the AnalysisRuns the Rollout points at and maps both to a `DriverProgress`. Unreadable
 * runs are logged and skipped: the Rollout's own status still carries the verdict, the metrics
 * are a detail.
 */
export async function readProgress(
  client: RolloutsClient,
  rollout: Rollout,
  logger: LoggerService,
): Promise<DriverProgress> {
  const runs: AnalysisRun[] = [];
  for (const name of analysisRunNames(rollout)) {
    try {
      runs.push(
        await client.getAnalysisRun(rollout.metadata.namespace ?? '', name),
      );
    } catch (e) {
      logger.warn(`argo-rollouts: ${(e as Error).message}`);
    }
  }
  return rolloutProgress(rollout, runs);
}

/** What an `undo` starts from. */
export interface UndoSource {
  rollout: Rollout;
  /** The ReplicaSet whose template is restored. */
  rs: ReplicaSet;
  /** Its revision number. */
  rsRevision: string;
}

/**
 * Reads the Rollout and the ReplicaSet of the wanted revision (the previous one when none is
 * given), as `undo` looks them up. Throws a plain `Error` when there is no such revision.
 */
export async function readUndoSource(
  client: RolloutsClient,
  ns: string,
  name: string,
  revision: string | undefined,
): Promise<UndoSource> {
  const wanted = revision === undefined ? undefined : parseRevision(revision);
  if (revision !== undefined && wanted === undefined) {
    throw new Error(`"${revision}" is not a Rollout revision number`);
  }
  const rollout = await client.getRollout(ns, name);
  const owned = ownedRevisions(
    rollout,
    await client.listReplicaSets(ns, labelSelector(rollout)),
  );
  const rs = replicaSetForRevision(rollout, owned, wanted);
  return {
    rollout,
    rs,
    rsRevision: String(replicaSetRevision(rs) ?? revision),
  };
}
