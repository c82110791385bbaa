/**
 * A Kubernetes API server for tests, over real HTTP on 127.0.0.1: Rollouts (GET, PUT, PATCH,
 * `/status` subresource, `?dryRun=All`), AnalysisRuns (GET) and ReplicaSets (GET, list by label
 * selector), with bearer-token authentication and a record of every request. A stand-in
 * controller (`peer.controller`) moves the Rollouts on when a test calls `reconcile`.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { AnalysisMetric } from '../../drivers/argoRollouts/types';
import {
  applyWrite,
  matchesSelector,
  status,
  StoredObject,
  validateRollout,
  WriteError,
} from './apiServerRules';
import { PatchError } from './patches';
import { ControllerStore } from './controllerObjects';
import { RolloutsController } from './RolloutsController';

/** One request the peer received (the Authorization header is never recorded). */
export interface RecordedRequest {
  method: string;
  /** The path without the query. */
  path: string;
  query: Record<string, string>;
  contentType?: string;
  /** The parsed JSON body (or the raw text when it is not JSON). */
  body?: unknown;
  /** The HTTP status the peer answered. */
  status: number;
}

type Obj = StoredObject;

const ROLLOUTS =
  /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/([^/]+)\/(rollouts|analysisruns)\/([^/]+)(\/status)?$/;
const REPLICASETS =
  /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/replicasets(?:\/([^/]+))?$/;

/** The peer. Start it with {@link KubeApiPeer.start}, close it in `afterEach`. */
export class KubeApiPeer {
  /** `http://127.0.0.1:<port>`, the cluster URL to give the driver. */
  url = '';
  /** Every request, in order. */
  readonly requests: RecordedRequest[] = [];
  /** The stand-in Rollouts controller. */
  readonly controller: RolloutsController;
  /** When true, every GET of a Rollout runs one controller action first (for `rollback`). */
  reconcileOnRead = false;
  /**
   * An admission check run on every Rollout write, dry runs included (like a validating
   * webhook): a returned message denies the request.
   */
  admission?: (rollout: any) => string | undefined;
  /** Called for each authenticated request before it is served (to race a write, say). */
  onRequest?: (request: RecordedRequest) => void;
  private readonly objects = new Map<string, Obj>();
  private resourceVersion = 1000;
  private server?: http.Server;

  /** The store as the controller (and seeding helpers) see it. */
  readonly store: ControllerStore = {
    get: (kind, ns, name) => this.get(kind, ns, name),
    list: (kind, ns) => this.list(kind, ns),
    save: (kind, obj) => this.put(kind, obj),
  };

  private constructor(
    private readonly token: string,
    metrics: AnalysisMetric[],
  ) {
    this.controller = new RolloutsController(this.store, metrics);
  }

  /**
   * Starts a peer on a random port of 127.0.0.1.
   *
   * @param options.token - the only bearer token it accepts (anything else gets 401).
   * @param options.metrics - the metrics of the AnalysisRuns its controller creates.
   */
  static async start(options: {
    token: string;
    metrics: AnalysisMetric[];
  }): Promise<KubeApiPeer> {
    const peer = new KubeApiPeer(options.token, options.metrics);
    const server = http.createServer((req, res) => {
      peer.handle(req, res).catch(e => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status(500, 'InternalError', String(e))));
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    peer.server = server;
    peer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return peer;
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>(
      resolve => this.server?.close(() => resolve()) ?? resolve(),
    );
  }

  private key = (kind: string, ns: string, name: string) =>
    `${kind}/${ns}/${name}`;

  /** A copy of a stored object. */
  get<T = any>(kind: string, ns: string, name: string): T | undefined {
    const obj = this.objects.get(this.key(kind, ns, name));
    return obj ? (structuredClone(obj) as T) : undefined;
  }

  /** Copies of the stored objects of a kind in a namespace. */
  list<T = any>(kind: string, ns: string): T[] {
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(`${kind}/${ns}/`))
      .map(([, v]) => structuredClone(v) as T);
  }

