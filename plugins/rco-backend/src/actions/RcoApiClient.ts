import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';

/** One route of the plugin's own HTTP API that an action may call. */
export interface AllowedRoute {
  method: 'GET' | 'POST';
  template: string;
  /** The query parameters the action may pass; any other is refused. */
  query?: readonly string[];
  /** Throws when the body is not one this route may carry for an agent. */
  body?: (body: unknown) => void;
}

/**
 * Every request an MCP action can make: the reads, and the three writes an agent may do (a
 * release request, a waiver proposal, a rollback dry-run). Deploy, confirm, promote, abort,
 * sign-off, waiver grant (POST …/waivers), break-glass, window accept and reviews are not here, so
 * no action can reach them whatever its input says.
 */
export const ALLOWED_ROUTES: readonly AllowedRoute[] = [
  {
    method: 'GET',
    template: '/entities/:kind/:namespace/:name/status',
    query: ['version', 'digest', 'environment'],
  },
  { method: 'GET', template: '/entities/:kind/:namespace/:name/runbook' },
  {
    method: 'GET',
    template: '/entities/:kind/:namespace/:name/releases/timeline',
    query: ['version', 'digest'],
  },
  {
    method: 'GET',
    template: '/portfolio',
    query: [
      'q',
      'owner',
      'gate',
      'status',
      'expiring',
      'sort',
      'order',
      'limit',
      'offset',
    ],
  },
  { method: 'POST', template: '/entities/:kind/:namespace/:name/releases' },
  // A proposal only: recorded and sent to the waiver group, it waives nothing.
  {
    method: 'POST',
    template: '/entities/:kind/:namespace/:name/waivers/proposals',
  },
  {
    method: 'POST',
    template: '/entities/:kind/:namespace/:name/operations',
    // The operations route also starts deploys and real rollbacks: an agent only dry-runs.
    body: body => {
      if ((body as { type?: unknown } | undefined)?.type !== 'rollback-dry-run')
        throw new NotAllowedError(
          'Agents may only start rollback dry-runs; deploys and rollbacks are for people',
        );
    },
  },
];

/** A path segment: percent-encoded; dot segments and empty ones refused (URLs resolve them). */
export function pathSegment(value: string): string {
  const decoded = safeDecode(value);
  if (
    typeof value !== 'string' ||
    value === '' ||
    ['.', '..'].includes(value) ||
    ['.', '..'].includes(decoded)
  )
    throw new InputError(`Not a usable path segment: ${JSON.stringify(value)}`);
  return encodeURIComponent(value).replace(
    /[!'()*.]/g,
    c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function safeDecode(value: string) {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Fills in a route template; every parameter must be given and is encoded. */
export function buildPath(template: string, params: Record<string, string>) {
  return template.replace(/:([a-z]+)/g, (_, key: string) => {
    if (!(key in params)) throw new InputError(`Missing path parameter ${key}`);
    return pathSegment(params[key]);
  });
}

/** What the route answers when it refuses; the remote error's message, never the token. */
function errorFor(status: number, message: string) {
  if (status === 400 || status === 413 || status === 422)
    return new InputError(message);
  if (status === 401) return new AuthenticationError(message);
  if (status === 403) return new NotAllowedError(message);
  if (status === 404) return new NotFoundError(message);
  if (status === 409) return new ConflictError(message);
  if (status === 503) return new ServiceUnavailableError(message);
  return new Error(`The RCO API answered ${status}: ${message}`);
}

/**
 * Calls the plugin's own HTTP API for the person who invoked an action, with a token made on
 * their behalf: the routes then check permissions and catalog visibility, audit and write the
 * ledger exactly as for the page. Only ALLOWED_ROUTES can be called.
 */
export class RcoApiClient {
  constructor(
    private readonly o: {
      discovery: Pick<DiscoveryService, 'getBaseUrl'>;
      auth: Pick<AuthService, 'getPluginRequestToken'>;
      fetch?: typeof fetch;
      routes?: readonly AllowedRoute[];
    },
  ) {}

  /** The URL a request would go to, or an error when it is not allowed (no request made). */
  async url(
    method: string,
    template: string,
    params: Record<string, string> = {},
    query: Record<string, string | number | boolean | undefined> = {},
    body?: unknown,
  ): Promise<string> {
    const route = (this.o.routes ?? ALLOWED_ROUTES).find(
      r => r.method === method && r.template === template,
    );
    if (!route)
      throw new NotAllowedError(
        `${method} ${template} is not available to agents`,
      );
    route.body?.(body);
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      if (!route.query?.includes(key))
        throw new InputError(`${template} takes no parameter ${key}`);
      search.set(key, String(value));
    }
    const base = (await this.o.discovery.getBaseUrl('rco')).replace(/\/+$/, '');
    const path = buildPath(template, params);
    const qs = search.toString();
    const url = `${base}${path}${qs ? `?${qs}` : ''}`;
    // What fetch will request: the same path, nothing resolved away or added.
    const parsed = new URL(url);
    if (
      parsed.pathname !== `${new URL(base).pathname.replace(/\/+$/, '')}${path}`
    )
      throw new InputError('The request path changed when it was resolved');
    return url;
  }

  async request<T = any>(
    credentials: BackstageCredentials,
    method: 'GET' | 'POST',
    template: string,
    options: {
      params?: Record<string, string>;
      query?: Record<string, string | number | boolean | undefined>;
      body?: unknown;
    } = {},
  ): Promise<T> {
    // People act through agents; a service principal arrives here as plugin:mcp-actions (the
    // MCP backend's own identity), which rco.ci.subjects grants nothing, so it is refused here.
    if ((credentials.principal as { type?: string }).type !== 'user')
      throw new NotAllowedError(
        'RCO actions act for a signed-in person; pipelines use the HTTP API or the rco CLI with their own token',
      );
    const url = await this.url(
      method,
      template,
      options.params,
      options.query,
      options.body,
    );
    const { token } = await this.o.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'rco',
    });
    const res = await (this.o.fetch ?? fetch)(url, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(options.body !== undefined
          ? { 'Content-Type': 'application/json' }
          : {}),
      },
      body:
        options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      throw errorFor(res.status, json?.error?.message ?? res.statusText);
    }
    return json as T;
  }
}

/** Path parameters of an entity ref (kind:namespace/name). */
export function entityParams(ref: {
  kind: string;
  namespace: string;
  name: string;
}) {
  return {
    kind: ref.kind.toLocaleLowerCase('en-US'),
    namespace: ref.namespace,
    name: ref.name,
  };
}
