import { Config } from '@backstage/config';
import { EvidenceCollector } from '@helix-portal/plugin-rco-node';
import { readClusters } from '../../operations/environments';
import { readKubernetesCollectorConfig } from './config';
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
  rootConfig: Config,
): EvidenceCollector | undefined {
  const config = readKubernetesCollectorConfig(
    rootConfig.getOptionalConfig('rco'),
  );
  if (!config.enabled || readClusters(rootConfig).size === 0) return undefined;
  return new KubernetesCollector(config);
}
