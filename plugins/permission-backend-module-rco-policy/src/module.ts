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
 * rco.breakGlass.group). There are no defaults: a group that is not configured names nobody,
 * so the decision it governs is denied to everyone, as the rco plugin refuses it too. A group
 * value that is not a full entity ref (group:default/security) stops the backend at start.
 * Replaces any other policy module, such as the allow-all one.
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
