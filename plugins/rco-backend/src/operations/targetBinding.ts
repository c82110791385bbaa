import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, ServiceUnavailableError } from '@backstage/errors';
import { DeployTarget } from '@helix-portal/plugin-rco-node';
import { TargetClaimRow, TargetClaimStore } from '../database/TargetClaimStore';

/**
 * A deploy target belongs to one entity (issue 10, point 1; ADR 0007). This file is the one home
 * of that rule: which entity kinds may operate at all, what a target's key is, and who holds a
 * target (configuration first, then the recorded first claim).
 */

/** The parts of a target that say what it changes. */
export interface TargetParts {
  environment: string;
  /** The configured cluster's name (recorded with a claim; not part of the key). */
  cluster?: string;
  /**
   * The cluster's API server URL. The key uses it, normalised (clusterIdentity), because two
   * cluster entries, or two environments, with one URL reach one release.
   */
  clusterUrl?: string;
  namespace: string;
  driver: string;
  /** The Helm release or Rollout name. */
  name: string;
}

/** The Helm release or Rollout a target changes (module drivers name theirs like a Rollout). */
export function targetName(target: DeployTarget): string {
  return (
    (target.driver === 'helm' ? target.helm?.release : target.rollout?.name) ??
    ''
  );
}

export function targetParts(target: DeployTarget): TargetParts {
  return {
    environment: target.environment,
    cluster: target.cluster?.name,
    clusterUrl: target.cluster?.url,
    namespace: target.namespace,
    driver: target.driver,
    name: targetName(target),
  };
}

/**
 * What a cluster is, as far as configuration can tell: its API server URL with the host in
 * lowercase, the port spelled out (443 for https, 80 for http), no trailing slash, no query.
 * `https://K8S.example:443/` and `https://k8s.example` are one cluster. A path is kept (a proxy
 * may serve several clusters under one host). Two DNS names of one server cannot be told apart
 * here: ADR 0007 says to bind such targets in configuration.
 */
export function clusterIdentity(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return `unparsed:${url.trim().toLowerCase().replace(/\/+$/, '')}`;
  }
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
  const port = parsed.port || (parsed.protocol === 'http:' ? '80' : '443');
  const path = parsed.pathname.replace(/\/+$/, '').replace(/\|/g, '%7C');
  return `${host}:${port}${path}`;
}

/**
 * Where a target without a cluster lives: the backend's own Kubernetes context (its kubeconfig
 * or service account), the same for every environment that names no cluster. Cannot be the
 * identity of a URL, which always has a port.
 */
export const OWN_CONTEXT = 'own-context';

/**
 * The normalised target key: the operation lock key and the binding key are this one string, so
 * "one operation at a time" and "one entity" speak of the same thing. It names what the tool
 * changes, and nothing about how the console got there: the cluster by its URL (not by the name
 * of its config entry), the namespace and the release or Rollout name. Not the environment
 * (two environments on one cluster and namespace reach one release) and not the driver (a Helm
 * release and the Rollout its chart installs share their name; keeping them apart would let two
 * entities hold one service). Lowercase, because Kubernetes names are and an entity ref
 * differing only in case is the same entity. The simulated cluster keeps one service per entity
 * and environment, so its key names both.
 */
export function targetKey(
  parts: TargetParts,
  simulated: boolean,
  entityRef: string,
): string {
  if (simulated)
    return `${parts.environment}|entity|${entityRef}`.toLowerCase();
  return [
    parts.clusterUrl ? clusterIdentity(parts.clusterUrl) : OWN_CONTEXT,
    parts.namespace,
    parts.name,
  ]
    .join('|')
    .toLowerCase();
}

/**
 * The key before targets were keyed by cluster URL (`environment|cluster name|namespace|driver|
 * name`): an operation that was active during the upgrade holds its lock under it.
 */
export function legacyTargetKey(parts: TargetParts): string {
  return [
    parts.environment,
    parts.cluster ?? '',
    parts.namespace,
    parts.driver,
    parts.name,
  ]
    .join('|')
    .toLowerCase();
}

/** Who holds a target, as the asking entity may know it. */
export type BindingDecision =
  /** Configuration binds it to the asking entity. */
  | 'configured'
  /** The asking entity claimed it first. */
  | 'claimed'
  /** The entity's own by construction: the simulated cluster keeps one service per entity. */
  | 'own'
  /** Nobody: the asking entity's first operation would claim it. */
  | 'unclaimed'
  /** Another entity, by configuration or by claim (never said which). */
  | 'elsewhere';

/**
 * The binding rule. A configured binding wins over any claim (a claim recorded before the
 * binding was configured does not take the target from the configured entity).
 */
export function decideBinding(input: {
  entityRef: string;
  configured?: string;
  claim?: Pick<TargetClaimRow, 'entityRef'>;
}): BindingDecision {
  const me = input.entityRef.toLowerCase();
  if (input.configured !== undefined) {
    return input.configured.toLowerCase() === me ? 'configured' : 'elsewhere';
  }
  if (!input.claim) return 'unclaimed';
  return input.claim.entityRef.toLowerCase() === me ? 'claimed' : 'elsewhere';
}

/** Entity kinds compared as Backstage compares them: case-insensitively. */
export function kindAllowed(entity: Entity, kinds: string[]): boolean {
  const kind = entity.kind.toLowerCase();
  return kinds.some(k => k.toLowerCase() === kind);
}

