// A webhook receiver on loopback for channel and queue tests: records every request, answers with
// what the test says (a status, a body, or nothing until released), and tells when requests arrive.

import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The status the receiver answered with; undefined while held or when never answered. */
  status?: number;
}

export interface Reply {
  readonly status: number;
  readonly body?: string;
}

/** Decides the answer; a promise holds the request until it resolves (undefined: never answer). */
export type Responder = (req: ReceivedRequest, index: number) => Reply | Promise<Reply | undefined>;

export interface WebhookReceiver {
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** Requests answered with 2xx. */
  delivered(): ReceivedRequest[];
  respond(fn: Responder): void;
  /** Resolves when `count` requests have arrived (answered or not). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(responder: Responder = () => ({ status: 200, body: '{"ok":true}' })): Promise<WebhookReceiver> {
  let respond = responder;
  const requests: ReceivedRequest[] = [];
  const waiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const index = requests.push(r) - 1;
      for (const w of waiters.splice(0)) w();
      void Promise.resolve(respond(r, index)).then((reply) => {
        if (!reply || res.destroyed) return;
        r.status = reply.status;
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body ?? '');
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    delivered: () => requests.filter((r) => r.status !== undefined && r.status >= 200 && r.status < 300),
    respond: (fn) => {
      respond = fn;
    },
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`webhook receiver: expected ${count} requests, got ${requests.length}`)), timeoutMs);
        const check = () => {
          if (requests.length >= count) {
            clearTimeout(timer);
            resolve(requests);
          } else waiters.push(check);
        };
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
