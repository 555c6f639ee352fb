// The shared HTTP sender: a kept-alive connection that the server dropped in the meantime is not a
// delivery failure; the request goes again at once on a new connection.

import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpSend } from './http.ts';

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

describe('httpSend', () => {
  it('sends again on a new connection when a kept-alive one was dropped by the server', async () => {
    const perSocket = new Map<Socket, number>();
    let answered = 0;
    server = http.createServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      // The second request on a connection finds it gone, as after the server's idle timeout.
      if (n >= 2) {
        req.socket.destroy();
        return;
      }
      req.resume();
      req.on('end', () => {
        answered++;
        res.writeHead(200, { connection: 'keep-alive' }).end('ok');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const send = () => httpSend({ url, body: '{}', signal: new AbortController().signal });
    expect(await send()).toMatchObject({ ok: true });
    expect(await send()).toMatchObject({ ok: true });
    expect(answered).toBe(2);
    // Two connections: the first (dropped on its second request) and the new one.
    expect(perSocket.size).toBe(2);
  });
});
