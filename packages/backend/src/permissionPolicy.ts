import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  rcoDeployPermission,
  rcoOperationControlPermission,
  rcoOverrideCreatePermission,
  rcoRollbackPermission,
  rcoEvidenceCreatePermission,
  rcoReleaseRequestPermission,
  rcoSignoffCreatePermission,
  rcoSignoffRevokePermission,
  rcoWaiverCreatePermission,
} from '@helix-portal/plugin-rco-common';

/** Groups the policy grants the rco decisions to (the same keys the rco plugin reads). */
export interface RcoPolicyGroups {
  signoff: string[];
  /**
   * Who may revoke other people's sign-offs (rco.signoffs.revokeGroup). Unset: nobody; the
   * plugin lets a signer revoke their own decision whatever the policy says.
   */
  signoffRevoke?: string;
  waiver: string;
  breakGlass: string;
}

/**
 * The portal's permission policy. Evidence uploads, release requests, deploys, rollbacks and
 * their control (confirm, promote, abort) go to the entity's owners (a conditional decision the
 * catalog resolves), sign-offs to the members of the PO, DPO and Security groups, revoking
 * other people's sign-offs to rco.signoffs.revokeGroup (nobody unless configured), waivers to the
 * waiver group, break-glass overrides to the break-glass group. Everything else stays allowed.
 */
export class RcoPermissionPolicy implements PermissionPolicy {
  constructor(private readonly groups: RcoPolicyGroups) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const ownership = (user?.info.ownershipEntityRefs ?? []).map(r =>
      r.toLowerCase(),
    );
    const { permission } = request;
    if (
      isPermission(permission, rcoEvidenceCreatePermission) ||
      isPermission(permission, rcoReleaseRequestPermission) ||
      isPermission(permission, rcoDeployPermission) ||
      isPermission(permission, rcoRollbackPermission) ||
      isPermission(permission, rcoOperationControlPermission)
    ) {
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims: ownership }),
      );
    }
    if (isPermission(permission, rcoSignoffCreatePermission)) {
      return this.memberOf(ownership, this.groups.signoff);
    }
    if (isPermission(permission, rcoSignoffRevokePermission)) {
      return this.memberOf(
        ownership,
        this.groups.signoffRevoke ? [this.groups.signoffRevoke] : [],
      );
    }
    if (isPermission(permission, rcoWaiverCreatePermission)) {
      return this.memberOf(ownership, [this.groups.waiver]);
    }
    if (isPermission(permission, rcoOverrideCreatePermission)) {
      return this.memberOf(ownership, [this.groups.breakGlass]);
    }
    return { result: AuthorizeResult.ALLOW };
  }

  private memberOf(ownership: string[], groups: string[]): PolicyDecision {
    return {
      result: groups.some(g => ownership.includes(g.toLowerCase()))
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY,
    };
  }
}

/** Installs {@link RcoPermissionPolicy} in the permission backend. */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'rco-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        const rco = config.getOptionalConfig('rco');
        policy.setPolicy(
          new RcoPermissionPolicy({
            signoff: [
              rco?.getOptionalString('signoffs.groups.po') ??
                'group:default/product-owners',
              rco?.getOptionalString('signoffs.groups.dpo') ??
                'group:default/dpo',
              rco?.getOptionalString('signoffs.groups.security') ??
                'group:default/security',
            ],
            signoffRevoke: rco?.getOptionalString('signoffs.revokeGroup'),
            waiver:
              rco?.getOptionalString('waivers.group') ??
              'group:default/security',
            breakGlass:
              rco?.getOptionalString('breakGlass.group') ??
              'group:default/break-glass',
          }),
        );
      },
    });
  },
});
