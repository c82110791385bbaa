/**
 * The Kubernetes API's URL layout for reads: discovery (`/version`, `/api`, `/api/v1`, `/apis`,
 * `/apis/<g>`, `/apis/<g>/<v>`), lists across namespaces or in one, and GET of one object.
 * Everything else is answered the way the API server answers it (404 / 405 `Status`).
 */
import { ApiAnswer, SimulatedCluster, statusBody } from './SimulatedCluster';
import { SimulatedResource } from './resources';

const notFound = (): ApiAnswer => ({
  status: 404,
  body: statusBody(
    404,
    'NotFound',
    'the server could not find the requested resource',
  ),
});

/** What a resource request is about, for fault injection and for routing. */
export interface ResourceRequest {
  resource: SimulatedResource;
  namespace?: string;
  name?: string;
}

/** Reads `/api/v1/…` and `/apis/<g>/<v>/…` into a resource request (undefined otherwise). */
export function parseResourcePath(
  cluster: SimulatedCluster,
  path: string,
): ResourceRequest | 'discovery' | undefined {
  const parts = path.split('/').filter(Boolean);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    [group, version, rest] = ['', parts[1], parts.slice(2)];
  } else if (parts[0] === 'apis') {
    [group, version, rest] = [parts[1], parts[2], parts.slice(3)];
  } else return undefined;
  if (!version || rest.length === 0) return 'discovery';
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const resource = cluster.served(group, version, rest[0]);
  if (!resource || rest.length > 2) return undefined;
  if (namespace !== undefined && !resource.namespaced) return undefined;
  return { resource, namespace, name: rest[1] };
}

export function answer(
  cluster: SimulatedCluster,
  method: string,
  url: URL,
): ApiAnswer {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const ok = (body: unknown): ApiAnswer => ({ status: 200, body });
  if (path === '/version') return ok(cluster.version());
  if (path === '/api') return ok(cluster.coreVersions());
  if (path === '/apis') return ok(cluster.groupList());
  const parsed = parseResourcePath(cluster, path);
  if (parsed === 'discovery') {
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'api') {
      const list = cluster.resourceList('', parts[1]);
      return list ? ok(list) : notFound();
    }
    if (parts.length === 2) {
      const g = cluster.group(parts[1]);
      return g ? ok({ kind: 'APIGroup', apiVersion: 'v1', ...g }) : notFound();
    }
    const list = cluster.resourceList(parts[1], parts[2]);
    return list ? ok(list) : notFound();
  }
  if (!parsed) return notFound();
  if (method !== 'GET') {
    return {
      status: 405,
      body: statusBody(
        405,
        'MethodNotAllowed',
        `the simulated cluster is read-only: ${method} is not supported`,
      ),
    };
  }
  if (parsed.name) {
    return cluster.get(parsed.resource, parsed.namespace, parsed.name);
  }
  if (
    url.searchParams.get('watch') === 'true' ||
    url.searchParams.get('watch') === '1'
  ) {
    return {
      status: 405,
      body: statusBody(
        405,
        'MethodNotAllowed',
        'the simulated cluster does not serve watches',
      ),
    };
  }
  return cluster.list(parsed.resource, parsed.namespace, {
    labelSelector: url.searchParams.get('labelSelector') ?? undefined,
    limit: url.searchParams.get('limit') ?? undefined,
    continue: url.searchParams.get('continue') ?? undefined,
  });
}
