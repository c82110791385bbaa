import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { DeployDriver } from './drivers';

/**
 * Lets a backend module add a deploy driver; environments name it in `rco.environments[].driver`.
 *
 * @public
 */
export interface RcoDeployDriversExtensionPoint {
  addDriver(driver: DeployDriver): void;
}

/** @public */
export const rcoDeployDriversExtensionPoint =
  createExtensionPoint<RcoDeployDriversExtensionPoint>({
    id: 'rco.deploy-drivers',
  });
