/**
 * A Rollout's revisions are its ReplicaSets: how `undo` finds them and picks one, and how they
 * read as the service's deploy history.
 */
import type { DriverRevision } from '@helix-portal/plugin-rco-node';
import { parseRevision, targetContainer } from './rolloutPatches';
import {
  POD_TEMPLATE_HASH_LABEL,
  ReplicaSet,
  REVISION_ANNOTATION,
  Rollout,
} from './types';

/** The label selector string of the Rollout (`metav1.LabelSelectorAsSelector(...).String()`). */
export function labelSelector(rollout: Rollout): string {
  const selector = rollout.spec.selector ?? {};
  const parts = Object.keys(selector.matchLabels ?? {})
    .sort()
    .map(k => `${k}=${selector.matchLabels![k]}`);
  for (const expr of selector.matchExpressions ?? []) {
    const values = [...(expr.values ?? [])].sort().join(',');
    switch (expr.operator) {
      case 'In':
        parts.push(`${expr.key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${expr.key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(expr.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${expr.key}`);
        break;
      default:
        throw new Error(`unsupported selector operator ${expr.operator}`);
    }
  }
  return parts.join(',');
}

/**
 * The ReplicaSets that are revisions of the Rollout: controlled by it (owner UID, as
 * `metav1.IsControlledBy`) and carrying the pod-template-hash label.
 */
export function ownedRevisions(
  rollout: Rollout,
  all: ReplicaSet[],
): ReplicaSet[] {
  return all.filter(
    rs =>
      rs.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] !== undefined &&
      (rs.metadata.ownerReferences ?? []).some(
        o =>
          o.controller === true &&
          o.uid !== undefined &&
          o.uid === rollout.metadata.uid,
      ),
  );
}

/** The revision number of a ReplicaSet (`0` without the annotation, as `undo` reads it). */
export function replicaSetRevision(rs: ReplicaSet): number | undefined {
  const value = rs.metadata.annotations?.[REVISION_ANNOTATION];
  return value === undefined ? 0 : parseRevision(value);
}

/**
 * The ReplicaSet to return to (`rolloutRevision`): the one annotated with `toRevision`, or the
 * second newest when none is asked for. Throws with the plugin's wording when there is none.
 */
export function replicaSetForRevision(
  rollout: Rollout,
  owned: ReplicaSet[],
  toRevision: number | undefined,
): ReplicaSet {
  const numbered = owned
    .map(rs => ({ rs, rev: replicaSetRevision(rs) }))
    .filter((x): x is { rs: ReplicaSet; rev: number } => x.rev !== undefined);
  if (toRevision !== undefined && toRevision > 0) {
    const hit = numbered.find(x => x.rev === toRevision);
    if (!hit)
      throw new Error(
        `unable to find specified revision ${toRevision} in history`,
      );
    return hit.rs;
  }
  const sorted = numbered.sort((a, b) => b.rev - a.rev);
  if (sorted.length < 2) {
    throw new Error(`no revision found for rollout "${rollout.metadata.name}"`);
  }
  return sorted[1].rs;
}

/**
 * The ReplicaSets as deploy history, newest first: `current` is the one serving (the stable
 * ReplicaSet, or the current pod hash before a first stable exists).
 */
export function revisionsOf(
  rollout: Rollout,
  owned: ReplicaSet[],
  container: string | undefined,
): DriverRevision[] {
  const status = rollout.status ?? {};
  const serving = status.stableRS ?? status.currentPodHash;
  return owned
    .map(rs => {
      const hash = rs.metadata.labels![POD_TEMPLATE_HASH_LABEL];
      const current = hash === serving;
      let state = 'superseded';
      if (current) state = 'stable';
      else if (hash === status.currentPodHash) {
        if (status.abort) state = 'aborted';
        else if (status.phase === 'Degraded') state = 'failed';
        else state = 'canary';
      }
      const ts = rs.metadata.creationTimestamp;
      return {
        revision: rs.metadata.annotations?.[REVISION_ANNOTATION] ?? '0',
        status: state,
        updatedAt: ts ? new Date(ts).toISOString() : undefined,
        description: `pod template hash ${hash}, ${
          rs.status?.readyReplicas ?? 0
        }/${rs.spec?.replicas ?? 0} ready`,
        image: targetContainer(rs.spec?.template, container)?.image,
        current,
      };
    })
    .sort(
      (a, b) =>
        (parseRevision(b.revision) ?? 0) - (parseRevision(a.revision) ?? 0),
    );
}
