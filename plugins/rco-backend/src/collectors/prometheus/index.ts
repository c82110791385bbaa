import { EvidenceCollector } from '@helix-portal/plugin-rco-node';
import { PrometheusCollectorConfig } from './config';
import { PrometheusCollector } from './PrometheusCollector';

export {
  PrometheusCollector,
  PROMETHEUS_COLLECTOR_ID,
} from './PrometheusCollector';
export { readPrometheusCollectorConfig } from './config';
export type {
  PrometheusCollectorConfig,
  PrometheusEnvironment,
} from './config';

/** The built-in monitoring collector, or none when no environment configures a stack. */
export function prometheusCollectorFromConfig(
  config: PrometheusCollectorConfig,
): EvidenceCollector | undefined {
  return config.environments.length
    ? new PrometheusCollector(config)
    : undefined;
}
