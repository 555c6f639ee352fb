// Small in-process peers for sensor tests: a port that refuses, a TCP server that accepts and never
// answers (for timeout/abort tests), and a scripted TCP server. All bind 127.0.0.1 on port 0 and
// track their sockets so that close() never waits on a connection a test forgot.

import net from 'node:net';
import { once } from 'node:events';

/** A port on 127.0.0.1 that was bound and closed again: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export interface TestServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Resolves with the next connection the server accepts after this call. */
  nextConnection(): Promise<net.Socket>;
  /**
   * Resolves with the first bytes of the next connection that sends any after this call. Use it as
   * HangingPeer.accepted: once the peer holds bytes, the client is surely past its connect phase.
   */
  nextRequest(): Promise<Buffer>;
  /** Connections currently open on the server side. */
  openConnections(): number;
  close(): Promise<void>;
}

/** Starts a TCP server; `onConnection` scripts what it does with each accepted socket. */
export async function startTcpServer(onConnection: (socket: net.Socket) => void = () => {}): Promise<TestServer> {
  const server = net.createServer();
  const sockets = new Set<net.Socket>();
  // only waiters registered before the event are served: nothing stale is handed out later
  let waiting: ((s: net.Socket) => void)[] = [];
  let waitingRequests: ((b: Buffer) => void)[] = [];
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // a client resetting the connection must not crash the test process
    socket.on('error', () => {});
    socket.once('data', (first: Buffer) => {
      const waiters = waitingRequests;
      waitingRequests = [];
      for (const w of waiters) w(first);
    });
    const waiters = waiting;
    waiting = [];
    for (const w of waiters) w(socket);
    onConnection(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    nextConnection() {
      return new Promise((resolve) => waiting.push(resolve));
    },
    nextRequest() {
      return new Promise((resolve) => waitingRequests.push(resolve));
    },
    openConnections: () => sockets.size,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A server that accepts connections and never sends a byte: the peer every timeout test needs. */
export function startHangingServer(): Promise<TestServer> {
  return startTcpServer(() => {});
}
