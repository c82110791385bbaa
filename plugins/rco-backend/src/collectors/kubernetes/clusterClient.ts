/**
 * Reads one cluster for the collector through `@kubernetes/client-node`: discovery of the groups
 * and resources it serves, and paginated lists (`limit`/`continue`, starting over on 410 Gone).
 * Every failure becomes a `ClusterReadError` in words that names the cluster and never carries
 * the token (the client library's own messages quote bodies and headers, so they are not reused).
 */
import {
  ApiException,
  ApisApi,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Observable,
} from '@kubernetes/client-node';
import type { DeployCluster } from '@helix-portal/plugin-rco-node';
import { kubeConfigFromCluster } from '../../drivers/argoRollouts/rolloutsClient';
import { describeKubeError } from '../../lib/kubeErrors';
import { redactError } from '../redact';
import { compareVersionsNewestFirst } from './kinds';

/** Why a read failed; `scope` says whether the whole cluster is out or only this resource. */
export class ClusterReadError extends Error {
  constructor(
    message: string,
    readonly scope: 'cluster' | 'resource',
    readonly statusCode?: number,
  ) {
    super(message);
    this.name = 'ClusterReadError';
  }
}

/** One served resource, as discovery lists it. */
export interface ServedResource {
  group: string;
  version: string;
  /** Plural name, as in the URL. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
  [k: string]: unknown;
}

/** What discovery found: the served resources, and groups whose discovery failed (why). */
export interface Discovery {
  resources: ServedResource[];
  failedGroups: Map<string, string>;
}

/** How many times a list starts over after its continue token expired (410 Gone). */
export const MAX_LIST_RESTARTS = 2;

/** Pages one list may take; a server that keeps answering "more" is not read forever. */
export const MAX_LIST_PAGES = 1000;

/** Asks the API server for an object's metadata only (PartialObjectMetadata). */
const METADATA_ONLY =
  'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

/** An object's metadata, as an owner lookup needs it. */
export interface ObjectMetadata {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  ownerReferences?: Array<{
    apiVersion?: string;
    kind?: string;
    name?: string;
    uid?: string;
    controller?: boolean;
  }>;
}

export class ClusterClient {
  private readonly custom: CustomObjectsApi;
  private readonly apis: ApisApi;
  private readonly core: CoreV1Api;
  readonly name: string;
  readonly server: string;
  private readonly secret?: string;

  constructor(
    cluster: DeployCluster,
    private readonly signal: AbortSignal,
    private readonly timeoutMs: number,
    kc: KubeConfig = kubeConfigFromCluster(cluster),
  ) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.apis = kc.makeApiClient(ApisApi);
    this.core = kc.makeApiClient(CoreV1Api);
    this.name = cluster.name;
    this.server = kc.getCurrentCluster()?.server ?? cluster.url;
    this.secret = cluster.serviceAccountToken;
  }

  /**
   * Every request carries the run's signal (the per-cluster timeout aborts it). The object-style
   * API hands options to the observable layer, so the middleware answers with Observables.
   */
  private get options(): any {
    return this.optionsWith();
  }

  private optionsWith(accept?: string): any {
    const signal = this.signal;
    return {
      middleware: [
        {
          pre: (ctx: any) => {
            ctx.setSignal(signal);
            if (accept) ctx.setHeaderParam('Accept', accept);
            return new Observable(Promise.resolve(ctx));
          },
          post: (ctx: any) => new Observable(Promise.resolve(ctx)),
        },
      ],
      middlewareMergeStrategy: 'append',
    };
  }

  private describe(what: string, e: unknown): ClusterReadError {
    const failure = describeKubeError(e, this.signal);
    let message: string;
    let scope: 'cluster' | 'resource' = 'cluster';
    let code: number | undefined;
    if (failure.kind === 'cancelled') {
      message = failure.timedOut
        ? `${this.server} did not answer ${what} within ${
            this.timeoutMs / 1000
          } s (the collector's timeout per cluster)`
        : `reading ${what} from ${this.server} was cancelled: the collection run ended`;
    } else if (failure.kind === 'answered') {
      code = failure.code;
      const detail = failure.detail?.slice(0, 300);
      if (code === 401) {
        message = `the cluster answered 401 Unauthorized for ${what}: the service account token was refused (check serviceAccountToken of cluster "${this.name}" in the kubernetes configuration)`;
      } else {
        // A refusal or error about one resource leaves the cluster's other resources readable.
        scope = 'resource';
        message = `the cluster answered ${failure.answer} for ${what}${
          detail ? `: ${detail}` : ''
        }`;
      }
    } else {
      message = `could not reach ${this.server} for ${what}: ${failure.reason}`;
    }
    return new ClusterReadError(
      redactError(message, this.secret ? [this.secret] : []),
      scope,
      code,
    );
  }

