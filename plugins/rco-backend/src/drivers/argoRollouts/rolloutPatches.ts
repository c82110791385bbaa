/**
 * What the `kubectl argo rollouts` plugin computes before it writes, as pure functions over wire
 * JSON: the image change of `set image`, the patches of `promote`, and the ReplicaSet choice and
 * template patch of `undo` (pkg/kubectl-argo-rollouts/cmd/{set,promote,undo}).
 */
import { isDeepStrictEqual } from 'node:util';
import {
  Container,
  PodTemplate,
  POD_TEMPLATE_HASH_LABEL,
  ReplicaSet,
  Rollout,
} from './types';

/** `{"spec":{"paused":false}}` — promote's spec patch, sent only when `spec.paused` is set. */
export const UNPAUSE_PATCH = { spec: { paused: false } };
/** `{"status":{"abort":true}}` — abort's status patch. */
export const ABORT_PATCH = { status: { abort: true } };

/** A parsed integer revision, or undefined (absent or not a number). */
export function parseRevision(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/**
 * Returns a copy of the Rollout with the image replaced, as `set image` does: by name across
 * init, regular and ephemeral containers; the first regular container when no name is given.
 * Throws when no container matches.
 */
export function withImage(
  rollout: Rollout,
  container: string | undefined,
  image: string,
): Rollout {
  const copy: Rollout = structuredClone(rollout);
  const podSpec = copy.spec.template?.spec;
  let found = false;
  if (container === undefined) {
    const first = podSpec?.containers?.[0];
    if (first) {
      first.image = image;
      found = true;
    }
  } else {
    for (const list of [
      podSpec?.initContainers,
      podSpec?.containers,
      podSpec?.ephemeralContainers,
    ]) {
      for (const ctr of list ?? []) {
        if (ctr.name === container) {
          ctr.image = image;
          found = true;
        }
      }
    }
  }
  if (!found) {
    throw new Error(
      container === undefined
        ? `Rollout ${rollout.metadata.name} has no container in spec.template`
        : `unable to find container named "${container}" in Rollout ${rollout.metadata.name}`,
    );
  }
  return copy;
}

/** The container whose image the driver manages (named, or the first). */
export function targetContainer(
  template: PodTemplate | undefined,
  name: string | undefined,
): Container | undefined {
  const containers = template?.spec?.containers ?? [];
  return name === undefined
    ? containers[0]
    : containers.find(c => c.name === name);
}

/**
 * The image to deploy: the release's full reference, or the current repository pinned to the
 * release digest (tag and previous digest dropped).
 */
export function imageForRelease(
  currentImage: string | undefined,
  release: { image?: string; digest?: string },
): string {
  if (release.image) return release.image;
  if (!release.digest) {
    throw new Error('the release has neither an image nor a digest to deploy');
  }
  if (!currentImage) {
    throw new Error(
      'the release only has a digest and the container has no image to take the repository from',
    );
  }
  const withoutDigest = currentImage.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  // A colon after the last slash is a tag; one before it belongs to a registry host:port.
  const repo =
    lastColon > lastSlash ? withoutDigest.slice(0, lastColon) : withoutDigest;
  const digest = release.digest.includes(':')
    ? release.digest
    : `sha256:${release.digest}`;
  return `${repo}@${digest}`;
}

/** The canary index the controller is at (`GetCurrentCanaryStep`); undefined without steps. */
export function currentStepIndex(rollout: Rollout): number | undefined {
  const steps = rollout.spec.strategy?.canary?.steps;
  if (!steps || steps.length === 0) return undefined;
  return rollout.status?.currentStepIndex ?? 0;
}

/**
 * The patches of a plain `promote` (no `--full`), as `getPatches` builds them: clear the pause
 * conditions when there are some, otherwise (a canary in the middle of a step) move to the next
 * step; unpause the spec only when it is paused. `unified` is the single-object patch the plugin
 * falls back to when the CRD has no status subresource (Rollouts v0.9).
 */
export function promotePatches(rollout: Rollout): {
  spec?: object;
  status?: object;
  unified: object;
} {
  const spec = rollout.spec.paused ? UNPAUSE_PATCH : undefined;
  if ((rollout.status?.pauseConditions ?? []).length > 0) {
    return {
      spec,
      status: { status: { pauseConditions: null } },
      unified: { spec: { paused: false }, status: { pauseConditions: null } },
    };
  }
  const index = rollout.spec.strategy?.canary
    ? currentStepIndex(rollout)
    : undefined;
  if (index !== undefined) {
    const steps = rollout.spec.strategy?.canary?.steps?.length ?? 0;
    const next = index < steps ? index + 1 : index;
    return {
      spec,
      status: { status: { pauseConditions: null, currentStepIndex: next } },
      unified: {
        spec: { paused: false },
        status: { pauseConditions: null, currentStepIndex: next },
      },
    };
  }
  return {
    spec,
    unified: { spec: { paused: false }, status: { pauseConditions: null } },
  };
}

/** A pod template without the pod-template-hash label (what `undo` writes back). */
export function templateWithoutHash(template: PodTemplate): PodTemplate {
  const copy: PodTemplate = structuredClone(template);
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  }
  return copy;
}

/** Drops empty values so that a model round trip (`null`, `{}`) does not count as a change. */
function pruned(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pruned);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const p = pruned(v);
      if (p === null || p === undefined) continue;
      if (
        typeof p === 'object' &&
        !Array.isArray(p) &&
        Object.keys(p).length === 0
      )
        continue;
      out[k] = p;
    }
    return out;
  }
  return value;
}

/**
 * True when the Rollout's template already is the ReplicaSet's one, hash label aside
 * (`equalIgnoreHash`; empty fields ignored, standing in for `Semantic.DeepDerivative`).
 */
export function sameTemplate(
  a: PodTemplate | undefined,
  b: PodTemplate | undefined,
): boolean {
  return isDeepStrictEqual(
    pruned(templateWithoutHash(a ?? {})),
    pruned(templateWithoutHash(b ?? {})),
  );
}

/**
 * The undo patch: a JSON patch replacing `/spec/template` with the ReplicaSet's template minus
 * the hash label (`getRolloutPatch`).
 */
export function undoPatch(
  rs: ReplicaSet,
): Array<{ op: 'replace'; path: string; value: unknown }> {
  return [
    {
      op: 'replace',
      path: '/spec/template',
      value: templateWithoutHash(rs.spec?.template ?? {}),
    },
  ];
}

/** Problems that make a ReplicaSet's template unfit to restore (empty when it is fine). */
export function templateProblems(template: PodTemplate | undefined): string[] {
  const problems: string[] = [];
  const containers = template?.spec?.containers ?? [];
  if (containers.length === 0)
    problems.push('the pod template has no containers');
  for (const c of containers) {
    if (!c.name) problems.push('a container of the pod template has no name');
    if (!c.image) problems.push(`container "${c.name ?? '?'}" has no image`);
  }
  return problems;
}
