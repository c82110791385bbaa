import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { readRcoPolicyGroups } from '@helix-portal/plugin-rco-node';
import { RcoPermissionPolicy } from './RcoPermissionPolicy';

/**
 * Sets {@link RcoPermissionPolicy} as the permission backend's policy, with the groups of the
 * rco configuration (rco.signoffs.groups.*, rco.signoffs.revokeGroup, rco.waivers.group,
 * rco.breakGlass.group; the rco plugin's defaults without them). Replaces any other policy
 * module, such as the allow-all one.
 *
 * @public
 */
export const permissionModuleRcoPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'rco-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(new RcoPermissionPolicy(readRcoPolicyGroups(config)));
      },
    });
  },
});
