/**
 * A Kubernetes API peer for the collector's tests: the local portal's simulated cluster
 * (src/service/demo/simulatedCluster: objects, discovery, list semantics, Status bodies) over
 * real HTTP on 127.0.0.1, plus the faults a real cluster shows: a bearer token (401), a 403 for
 * chosen resources, groups it does not serve, delays, continue tokens expiring mid-list (410
 * Expired) or repeating forever, being down (connection refused on its port), a 401 body that
 * quotes the refused token (as some proxies do), and which requests the client abandoned.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ApiAnswer,
  Obj,
  parseResourcePath,
  serveSimulatedCluster,
  SimulatedCluster,
  SimulatedClusterServer,
  statusBody,
} from '../../service/demo/simulatedCluster';
import { answer } from '../../service/demo/simulatedCluster/routes';

/** A throwaway key and self-signed certificate for 127.0.0.1 (openssl, in a temp folder). */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rco-peer-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface PeerRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The Accept header (metadata-only reads ask for PartialObjectMetadata). */
  accept?: string;
}

export const PEER_SERVICE_ACCOUNT = 'system:serviceaccount:rco:rco-backend';

export class KubeListPeer {
  url = '';
  readonly cluster: SimulatedCluster;
  /** Every authenticated request, in order (the token is never recorded). */
  readonly requests: PeerRequest[] = [];
  /** Resources (plural names) answered with 403 Forbidden. */
  readonly forbidden = new Set<string>();
  /** Paths answered with 403 Forbidden (a discovery document, say). */
  readonly forbiddenPaths = new Set<string>();
  /** Groups the cluster does not serve (absent from discovery, 404 below). */
  readonly unserved = new Set<string>();
  /** Resources (plural names) whose lists answer the same continue token forever. */
  readonly repeatContinue = new Set<string>();
  /** Requests whose connection the client closed before the answer was sent. */
  readonly aborted: Array<{ method: string; path: string }> = [];
  /** Changes a list page before it is sent (objects a cluster serves malformed, say). */
  transformList?: (resource: string, page: { items: any[] }) => void;
  /** Requests being answered now, and the most at once (delays make them overlap). */
  inFlight = 0;
  maxInFlight = 0;
  /** Milliseconds to wait before answering each request. */
  delayMs = 0;
  /**
   * Expires the continue tokens (as an etcd compaction does) after `afterPages` continued pages
   * were served, `times` times over (Infinity: every list).
   */
  expireContinue?: { afterPages: number; times: number };
  private continuedPages = 0;
  private server?: SimulatedClusterServer;
  private port = 0;
  private clock = Date.now();

  private echoRefusedToken = false;

  private constructor(private readonly token: string) {
    this.cluster = new SimulatedCluster({ now: () => this.clock });
  }

  /** The certificate (PEM) of an HTTPS peer, for a kubeconfig's certificate-authority-data. */
  cert?: string;
  private tls?: { key: string; cert: string };

  /**
   * Starts a peer on a random port of 127.0.0.1; with `tls`, over HTTPS with a fresh self-signed
   * certificate for 127.0.0.1 (made by openssl), as kubectl sends its token only over TLS.
   */
  static async start(options: {
    token: string;
    objects?: Obj[];
    tls?: boolean;
    /** Quote the refused token in 401 bodies. */
    echoRefusedToken?: boolean;
  }) {
    const peer = new KubeListPeer(options.token);
    peer.echoRefusedToken = options.echoRefusedToken ?? false;
    if (options.tls) {
      peer.tls = selfSignedCertificate();
      peer.cert = peer.tls.cert;
    }
    for (const o of options.objects ?? []) peer.cluster.put(o);
    await peer.listen();
    return peer;
  }

  /** Moves the peer's clock (continue tokens live five minutes). */
  advance(ms: number) {
    this.clock += ms;
  }

