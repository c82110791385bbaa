import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  RcoPolicyGroups,
  rcoPolicyDecision,
} from '@helix-portal/plugin-rco-node';

/**
 * The rco decisions (see `rcoPolicyDecision`), then ALLOW for every other permission: the
 * behaviour of Backstage's allow-all policy for the rest of the portal.
 *
 * @public
 */
export class RcoPermissionPolicy implements PermissionPolicy {
  constructor(private readonly groups: RcoPolicyGroups) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    return (
      rcoPolicyDecision(request, user, this.groups) ?? {
        result: AuthorizeResult.ALLOW,
      }
    );
  }
}