  /**
   * What the cluster serves of the given groups: for each group its newest served version
   * first, then older ones for resources the newest does not have.
   */
  async discover(groups: string[]): Promise<Discovery> {
    let list;
    try {
      list = await this.apis.getAPIVersions({}, this.options);
    } catch (e) {
      const err = this.describe('the API group list (/apis)', e);
      // Without discovery nothing can be read.
      throw new ClusterReadError(err.message, 'cluster', err.statusCode);
    }
    const out: ServedResource[] = [];
    const failedGroups = new Map<string, string>();
    for (const g of list.groups ?? []) {
      if (!groups.includes(g.name)) continue;
      const versions = (g.versions ?? [])
        .map(v => v.version)
        .sort(compareVersionsNewestFirst);
      const seen = new Set<string>();
      for (const version of versions) {
        let resources;
        try {
          resources = await this.custom.getAPIResources(
            { group: g.name, version },
            this.options,
          );
        } catch (e) {
          const err = this.describe(`/apis/${g.name}/${version}`, e);
          if (err.scope === 'cluster') throw err;
          // A group version that cannot be discovered (a 403, a broken aggregated API) fails
          // that group's kinds only.
          failedGroups.set(g.name, err.message);
          break;
        }
        for (const r of resources.resources ?? []) {
          // Subresources (`backups/status`) are not lists.
          if (r.name.includes('/') || seen.has(r.name)) continue;
          if (!(r.verbs ?? []).includes('list')) continue;
          seen.add(r.name);
          out.push({
            group: g.name,
            version,
            resource: r.name,
            kind: r.kind,
            namespaced: r.namespaced,
          });
        }
      }
    }
    return { resources: out, failedGroups };
  }

  /**
   * Every object of a resource (in a namespace, or cluster-wide), page by page. An expired
   * continue token (410 Gone) starts the list over: pages of two different snapshots are never
   * mixed. Objects come back with `kind` and `apiVersion` set (built-in lists omit them).
   */
  async list(
    r: ServedResource,
    namespace: string | undefined,
    pageSize: number,
    labelSelector?: string,
  ): Promise<KubeObject[]> {
    const where = namespace ? ` in namespace ${namespace}` : '';
    const what = `${r.resource}${r.group ? `.${r.group}` : ''}${where}`;
    for (let attempt = 0; ; attempt++) {
      const items: KubeObject[] = [];
      let token: string | undefined;
      let expired = false;
      const tokens = new Set<string>();
      let pages = 0;
      do {
        if (++pages > MAX_LIST_PAGES) {
          throw new ClusterReadError(
            `the list of ${what} did not end after ${MAX_LIST_PAGES} pages of ${pageSize} objects; it was not read (a larger pageSize reads it in fewer pages)`,
            'resource',
          );
        }
        let page: { items?: KubeObject[]; metadata?: { continue?: string } };
        try {
          const base = {
            group: r.group,
            version: r.version,
            plural: r.resource,
            limit: pageSize,
            _continue: token,
            ...(labelSelector ? { labelSelector } : {}),
          };
          page = namespace
            ? await this.custom.listNamespacedCustomObject(
                { ...base, namespace },
                this.options,
              )
            : await this.custom.listClusterCustomObject(base, this.options);
        } catch (e) {
          if (e instanceof ApiException && e.code === 410 && token) {
            expired = true;
            break;
          }
          throw this.describe(what, e);
        }
        for (const item of page.items ?? []) {
          items.push({
            ...item,
            apiVersion: item.apiVersion ?? `${r.group}/${r.version}`,
            kind: item.kind ?? r.kind,
          });
        }
        token = page.metadata?.continue || undefined;
        if (token && tokens.has(token)) {
          // A server (or proxy) that hands out the same continue token again would be read
          // forever, its objects counted twice.
          throw new ClusterReadError(
            `the list of ${what} was not read: the cluster answered the same continue token twice (page ${pages})`,
            'resource',
          );
        }
        if (token) tokens.add(token);
      } while (token);
      if (!expired) return items;
      if (attempt >= MAX_LIST_RESTARTS) {
        throw new ClusterReadError(
          `the list of ${what} kept expiring (410 Gone: continue token expired) while it was read; started over ${MAX_LIST_RESTARTS} times (fewer objects per page, pageSize, would read it faster)`,
          'resource',
          410,
        );
      }
    }
  }

  /**
   * The metadata of one namespaced object (labels and owners), for attributing a policy report
   * through the resource it is about. `undefined` when the object is gone (404).
   */
  async getMetadata(
    ref: { group: string; version: string; resource: string },
    namespace: string,
    name: string,
  ): Promise<ObjectMetadata | undefined> {
    const what = `${ref.resource}${
      ref.group ? `.${ref.group}` : ''
    } ${namespace}/${name}`;
    try {
      const options = this.optionsWith(METADATA_ONLY);
      const obj: any = ref.group
        ? await this.custom.getNamespacedCustomObject(
            { ...ref, plural: ref.resource, namespace, name },
            options,
          )
        : await this.core.readNamespacedPod({ namespace, name }, options);
      return obj?.metadata;
    } catch (e) {
      if (e instanceof ApiException && e.code === 404) return undefined;
      throw this.describe(what, e);
    }
  }
}
