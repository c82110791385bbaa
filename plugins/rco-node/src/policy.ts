import { Config } from '@backstage/config';
import {
  AuthorizeResult,
  ConditionalPolicyDecision,
  isPermission,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  rcoCollectionRefreshPermission,
  rcoDeployPermission,
  rcoEvidenceCreatePermission,
  rcoOperationControlPermission,
  rcoOverrideCreatePermission,
  rcoReleaseRequestPermission,
  rcoRollbackPermission,
  rcoSignoffCreatePermission,
  rcoSignoffRevokePermission,
  rcoWaiverCreatePermission,
} from '@helix-portal/plugin-rco-common';

/**
 * The groups the rco decisions go to. {@link readRcoPolicyGroups} reads them from the same keys
 * as the rco backend plugin, so the policy and the plugin name the same groups. A group that is
 * not configured names nobody: no catalog group gets power because of its name.
 *
 * @public
 */
export interface RcoPolicyGroups {
  /**
   * Groups whose members may sign off (the configured ones of rco.signoffs.groups.po, .dpo,
   * .security). Empty: nobody signs off.
   */
  signoff: string[];
  /**
   * Who may revoke other people's sign-offs (rco.signoffs.revokeGroup). Unset: nobody; the
   * plugin lets a signer revoke their own decision whatever the policy says.
   */
  signoffRevoke?: string;
  /** rco.waivers.group. Unset: nobody waives a gate. */
  waiver?: string;
  /** rco.breakGlass.group. Unset: nobody breaks glass. */
  breakGlass?: string;
}

/** A full entity ref of a group or a user: kind, namespace and name. */
const GROUP_REF = /^(group|user):[^\s:/]+\/[^\s:/]+$/i;

/**
 * Reads one rco group setting (for example `waivers.group`) from the `rco` config section, the
 * way the rco backend plugin and {@link readRcoPolicyGroups} both read them. Unset: undefined,
 * which names nobody. A value that is not a full entity ref of kind group or user (`security`,
 * `default/security`, blank) throws an error naming the key: such a value matches no ownership
 * ref, so it would silently grant nobody while the portal believes it named a group.
 *
 * @public
 */
export function readRcoGroupRef(
  rco: Config | undefined,
  key: string,
): string | undefined {
  const raw = rco?.getOptionalString(key);
  if (raw === undefined) return undefined;
  const value = raw.trim();
  if (!GROUP_REF.test(value)) {
    throw new Error(
      `rco.${key}: "${raw}" is not a full entity ref of a group or user such as group:default/security`,
    );
  }
  return value;
}

/**
 * Reads {@link RcoPolicyGroups} from the root config: rco.signoffs.groups.*,
 * rco.signoffs.revokeGroup, rco.waivers.group and rco.breakGlass.group. There are no defaults:
 * without an `rco` section (or without one of these keys) the decision it governs is denied to
 * everyone, as the rco backend plugin refuses it too. A malformed value throws (see
 * {@link readRcoGroupRef}).
 *
 * @public
 */
export function readRcoPolicyGroups(config: Config): RcoPolicyGroups {
  const rco = config.getOptionalConfig('rco');
  const group = (key: string) => readRcoGroupRef(rco, key);
  return {
    signoff: ['po', 'dpo', 'security']
      .map(role => group(`signoffs.groups.${role}`))
      .filter((g): g is string => !!g),
    signoffRevoke: group('signoffs.revokeGroup'),
    waiver: group('waivers.group'),
    breakGlass: group('breakGlass.group'),
  };
}

/** Owner-only permissions: decided by the catalog on the entity in question. */
const OWNER_PERMISSIONS = [
  rcoEvidenceCreatePermission,
  rcoReleaseRequestPermission,
  rcoDeployPermission,
  rcoRollbackPermission,
  rcoOperationControlPermission,
  rcoCollectionRefreshPermission,
];

/**
 * The catalog's IS_ENTITY_OWNER conditional decision, in its serialized form: the same object
 * `createCatalogConditionalDecision(permission, catalogConditions.isEntityOwner({ claims }))`
 * builds (a test compares the two), without making every policy depend on the catalog backend.
 */
function entityOwnerDecision(
  permission: ResourcePermission,
  claims: string[],
): ConditionalPolicyDecision {
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'catalog',
    resourceType: permission.resourceType,
    conditions: {
      rule: 'IS_ENTITY_OWNER',
      resourceType: permission.resourceType,
      params: { claims },
    },
  };
}

/** ALLOW for a member of one of the configured groups; an unset group names nobody. */
const memberOf = (
  ownership: string[],
  groups: Array<string | undefined>,
): PolicyDecision => ({
  result: groups.some(g => !!g && ownership.includes(g.toLowerCase()))
    ? AuthorizeResult.ALLOW
    : AuthorizeResult.DENY,
});

/**
 * The rco plugin's decision for a permission request, or undefined when the permission is not
 * one of rco's. A portal with its own PermissionPolicy calls it first and decides the rest
 * itself:
 *
 * ```ts
 * async handle(request, user) {
 *   return rcoPolicyDecision(request, user, this.groups) ?? myDecision(request, user);
 * }
 * ```
 *
 * Evidence uploads, release requests, deploys, rollbacks (and their dry-runs) and operation
 * control go to the entity's owners (a conditional decision the catalog resolves); sign-offs to
 * the members of the sign-off groups; revoking other people's sign-offs to the revoke group
 * (nobody when unset); waivers to the waiver group; break-glass overrides to the break-glass
 * group. A group that is not configured names nobody: its decision is DENY for everyone. Group
 * refs are compared case-insensitively.
 *
 * @public
 */
export function rcoPolicyDecision(
  request: PolicyQuery,
  user: PolicyQueryUser | undefined,
  groups: RcoPolicyGroups,
): PolicyDecision | undefined {
  const ownership = (user?.info.ownershipEntityRefs ?? []).map(r =>
    r.toLowerCase(),
  );
  const { permission } = request;
  const owned = OWNER_PERMISSIONS.find(p => isPermission(permission, p));
  if (owned) return entityOwnerDecision(owned, ownership);
  if (isPermission(permission, rcoSignoffCreatePermission)) {
    return memberOf(ownership, groups.signoff);
  }
  if (isPermission(permission, rcoSignoffRevokePermission)) {
    return memberOf(ownership, [groups.signoffRevoke]);
  }
  if (isPermission(permission, rcoWaiverCreatePermission)) {
    return memberOf(ownership, [groups.waiver]);
  }
  if (isPermission(permission, rcoOverrideCreatePermission)) {
    return memberOf(ownership, [groups.breakGlass]);
  }
  return undefined;
}
