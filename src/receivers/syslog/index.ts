// The syslog receiver: UDP, TCP (octet-counting or newline framing, RFC 6587) and TLS (RFC 5425)
// listeners that parse each message (RFC 5424 / 3164), map the sender to a device, mark IHE ATNA
// audit records, and hand everything on through a bounded queue to the store and the inbox.

import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import type { Inbox } from '../../sensors/sensor.ts';
import type { ReceivedMessage } from '../../store/store.ts';
import { createMessageHub, plainAddress } from '../hub.ts';
import { kernelUdpDrops } from '../udp-drops.ts';
import { detectAtna } from './atna.ts';
import { createDeframer } from './framing.ts';
import type { SyslogMessage } from './parse.ts';
import { FACILITIES, parseSyslog, SEVERITIES } from './parse.ts';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export interface SyslogTlsOptions extends ListenAddress {
  /** PEM certificate chain and key of the receiver. */
  readonly cert: string;
  readonly key: string;
  /** PEM CA(s) that client certificates must chain to. */
  readonly ca?: string;
  readonly requireClientCert?: boolean;
}

export interface SyslogReceiverOptions {
  readonly udp?: ListenAddress;
  readonly tcp?: ListenAddress;
  readonly tls?: SyslogTlsOptions;
  /** The device a sender address belongs to; undefined for unknown senders (kept, without a device). */
  deviceOf(sourceIp: string): string | undefined;
  readonly sink?: (m: ReceivedMessage) => void;
  /** Batch sink (e.g. store.appendMessages); the queue waits for its promise. */
  readonly sinkBatch?: (batch: readonly ReceivedMessage[]) => void | Promise<void>;
  /** Publishes each message on `syslog:<deviceId>` (or `syslog:*`). */
  readonly inbox?: Inbox;
  /** Most messages waiting between the sockets and the sink (default 10,000); beyond it they are dropped and counted. */
  readonly maxQueue?: number;
  readonly batchSize?: number;
  readonly onDrop?: (dropped: number) => void;
  /** Stream errors (bad framing, TLS handshakes) and sink failures, for the log. */
  readonly onError?: (err: Error) => void;
  /** Largest message accepted, bytes (default 65,536; longer newline frames are cut). */
  readonly maxMessageBytes?: number;
  /** Wall clock, epoch ms (default Date.now). */
  readonly now?: () => number;
}

export interface SyslogStats {
  /** Messages read off the sockets. */
  readonly received: number;
  /** Of them, parsed with no header problem. */
  readonly parsed: number;
  readonly parseErrors: number;
  readonly invalidUtf8: number;
  /** Dropped because the queue was full. */
  readonly dropped: number;
  /** Handed to the sink. */
  readonly delivered: number;
  /** Waiting now, and the most ever waiting at once (bounded by maxQueue). */
  readonly queued: number;
  readonly queueHighWater: number;
  /** TCP/TLS connections ended for bad framing. */
  readonly framingErrors: number;
  /** UDP datagrams the kernel dropped because the socket buffer was full (Linux; absent elsewhere). */
  readonly kernelDropped?: number;
}

export interface SyslogReceiver {
  readonly addresses: { readonly udp?: ListenAddress; readonly tcp?: ListenAddress; readonly tls?: ListenAddress };
  stats(): SyslogStats;
  /** Resolves when everything received so far has reached the sink. */
  flush(): Promise<void>;
  /** Stops listening, ends connections, and hands on what is still queued. */
  close(): Promise<void>;
}

const LEVEL: Readonly<Record<number, ReceivedMessage['severity']>> = {
  0: 'critical', 1: 'critical', 2: 'critical', 3: 'error', 4: 'warning', 5: 'notice', 6: 'info', 7: 'debug',
};

/** A parsed syslog message as a ReceivedMessage (ts is the arrival time; the header's time is in data). */
export function toReceivedMessage(p: SyslogMessage, source: string, deviceId: string | undefined, ts: number, transport: string): ReceivedMessage {
  const atna = detectAtna(p.msg);
  // Assigned one by one rather than spread: this runs for every message of a flood.
  const data: Record<string, unknown> = { transport, format: p.format, facility: FACILITIES[p.facility] ?? String(p.facility), severity: SEVERITIES[p.severity] };
  if (p.timestamp !== undefined) data.timestamp = new Date(p.timestamp).toISOString();
  if (p.hostname !== undefined) data.hostname = p.hostname;
  if (p.appName !== undefined) data.app = p.appName;
  if (p.procId !== undefined) data.procId = p.procId;
  if (p.msgId !== undefined) data.msgId = p.msgId;
  if (p.structuredData !== undefined) data.sd = p.structuredData;
  if (p.bom) data.bom = true;
  if (p.invalidUtf8) data.invalidUtf8 = true;
  if (p.parseError !== undefined) data.parseError = p.parseError;
  if (atna) data.atna = atna;
  return {
    receiver: 'syslog',
    ts,
    source,
    ...(deviceId !== undefined ? { deviceId } : {}),
    severity: LEVEL[p.severity] ?? 'info',
    text: atna ? `ATNA ${atna.eventName ?? atna.eventId ?? 'audit'}${atna.userId ? ` by ${atna.userId}` : ''}${atna.outcomeText ? ` (${atna.outcomeText})` : ''}: ${p.msg}` : p.msg,
    data,
  };
}

