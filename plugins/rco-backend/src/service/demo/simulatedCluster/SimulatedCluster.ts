/**
 * A Kubernetes API server's read side, in memory: objects stored by resource, discovery
 * documents, and list semantics (label selectors, `limit`/`continue` with continue tokens that
 * expire like the API server's after etcd compaction, `Status` failure bodies). It backs the
 * local portal's clearly labelled simulated cluster and the collector's test peer; it has no
 * writes through HTTP and no fault injection (the test peer adds those).
 */
import { createHash } from 'node:crypto';
import {
  LabelSelectorError,
  matchesLabelSelector,
} from '../../../collectors/kubernetes/labelSelector';
import {
  BUILTIN_RESOURCES,
  groupVersion,
  resourceFor,
  SimulatedResource,
} from './resources';

export type Obj = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
};

/** A `metav1.Status` failure body, as the API server sends with every error. */
export function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: object,
) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** An answer of the API server: HTTP status and JSON body. */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

// Groups whose list items carry no kind/apiVersion (built-in types); CRD lists keep them.
const BUILTIN_GROUPS = new Set(['', 'apps', 'networking.k8s.io']);

export class SimulatedCluster {
  private readonly resources: SimulatedResource[] = [...BUILTIN_RESOURCES];
  private readonly objects = new Map<string, Obj>();
  private revision = 1000;
  /** Continue tokens issued before this revision have expired (etcd compaction). */
  private compactedBelow = 0;

  /**
   * @param options.continueTtlMs - how long a continue token lives (the API server's is about
   *   five minutes, etcd's compaction interval).
   * @param options.now - the clock (tests move it).
   */
  constructor(
    private readonly options: {
      continueTtlMs?: number;
      now?: () => number;
    } = {},
  ) {}

  private now() {
    return this.options.now?.() ?? Date.now();
  }

  private key(res: SimulatedResource, ns: string | undefined, name: string) {
    return `${groupVersion(res)}/${res.resource}/${ns ?? ''}/${name}`;
  }

  /** Stores (or replaces) an object; a new resourceVersion, and a uid that stays for its name. */
  put(input: Obj): Obj {
    const res = resourceFor(this.resources, input.apiVersion, input.kind);
    if (!res) {
      throw new Error(
        `the simulated cluster does not serve ${input.kind} (${input.apiVersion})`,
      );
    }
    if (
      !this.resources.includes(res) &&
      !this.resources.some(
        x =>
          x.group === res.group &&
          x.version === res.version &&
          x.resource === res.resource,
      )
    ) {
      this.resources.push(res);
    }
    const obj = structuredClone(input);
    const ns = res.namespaced ? obj.metadata.namespace ?? 'default' : undefined;
    if (ns) obj.metadata.namespace = ns;
    else delete obj.metadata.namespace;
    const key = this.key(res, ns, obj.metadata.name);
    const before = this.objects.get(key);
    obj.metadata.uid =
      before?.metadata.uid ?? obj.metadata.uid ?? uuidFrom(`${key}`);
    obj.metadata.resourceVersion = String(++this.revision);
    obj.metadata.creationTimestamp ??= new Date(this.now()).toISOString();
    this.objects.set(key, obj);
    return structuredClone(obj);
  }

  /** Removes an object; true when it was there. */
  delete(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ) {
    const res = resourceFor(this.resources, apiVersion, kind);
    if (!res) return false;
    this.revision++;
    return this.objects.delete(
      this.key(res, res.namespaced ? namespace : undefined, name),
    );
  }

  /** Every stored object (copies). */
  all(): Obj[] {
    return [...this.objects.values()].map(o => structuredClone(o));
  }

  /** Expires every continue token issued so far (as an etcd compaction does). */
  compact() {
    this.compactedBelow = ++this.revision;
  }

  /** `/version` */
  version() {
    return {
      major: '1',
      minor: '30',
      gitVersion: 'v1.30.0-rco-simulated',
      gitCommit: '0000000000000000000000000000000000000000',
      gitTreeState: 'clean',
      buildDate: '2026-01-01T00:00:00Z',
      goVersion: 'go1.22.0',
      compiler: 'gc',
      platform: 'linux/amd64',
    };
  }

  private groups() {
    const out = new Map<string, string[]>();
    for (const r of this.resources) {
      if (!r.group) continue;
      const versions = out.get(r.group) ?? [];
      if (!versions.includes(r.version)) versions.push(r.version);
      out.set(r.group, versions);
    }
    return out;
  }

  /** `/api` */
  coreVersions() {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [
        { clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' },
      ],
    };
  }

