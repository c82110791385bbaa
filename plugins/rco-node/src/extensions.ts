import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { EvidenceCollector } from './collectors';
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

/**
 * Lets a backend module add an evidence collector; the built-in Kubernetes and Prometheus
 * collectors are registered by the backend plugin itself.
 *
 * @public
 */
export interface RcoEvidenceCollectorsExtensionPoint {
  addCollector(collector: EvidenceCollector): void;
}

/** @public */
export const rcoEvidenceCollectorsExtensionPoint =
  createExtensionPoint<RcoEvidenceCollectorsExtensionPoint>({
    id: 'rco.evidence-collectors',
  });
