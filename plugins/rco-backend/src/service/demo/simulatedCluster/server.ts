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
  }) => Promise<ApiAnswer | undefined> | ApiAnswer | undefined;
}

export async function serveSimulatedCluster(
  cluster: SimulatedCluster,
  options: ServeOptions = {},
): Promise<SimulatedClusterServer> {
  const host = options.host ?? '127.0.0.1';
  const handler: http.RequestListener = (req, res) => {
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
        send({
          status: 401,
          body: statusBody(401, 'Unauthorized', 'Unauthorized'),
        });
        return;
      }
      const url = new URL(req.url ?? '/', `http://${host}`);
      const method = req.method ?? 'GET';
      const injected = await options.intercept?.({ method, url });
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
