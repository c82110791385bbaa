/**
 * Serves a {@link SimulatedCluster} over HTTP (plain HTTP on a loopback address: it is a local
 * stand-in, never a real cluster). A bearer token, when given, is required like a service
 * account token (401 otherwise). `intercept` lets a test peer answer a request itself (a 403, a
 * delay) before the cluster does.
 */
import http from 'node:http';
import https from 'node:https';
import { AddressInfo } from 'node:net';
import { ApiAnswer, SimulatedCluster, statusBody } from './SimulatedCluster';
import { answer } from './routes';

export interface SimulatedClusterServer {
  /** `http(s)://127.0.0.1:<port>` */
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

export interface ServeOptions {
  token?: string;
  host?: string;
  port?: number;
  /** Serve HTTPS with this key and certificate (PEM); kubectl sends a token only over TLS. */
  tls?: { key: string; cert: string };
  /** Called before the cluster answers; an answer returned here is sent instead. */
  intercept?: (req: {
    method: string;
    url: URL;
    headers: http.IncomingHttpHeaders;
  }) => Promise<ApiAnswer | undefined> | ApiAnswer | undefined;
  /**
   * Quote the refused bearer token in the 401 body, as some proxies in front of an API server
   * do (tests prove the collector never repeats it).
   */
  echoRefusedToken?: boolean;
  /** Called when a client closes its connection before its answer was sent. */
  onAborted?: (req: { method: string; url: URL }) => void;
}

export async function serveSimulatedCluster(
  cluster: SimulatedCluster,
  options: ServeOptions = {},
): Promise<SimulatedClusterServer> {
  const host = options.host ?? '127.0.0.1';
  const handler: http.RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    const method = req.method ?? 'GET';
    res.on('close', () => {
      if (!res.writableFinished) options.onAborted?.({ method, url });
    });
    const send = (a: ApiAnswer) => {
      if (res.destroyed) return;
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(a.body));
    };
    (async () => {
      if (
        options.token &&
        req.headers.authorization !== `Bearer ${options.token}`
      ) {
        const presented = req.headers.authorization ?? '';
        send({
          status: 401,
          body: statusBody(
            401,
            'Unauthorized',
            options.echoRefusedToken
              ? `Unauthorized: the credentials "${presented}" were refused`
              : 'Unauthorized',
          ),
        });
        return;
      }
      const injected = await options.intercept?.({
        method,
        url,
        headers: req.headers,
      });
      send(injected ?? answer(cluster, method, url));
    })().catch(e =>
      send({ status: 500, body: statusBody(500, 'InternalError', String(e)) }),
    );
  };
  const server: http.Server = options.tls
    ? https.createServer(options.tls, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>(resolve => server.close(() => resolve()));
    },
  };
}
