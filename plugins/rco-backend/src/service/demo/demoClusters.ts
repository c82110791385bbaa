/**
 * The local portal's simulated clusters (rco.demoClusters): each serves a folder of
 * examples/cluster over the Kubernetes list API on a loopback port, so the real Kubernetes
 * collector reads them through the `kubernetes:` cluster entries that name those ports. A
 * cluster may refuse some resources with 403, as a cluster whose service account lacks a grant
 * would, so the Release tab's collection health shows a degraded kind next to working ones.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { DemoClusterConfig } from '../../config';
import {
  ApiAnswer,
  loadSimulatedCluster,
  parseResourcePath,
  serveSimulatedCluster,
  SimulatedCluster,
  SimulatedClusterServer,
  statusBody,
} from './simulatedCluster';

export type { DemoClusterConfig };

/** The service account the 403 names: the one a platform team would bind the ClusterRole to. */
const ACCOUNT = 'system:serviceaccount:rco-system:rco-backend';

/**
 * The API server's answer to a list it does not allow, word for word as Kubernetes says it (the
 * collector turns it into the health's error).
 */
export function forbidden(
  cluster: SimulatedCluster,
  forbid: string[],
  url: URL,
): ApiAnswer | undefined {
  const parsed = parseResourcePath(cluster, url.pathname);
  if (!parsed || parsed === 'discovery') return undefined;
  const { resource, namespace } = parsed;
  const qualified = resource.group
    ? `${resource.resource}.${resource.group}`
    : resource.resource;
  if (!forbid.includes(qualified)) return undefined;
  const where = namespace
    ? ` in the namespace "${namespace}"`
    : ' at the cluster scope';
  return {
    status: 403,
    body: statusBody(
      403,
      'Forbidden',
      `${qualified} is forbidden: User "${ACCOUNT}" cannot list resource "${resource.resource}" in API group "${resource.group}"${where}`,
      { group: resource.group, kind: resource.resource },
    ),
  };
}

/**
 * Starts every configured simulated cluster; a cluster that cannot start (its port taken) is
 * logged and left out: the collection health then says the cluster is unreachable.
 */
export async function startDemoClusters(o: {
  clusters: DemoClusterConfig[];
  now: Date;
  logger: LoggerService;
}): Promise<SimulatedClusterServer[]> {
  const servers: SimulatedClusterServer[] = [];
  for (const c of o.clusters) {
    try {
      const cluster = loadSimulatedCluster(c.dir, { now: o.now });
      const server = await serveSimulatedCluster(cluster, {
        port: c.port,
        intercept: ({ url }) => forbidden(cluster, c.forbid, url),
      });
      servers.push(server);
      o.logger.info(
        `Simulated cluster ${c.name} (${c.dir}) serves the Kubernetes API on ${
          server.url
        }${c.forbid.length ? `; refuses ${c.forbid.join(', ')} with 403` : ''}`,
      );
    } catch (error) {
      o.logger.error(
        `Simulated cluster ${c.name} did not start on port ${c.port}: ${error}`,
      );
    }
  }
  return servers;
}