export async function startSyslogReceiver(opts: SyslogReceiverOptions): Promise<SyslogReceiver> {
  const now = opts.now ?? Date.now;
  const maxBytes = opts.maxMessageBytes ?? 65_536;
  const hub = createMessageHub({
    topic: 'syslog',
    ...(opts.sink ? { sink: opts.sink } : {}),
    ...(opts.sinkBatch ? { sinkBatch: opts.sinkBatch } : {}),
    ...(opts.inbox ? { inbox: opts.inbox } : {}),
    ...(opts.maxQueue !== undefined ? { maxQueue: opts.maxQueue } : {}),
    ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
    ...(opts.onDrop ? { onDrop: opts.onDrop } : {}),
    onSinkError: (e) => opts.onError?.(e instanceof Error ? e : new Error(String(e))),
  });
  const counts = { received: 0, parsed: 0, parseErrors: 0, invalidUtf8: 0, framingErrors: 0 };
  // The device lookup is asked once per sender address, not once per message.
  const devices = new Map<string, string | undefined>();

  function accept(bytes: Uint8Array, address: string, transport: string, truncated = false): void {
    counts.received++;
    const source = plainAddress(address);
    const p = parseSyslog(bytes, now());
    const parsed: SyslogMessage = truncated ? { ...p, parseError: p.parseError ?? `message cut at ${maxBytes} bytes` } : p;
    if (parsed.parseError !== undefined) counts.parseErrors++;
    else counts.parsed++;
    if (parsed.invalidUtf8) counts.invalidUtf8++;
    if (!devices.has(source)) {
      if (devices.size > 10_000) devices.clear();
      devices.set(source, opts.deviceOf(source));
    }
    hub.offer(toReceivedMessage(parsed, source, devices.get(source), now(), transport));
  }

  const sockets = new Set<net.Socket>();
  function onStream(sock: net.Socket, transport: string): void {
    sockets.add(sock);
    const address = sock.remoteAddress ?? 'unknown';
    const deframer = createDeframer(maxBytes, (frame, truncated) => accept(frame, address, transport, truncated));
    sock.on('data', (chunk: Buffer) => {
      const err = deframer.push(chunk);
      if (err !== undefined) {
        counts.framingErrors++;
        opts.onError?.(new Error(`syslog ${transport} from ${plainAddress(address)}: ${err}; connection closed`));
        sock.destroy();
      }
    });
    sock.on('end', () => deframer.end());
    sock.on('error', (e) => opts.onError?.(e));
    sock.on('close', () => sockets.delete(sock));
  }

  const closers: (() => Promise<void>)[] = [];
  const addresses: { udp?: ListenAddress; tcp?: ListenAddress; tls?: ListenAddress } = {};
  try {
    if (opts.udp) {
      const udp = dgram.createSocket({ type: opts.udp.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 4 * 1024 * 1024 });
      udp.on('message', (msg, rinfo) => accept(msg, rinfo.address, 'udp'));
      udp.bind(opts.udp.port, opts.udp.host);
      await Promise.race([once(udp, 'listening'), once(udp, 'error').then(([e]) => Promise.reject(e as Error))]);
      udp.on('error', (e) => opts.onError?.(e));
      addresses.udp = { host: opts.udp.host, port: udp.address().port };
      closers.push(() => new Promise<void>((r) => udp.close(() => r())));
    }
    for (const [name, spec] of [['tcp', opts.tcp], ['tls', opts.tls]] as const) {
      if (!spec) continue;
      const t = opts.tls;
      const server =
        name === 'tls' && t
          ? tls.createServer(
              { cert: t.cert, key: t.key, ...(t.ca ? { ca: t.ca } : {}), requestCert: t.requireClientCert ?? false, rejectUnauthorized: t.requireClientCert ?? false },
              (s) => onStream(s, 'tls'),
            )
          : net.createServer((s) => onStream(s, 'tcp'));
      server.on('tlsClientError', (e: Error) => opts.onError?.(e));
      server.listen(spec.port, spec.host);
      await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e as Error))]);
      const a = server.address() as net.AddressInfo;
      addresses[name] = { host: spec.host, port: a.port };
      closers.push(
        () =>
          new Promise<void>((r) => {
            server.close(() => r());
          }),
      );
    }
  } catch (err) {
    await Promise.all(closers.map((c) => c()));
    throw err;
  }

  let closed = false;
  return {
    addresses,
    stats: () => {
      const kernelDropped = addresses.udp ? kernelUdpDrops(addresses.udp.port) : undefined;
      return { ...counts, dropped: hub.dropped, delivered: hub.delivered, queued: hub.queued, queueHighWater: hub.highWater, ...(kernelDropped !== undefined ? { kernelDropped } : {}) };
    },
    flush: () => hub.flush(),
    async close() {
      if (closed) return;
      closed = true;
      const closing = Promise.all(closers.map((c) => c()));
      for (const s of sockets) s.destroy();
      await closing;
      await hub.flush();
    },
  };
}
