import { LoggerService } from '@backstage/backend-plugin-api';
import {
  DeployCluster,
  EvidenceCollector,
} from '@helix-portal/plugin-rco-node';
import { RcoConfig } from '../config';
import { prometheusCollectorFromConfig } from './prometheus';
import { kubernetesCollectorFromConfig } from './kubernetes';

/**
 * What a built-in collector may need to build itself: the configuration as config.ts read it
 * and the clusters Environments holds (read once at start-up, never again here).
 */
export interface BuiltinCollectorDeps {
  rco: Pick<RcoConfig, 'prometheus' | 'kubernetesCollector'>;
  clusters: ReadonlyMap<string, DeployCluster>;
  logger: LoggerService;
}

/**
 * The collectors the backend plugin registers itself (issue 13); modules add theirs through
 * rcoEvidenceCollectorsExtensionPoint. Each built-in one is ONE line below, returning undefined
 * when its configuration is absent (a portal without clusters or Prometheus collects nothing):
 * the Kubernetes collector (src/collectors/kubernetes) and the Prometheus/Alertmanager collector
 * (src/collectors/prometheus) add themselves here. Ids must be unique across built-in and
 * module collectors: the plugin refuses to start otherwise.
 */
export function builtinCollectors(
  deps: BuiltinCollectorDeps,
): EvidenceCollector[] {
  const collectors: Array<EvidenceCollector | undefined> = [
    prometheusCollectorFromConfig(deps.rco.prometheus),
    kubernetesCollectorFromConfig(deps.rco.kubernetesCollector, deps.clusters),
  ];
  return collectors.filter((c): c is EvidenceCollector => !!c);
}