  /** `/apis` */
  groupList() {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...this.groups()].map(([name, versions]) => ({
        name,
        versions: versions.map(v => ({
          groupVersion: `${name}/${v}`,
          version: v,
        })),
        preferredVersion: {
          groupVersion: `${name}/${versions[0]}`,
          version: versions[0],
        },
      })),
    };
  }

  /** `/apis/<group>` */
  group(name: string) {
    return this.groupList().groups.find(g => g.name === name);
  }

  /** `/api/v1` or `/apis/<group>/<version>`; undefined when that version is not served. */
  resourceList(group: string, version: string) {
    const rs = this.resources.filter(
      r => r.group === group && r.version === version,
    );
    if (rs.length === 0) return undefined;
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: groupVersion({ group, version }),
      resources: rs.map(r => ({
        name: r.resource,
        singularName: r.kind.toLowerCase(),
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['get', 'list'],
        ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        ...(r.categories ? { categories: r.categories } : {}),
      })),
    };
  }

  /** The served resource at `/apis/<group>/<version>/<resource>`. */
  served(group: string, version: string, resource: string) {
    return this.resources.find(
      r =>
        r.group === group && r.version === version && r.resource === resource,
    );
  }

  /** GET of one object. */
  get(
    res: SimulatedResource,
    namespace: string | undefined,
    name: string,
  ): ApiAnswer {
    const obj = this.objects.get(this.key(res, namespace, name));
    if (!obj) {
      return {
        status: 404,
        body: statusBody(
          404,
          'NotFound',
          `${res.resource}${
            res.group ? `.${res.group}` : ''
          } "${name}" not found`,
          { name, group: res.group, kind: res.resource },
        ),
      };
    }
    return { status: 200, body: structuredClone(obj) };
  }

  /**
   * A list (one page of it): `namespace` undefined lists across namespaces. Pages are in key
   * order; a continue token names where the next page starts and when it was issued.
   */
  list(
    res: SimulatedResource,
    namespace: string | undefined,
    query: { labelSelector?: string; limit?: string; continue?: string },
  ): ApiAnswer {
    const selector = query.labelSelector ?? '';
    let after = '';
    if (query.continue) {
      let token: { rv: number; start: string; issuedAt: number };
      try {
        token = JSON.parse(
          Buffer.from(query.continue, 'base64').toString('utf8'),
        );
        if (typeof token.start !== 'string' || typeof token.rv !== 'number') {
          throw new Error('bad token');
        }
      } catch {
        return {
          status: 400,
          body: statusBody(
            400,
            'BadRequest',
            'continue key is not valid: illegal base64 data at input byte 0',
          ),
        };
      }
      const ttl = this.options.continueTtlMs ?? 5 * 60_000;
      if (token.rv < this.compactedBelow || this.now() - token.issuedAt > ttl) {
        return {
          status: 410,
          body: statusBody(
            410,
            'Expired',
            'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
          ),
        };
      }
      after = token.start;
    }
    let items: Array<[string, Obj]>;
    try {
      const prefix = `${groupVersion(res)}/${res.resource}/${
        namespace !== undefined ? `${namespace}/` : ''
      }`;
      items = [...this.objects.entries()]
        .filter(([k]) => k.startsWith(prefix) && k > after)
        .filter(([, o]) => matchesLabelSelector(o.metadata.labels, selector))
        .sort(([a], [b]) => Number(a > b) - Number(a < b));
    } catch (e) {
      if (e instanceof LabelSelectorError) {
        return {
          status: 400,
          body: statusBody(
            400,
            'BadRequest',
            `unable to parse requirement: ${e.message}`,
          ),
        };
      }
      throw e;
    }
    const limit = Number(query.limit ?? 0);
    const page = limit > 0 ? items.slice(0, limit) : items;
    const more = limit > 0 && items.length > limit;
    const metadata: Record<string, unknown> = {
      resourceVersion: String(this.revision),
    };
    if (more) {
      metadata.continue = Buffer.from(
        JSON.stringify({
          rv: this.revision,
          start: page[page.length - 1][0],
          issuedAt: this.now(),
        }),
      ).toString('base64');
      metadata.remainingItemCount = items.length - page.length;
    }
    const bare = BUILTIN_GROUPS.has(res.group);
    return {
      status: 200,
      body: {
        kind: `${res.kind}List`,
        apiVersion: groupVersion(res),
        metadata,
        items: page.map(([, o]) => {
          const copy: Record<string, unknown> = structuredClone(o);
          if (bare) {
            delete copy.kind;
            delete copy.apiVersion;
          }
          return copy;
        }),
      },
    };
  }
}

/** A stable, uuid-shaped id for an object's key (the same object keeps its uid across loads). */
function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(
    17,
    20,
  )}-${h.slice(20, 32)}`;
}
