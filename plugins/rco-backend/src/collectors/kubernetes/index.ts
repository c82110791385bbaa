import {
  DeployCluster,
  EvidenceCollector,
} from '@helix-portal/plugin-rco-node';
import { KubernetesCollectorConfig } from './config';
import { KubernetesCollector } from './KubernetesCollector';

export {
  KubernetesCollector,
  KUBERNETES_COLLECTOR_ID,
} from './KubernetesCollector';
export { readKubernetesCollectorConfig } from './config';
export type { KubernetesCollectorConfig, KindSettings } from './config';

/**
 * The built-in Kubernetes collector, or none when `rco.collectors.kubernetes.enabled` is false
 * or the `kubernetes:` configuration names no cluster (then there is nothing to read).
 */
export function kubernetesCollectorFromConfig(
  config: KubernetesCollectorConfig,
  clusters: ReadonlyMap<string, DeployCluster>,
): EvidenceCollector | undefined {
  if (!config.enabled || clusters.size === 0) return undefined;
  return new KubernetesCollector(config);
}