  /** Stores an object as is (seeding, or the controller's writes); a new resourceVersion. */
  put(kind: string, obj: { metadata: object }): void {
    const copy = structuredClone(obj) as Obj;
    copy.metadata.resourceVersion = String(++this.resourceVersion);
    this.objects.set(
      this.key(kind, copy.metadata.namespace, copy.metadata.name),
      copy,
    );
  }

  /** Runs `times` controller actions on a Rollout. */
  reconcile(ns: string, name: string, times = 1): void {
    for (let i = 0; i < times; i++) this.controller.reconcile(ns, name);
  }

  /** The recorded requests that changed (or would have changed) something. */
  writes(): RecordedRequest[] {
    return this.requests.filter(r => r.method !== 'GET');
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text || undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: recorded as text, and rejected below where a body is needed.
    }
    const contentType = req.headers['content-type']?.split(';')[0].trim();
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType,
      body,
      status: 0,
    };
    this.requests.push(record);
    const send = (code: number, payload: unknown) => {
      record.status = code;
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      send(401, status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    this.onRequest?.(record);
    const rs = REPLICASETS.exec(url.pathname);
    if (rs && req.method === 'GET') {
      const [, ns, name] = rs;
      if (name) {
        const one = this.get('replicasets', ns, name);
        send(
          one ? 200 : 404,
          one ??
            status(404, 'NotFound', `replicasets.apps "${name}" not found`),
        );
        return;
      }
      const selector = url.searchParams.get('labelSelector') ?? '';
      const items = this.list<Obj>('replicasets', ns).filter(o =>
        matchesSelector(o.metadata.labels ?? {}, selector),
      );
      send(200, {
        kind: 'ReplicaSetList',
        apiVersion: 'apps/v1',
        metadata: { resourceVersion: String(this.resourceVersion) },
        items,
      });
      return;
    }
    const ro = ROLLOUTS.exec(url.pathname);
    if (!ro) {
      send(
        404,
        status(
          404,
          'NotFound',
          'the server could not find the requested resource',
        ),
      );
      return;
    }
    const [, ns, plural, name, sub] = ro;
    const stored = this.get<Obj>(plural, ns, name);
    if (!stored) {
      send(
        404,
        status(404, 'NotFound', `${plural}.argoproj.io "${name}" not found`),
      );
      return;
    }
    if (req.method === 'GET') {
      if (plural === 'rollouts' && !sub && this.reconcileOnRead) {
        this.controller.reconcile(ns, name);
      }
      send(200, this.get(plural, ns, name));
      return;
    }
    if (
      plural !== 'rollouts' ||
      (req.method !== 'PUT' && req.method !== 'PATCH')
    ) {
      send(
        405,
        status(405, 'MethodNotAllowed', `${req.method} is not supported here`),
      );
      return;
    }
    let next: Obj;
    try {
      next = applyWrite(req.method, stored, body, contentType, !!sub);
    } catch (e) {
      const REASONS: Record<number, string> = {
        409: 'Conflict',
        415: 'UnsupportedMediaType',
        422: 'Invalid',
      };
      let code = 400;
      if (e instanceof PatchError) code = 422;
      else if (e instanceof WriteError) code = e.code;
      const reason = REASONS[code] ?? 'BadRequest';
      send(code, status(code, reason, (e as Error).message));
      return;
    }
    const problems = validateRollout(next);
    if (problems.length) {
      send(
        422,
        status(
          422,
          'Invalid',
          `Rollout.argoproj.io "${name}" is invalid: ${problems.join('; ')}`,
        ),
      );
      return;
    }
    const denied = this.admission?.(next);
    if (denied) {
      send(
        400,
        status(
          400,
          'BadRequest',
          `admission webhook "validate.peer" denied the request: ${denied}`,
        ),
      );
      return;
    }
    if (url.searchParams.get('dryRun') !== 'All') {
      this.put('rollouts', next);
      next = this.get('rollouts', ns, name)!;
    }
    send(200, next);
  }
}
