// MLLP server (plain TCP or TLS, optionally requiring client certificates): decodes frames on each
// connection and calls the handler once per message, strictly in order per connection, writing the
// framed reply it returns. It binds exactly the host it is given (127.0.0.1 by default).

import net from 'node:net';
import tls from 'node:tls';
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, MllpDecoder } from './frame.ts';

export interface MllpServerTlsOptions {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** CA that signs client certificates (for mutual TLS). */
  readonly ca?: string | Buffer;
  /** Demand and verify a client certificate (mutual TLS). */
  readonly requireClientCert?: boolean;
}

export interface MllpConnectionInfo {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Whether the TLS client certificate verified (mutual TLS); undefined for plain TCP. */
  readonly authorized?: boolean;
}

/** What a handler can do besides returning a reply: used by simulators to misbehave on purpose. */
export interface MllpConnection extends MllpConnectionInfo {
  /** Writes bytes as they are, without framing. */
  writeRaw(bytes: Buffer): void;
  /** Closes the connection (pending replies are dropped). */
  close(): void;
}

/** Returns the reply payload (framed by the server), or undefined to send nothing. */
export type MllpHandler = (message: Buffer, conn: MllpConnection) => Buffer | undefined | Promise<Buffer | undefined>;

export interface MllpServerOptions {
  /** Address to bind (default 127.0.0.1). */
  readonly host?: string;
  /** Port (default 0: the kernel picks one). */
  readonly port?: number;
  readonly tls?: MllpServerTlsOptions;
  readonly maxFrameBytes?: number;
  /** Most connections open at once (default 256); further ones are refused by the kernel backlog. */
  readonly maxConnections?: number;
  /** Decides per connection whether to serve it (e.g. an allow-list of senders); refused ones are closed at once. */
  readonly accept?: (remoteAddress: string) => boolean;
  /** A connection closed because accept() said no. */
  readonly onRefused?: (conn: MllpConnectionInfo) => void;
  /** Closes connections idle this long (default: never). */
  readonly idleTimeoutMs?: number;
  readonly handler: MllpHandler;
  /** Bytes a peer sent outside any frame (the server ignores them otherwise). */
  readonly onUnframed?: (bytes: Buffer, conn: MllpConnectionInfo) => void;
  /** A connection-level problem: oversized frame, handler failure, socket or TLS error. */
  readonly onError?: (err: Error, conn: MllpConnectionInfo | undefined) => void;
}

export interface MllpServer {
  readonly host: string;
  readonly port: number;
  /** Open connections right now. */
  connections(): number;
  close(): Promise<void>;
}

export async function startMllpServer(opts: MllpServerOptions): Promise<MllpServer> {
  const sockets = new Set<net.Socket>();
  const maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const report = (err: Error, info: MllpConnectionInfo | undefined) => {
    try {
      opts.onError?.(err, info);
    } catch {
      // a reporting callback must never take the server down
    }
  };

  const onSocket = (socket: net.Socket) => {
    if (opts.accept && !opts.accept(socket.remoteAddress ?? '')) {
      socket.on('error', () => undefined);
      socket.destroy();
      try {
        opts.onRefused?.({ remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0 });
      } catch {
        // a reporting callback must never take the server down
      }
      return;
    }
    sockets.add(socket);
    socket.setNoDelay(true);
    if (opts.idleTimeoutMs) socket.setTimeout(opts.idleTimeoutMs, () => socket.destroy());
    const info: MllpConnection = {
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      ...(socket instanceof tls.TLSSocket ? { authorized: socket.authorized } : {}),
      writeRaw: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      close: () => socket.destroy(),
    };
    const decoder = new MllpDecoder({ maxFrameBytes });
    // replies go out in the order messages came in, even when a handler is slow
    let chain: Promise<void> = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      if (socket.destroyed) return;
      for (const ev of decoder.push(chunk)) {
        if (ev.type === 'tooLarge') {
          report(ev.error, info);
          socket.destroy();
          return;
        }
        if (ev.type === 'unframed') {
          opts.onUnframed?.(ev.bytes, info);
          continue;
        }
        chain = chain.then(async () => {
          if (socket.destroyed) return;
          try {
            const reply = await opts.handler(ev.payload, info);
            if (reply && !socket.destroyed) socket.write(encodeFrame(reply));
          } catch (e) {
            report(e instanceof Error ? e : new Error(String(e)), info);
          }
        });
      }
    });
    socket.on('error', (err) => report(err, info));
    socket.on('close', () => sockets.delete(socket));
  };

  const server: net.Server = opts.tls
    ? tls.createServer({ cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca, requestCert: opts.tls.requireClientCert ?? false, rejectUnauthorized: opts.tls.requireClientCert ?? false }, onSocket)
    : net.createServer(onSocket);
  server.maxConnections = opts.maxConnections ?? 256;
  if (opts.tls) server.on('tlsClientError', (err: Error) => report(err, undefined));
  server.on('error', (err: Error) => report(err, undefined));
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;

  return {
    host,
    port: address.port,
    connections: () => sockets.size,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