  private async listen() {
    this.server = await serveSimulatedCluster(this.cluster, {
      token: this.token,
      port: this.port,
      tls: this.tls,
      echoRefusedToken: this.echoRefusedToken,
      intercept: req => this.intercept(req.method, req.url, req.headers.accept),
      onAborted: req =>
        this.aborted.push({ method: req.method, path: req.url.pathname }),
    });
    this.url = this.server.url;
    this.port = Number(new URL(this.url).port);
  }

  /** Stops answering: the port refuses connections until {@link up}. */
  async down() {
    await this.server?.close();
    this.server = undefined;
  }

  /** Serves again on the same port. */
  async up() {
    if (!this.server) await this.listen();
  }

  async close() {
    await this.down();
  }

  private async intercept(
    method: string,
    url: URL,
    accept?: string,
  ): Promise<ApiAnswer | undefined> {
    this.requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(accept ? { accept } : {}),
    });
    if (this.delayMs) {
      this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
      // Unref'd: a delay still running when a test ends must not keep the worker alive.
      await new Promise(r => setTimeout(r, this.delayMs).unref());
      this.inFlight--;
    }
    if (this.forbiddenPaths.has(url.pathname)) {
      return {
        status: 403,
        body: statusBody(
          403,
          'Forbidden',
          `forbidden: User "${PEER_SERVICE_ACCOUNT}" cannot get path "${url.pathname}"`,
        ),
      };
    }
    const parts = url.pathname.split('/').filter(Boolean);
    if (url.pathname === '/apis' && this.unserved.size) {
      const list = answer(this.cluster, method, url).body as any;
      list.groups = list.groups.filter((g: any) => !this.unserved.has(g.name));
      return { status: 200, body: list };
    }
    if (parts[0] === 'apis' && this.unserved.has(parts[1])) {
      return {
        status: 404,
        body: statusBody(
          404,
          'NotFound',
          'the server could not find the requested resource',
        ),
      };
    }
    const parsed = parseResourcePath(this.cluster, url.pathname);
    if (!parsed || parsed === 'discovery') return undefined;
    const { resource, namespace } = parsed;
    if (this.forbidden.has(resource.resource)) {
      const where = namespace
        ? `in the namespace "${namespace}"`
        : 'at the cluster scope';
      const verb = parsed.name ? 'get' : 'list';
      return {
        status: 403,
        body: statusBody(
          403,
          'Forbidden',
          `${resource.resource}${
            resource.group ? `.${resource.group}` : ''
          } is forbidden: User "${PEER_SERVICE_ACCOUNT}" cannot ${verb} resource "${
            resource.resource
          }" in API group "${resource.group}" ${where}`,
          { group: resource.group, kind: resource.resource },
        ),
      };
    }
    if (parsed.name && accept?.includes('as=PartialObjectMetadata')) {
      // As the API server does for a metadata-only read.
      const got = answer(this.cluster, method, url);
      if (got.status !== 200) return got;
      return {
        status: 200,
        body: {
          kind: 'PartialObjectMetadata',
          apiVersion: 'meta.k8s.io/v1',
          metadata: (got.body as { metadata: unknown }).metadata,
        },
      };
    }
    if (!parsed.name && this.repeatContinue.has(resource.resource)) {
      const first = new URL(url);
      first.searchParams.delete('continue');
      const page = answer(this.cluster, method, first);
      (page.body as any).metadata.continue = 'c2FtZS10b2tlbg==';
      return page;
    }
    if (!parsed.name && this.transformList && method === 'GET') {
      const page = answer(this.cluster, method, url);
      if (page.status === 200) {
        this.transformList(resource.resource, page.body as { items: any[] });
      }
      return page;
    }
    const expiry = this.expireContinue;
    if (url.searchParams.get('continue') && expiry && expiry.times > 0) {
      if (this.continuedPages++ >= expiry.afterPages) {
        this.continuedPages = 0;
        expiry.times--;
        this.cluster.compact();
      }
    }
    return undefined;
  }

  /** The list requests of one resource (plural name). */
  lists(resource: string): PeerRequest[] {
    return this.requests.filter(r => r.path.endsWith(`/${resource}`));
  }
}
