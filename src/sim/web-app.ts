// A simulated hospital web application (HIS portal, LIS web front end): /health answers JSON with
// a status and a queue depth that moves, / answers a login page, /slow answers late.

import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebAppOptions {
  readonly name: string;
  readonly host?: string;
  readonly port?: number;
  /** Response delay of /slow in ms. */
  readonly slowMs?: number;
}

export interface WebApp {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startWebApp(opts: WebAppOptions): Promise<WebApp> {
  const started = Date.now();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname === '/health') {
      const queue = Math.round(5 + 4 * Math.sin((Date.now() - started) / 60_000));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', application: opts.name, interfaces: { queueDepth: queue } }));
    } else if (url.pathname === '/slow') {
      const t = setTimeout(() => res.end('late'), opts.slowMs ?? 1500);
      res.on('close', () => clearTimeout(t));
    } else if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>${opts.name}</title><h1>${opts.name}</h1><form><input name="user"><input name="password" type="password"><button>Sign in</button></form>`);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
