import {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { EvidenceCollector } from '@helix-portal/plugin-rco-node';
import { prometheusCollectorFromConfig } from './prometheus';
import { kubernetesCollectorFromConfig } from './kubernetes';

/** What a built-in collector may need to build itself from the portal's configuration. */
export interface BuiltinCollectorDeps {
  rootConfig: RootConfigService;
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
  _deps: BuiltinCollectorDeps,
): EvidenceCollector[] {
  const collectors: Array<EvidenceCollector | undefined> = [
    prometheusCollectorFromConfig(_deps.rootConfig),
    kubernetesCollectorFromConfig(_deps.rootConfig),
  ];
  return collectors.filter((c): c is EvidenceCollector => !!c);
}
