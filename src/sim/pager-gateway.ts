// A simulated paging gateway (what a hospital's DECT/pager system offers as an HTTP inbox): it
// accepts the webhook notifications Wardwatch sends and keeps the last ones, so the demo hospital's
// alerts go somewhere real; GET / lists what arrived, newest first.

import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PagerGateway {
  readonly url: string;
  /** Received notification bodies (parsed JSON, or the text when not JSON), oldest first. */
  received(): readonly unknown[];
  close(): Promise<void>;
}

const KEEP = 200;
const MAX_BODY = 1024 * 1024;

export async function startPagerGateway(host = '127.0.0.1'): Promise<PagerGateway> {
  const pages: unknown[] = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) req.destroy();
        else chunks.push(c);
      });
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: kept as text
        }
        pages.push(body);
        if (pages.length > KEEP) pages.shift();
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([...pages].reverse()));
  });
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/page`,
    received: () => pages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
