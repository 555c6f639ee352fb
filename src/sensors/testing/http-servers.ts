// Local HTTP and HTTPS servers for the http kind's tests: a route table of small handlers, bound to
// 127.0.0.1 on port 0, with a way to wait for a request to arrive and to close every connection.

import http from 'node:http';
import https from 'node:https';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export type Route = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

export interface RouteServer {
  readonly port: number;
  readonly base: string;
  /** Resolves when the next request for `path` has arrived (registered before the check starts). */
  arrival(path: string): Promise<http.IncomingMessage>;
  close(): Promise<void>;
}

export async function startRouteServer(routes: Readonly<Record<string, Route>>, tlsOptions?: { cert: string; key: string }): Promise<RouteServer> {
  const waiters = new Map<string, ((req: http.IncomingMessage) => void)[]>();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0]!;
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      for (const w of waiters.get(path) ?? []) w(req);
      waiters.delete(path);
      const route = routes[path];
      if (route) route(req, res, body);
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('no such page');
    });
  };
  const server = tlsOptions ? https.createServer(tlsOptions, handler) : http.createServer(handler);
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    base: `${tlsOptions ? 'https' : 'http'}://127.0.0.1:${port}`,
    arrival(path) {
      return new Promise((resolve) => waiters.set(path, [...(waiters.get(path) ?? []), resolve]));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
