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
  rcoEvidenceCreatePermission,
  rcoReleaseRequestPermission,
  rcoSignoffCreatePermission,
  rcoWaiverCreatePermission,
} from '@internal/plugin-rco-common';

/** Groups the policy grants the rco decisions to (the same keys the rco plugin reads). */
export interface RcoPolicyGroups {
  signoff: string[];
  waiver: string;
}

/**
 * The portal's permission policy. Evidence uploads and release requests go to the entity's
 * owners (a conditional decision the catalog resolves), sign-offs to the members of the PO, DPO
 * and Security groups, waivers to the waiver group. Everything else stays allowed, as before.
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
      isPermission(permission, rcoReleaseRequestPermission)
    ) {
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims: ownership }),
      );
    }
    if (isPermission(permission, rcoSignoffCreatePermission)) {
      return this.memberOf(ownership, this.groups.signoff);
    }
    if (isPermission(permission, rcoWaiverCreatePermission)) {
      return this.memberOf(ownership, [this.groups.waiver]);
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
            waiver:
              rco?.getOptionalString('waivers.group') ??
              'group:default/security',
          }),
        );
      },
    });
  },
});