/**
 * What the environments list says about a target this entity does not hold. The same words
 * whether nobody or somebody else holds it: the list must not tell a stranger that a release of
 * that name is in use.
 */
export const NOT_BOUND_MESSAGE =
  'This target is not bound to this entity, so its revisions are not shown. A binding in ' +
  'rco.environments[].bindings binds it; so does this entity’s first deploy of a release ' +
  'that does not exist yet.';

/** Enforces the binding rule over the configured bindings and the recorded claims. */
export class TargetBindings {
  constructor(
    private readonly o: {
      /** `rco.operations.entityKinds`. */
      entityKinds: string[];
      /** Configured bindings: target key → entity ref. */
      configured: Map<string, string>;
      store: TargetClaimStore;
      /**
       * The key a recorded claim holds now. A claim recorded under an older key format (see
       * legacyTargetKey) is worked out again from its row; default: the key it was recorded
       * under.
       */
      keyOfClaim?: (row: TargetClaimRow) => string;
    },
  ) {}

  /** Claims carried over from past operations (claimBackfill.ts), recorded before any new one. */
  private backfilled: Promise<unknown> = Promise.resolve();

  /** First claims wait for this: a backfilled claim must not lose to a stranger's first claim. */
  awaitBackfill(done: Promise<unknown>) {
    this.backfilled = done.catch(() => undefined);
  }

  /** 403 for kinds that may not operate; says nothing about any target. */
  assertKind(entity: Entity) {
    if (!kindAllowed(entity, this.o.entityKinds)) {
      throw new NotAllowedError(
        `Entities of kind ${
          entity.kind
        } do not deploy through the console (rco.operations.entityKinds: ${this.o.entityKinds.join(
          ', ',
        )})`,
      );
    }
  }

  /** Who holds the target with this key, from the asking entity's point of view. */
  async decide(
    entityRef: string,
    key: string,
    simulated = false,
  ): Promise<BindingDecision> {
    // Its key names the entity (targetKey), so no other entity can ever ask for it.
    if (simulated) return 'own';
    const configured = this.o.configured.get(key);
    return decideBinding({
      entityRef,
      configured,
      claim: configured === undefined ? await this.holder(key) : undefined,
    });
  }

  /**
   * The claim holding the target with this key: of all claims of that namespace and name whose
   * key is this one now, the oldest. Two claims can map to one key when they were recorded under
   * keys that told one release apart by environment or cluster name (issue 10, point 1): the
   * entity that was there first keeps it.
   */
  async holder(key: string): Promise<TargetClaimRow | undefined> {
    const parts = key.split('|');
    if (parts.length !== 3) return this.o.store.get(key);
    const keyOf = this.o.keyOfClaim ?? ((row: TargetClaimRow) => row.targetKey);
    const rows = await this.o.store.listByName(parts[1], parts[2]);
    return rows
      .filter(row => keyOf(row).toLowerCase() === key)
      .sort((a, b) => a.claimedAt.getTime() - b.claimedAt.getTime())[0];
  }

  /**
   * A first claim is for a target the console is about to create. One that exists already, with
   * history, was someone's before the console knew it (nothing is carried over from a time
   * without claims except past operations, see claimBackfill.ts): only configuration may say
   * whose. Unknown counts as existing.
   */
  private async assertNew(
    target: DeployTarget,
    exists: (() => Promise<boolean>) | undefined,
  ) {
    if (!exists) return;
    const { driver, name, namespace } = targetParts(target);
    const what = `${target.environment}: ${driver} target "${name}" in namespace ${namespace}`;
    let found: boolean;
    try {
      found = await exists();
    } catch {
      // The driver's error may describe the cluster; the caller learns only that it failed.
      throw new ServiceUnavailableError(
        `${what}: could not tell whether the release exists, so it was not claimed. Try again, or bind it in rco.environments[].bindings`,
      );
    }
    if (found) {
      throw new NotAllowedError(
        `${what}: release exists and is not bound to this entity: bind it in rco.environments[].bindings`,
      );
    }
  }

  /**
   * Before an operation is created: the entity holds the target, or claims it now (audited,
   * exactly one of concurrent first claims wins), or gets 403 without learning who holds it.
   * The caller has checked the deploy or rollback permission on the entity already.
   */
  async holdOrClaim(
    entity: Entity,
    target: DeployTarget,
    key: string,
    actor: string,
    simulated = false,
    /** Whether the release or Rollout exists with history (the driver's fresh read). */
    exists?: () => Promise<boolean>,
  ): Promise<BindingDecision> {
    const entityRef = stringifyEntityRef(entity);
    let decision = await this.decide(entityRef, key, simulated);
    if (decision === 'unclaimed') {
      await this.backfilled;
      decision = await this.decide(entityRef, key, simulated);
    }
    if (decision === 'unclaimed') {
      await this.assertNew(target, exists);
      const { clusterUrl: _url, ...parts } = targetParts(target);
      await this.o.store.claim({
        ...parts,
        targetKey: key,
        entityRef: entityRef.toLowerCase(),
        claimedBy: actor,
      });
      // Whoever holds it now, older claims of the same release under another key included.
      decision = await this.decide(entityRef, key, simulated);
    }
    if (decision === 'elsewhere') {
      const parts = targetParts(target);
      throw new NotAllowedError(
        `${target.environment}: ${parts.driver} target "${parts.name}" in namespace ${parts.namespace} is bound to another entity; ${entityRef} may not operate on it`,
      );
    }
    return decision;
  }
}
